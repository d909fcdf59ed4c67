"""Places written the way people write where someone lives: after "lives in", "moved here
from" or "my home town", and the town line of a postal address."""

from __future__ import annotations

import pytest

from forum.safety.pii import Kind, find_identifiers


def _places(text: str) -> list[str]:
    return [f.text for f in find_identifiers(text) if f.kind is Kind.PLACE]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("My mum still lives in Sidi Bouzid with her sister.", "Sidi Bouzid"),
        ("She grew up in Amoreira da Gândara before uni.", "Amoreira da Gândara"),
        ("We moved here from København V when I was small.", "København V"),
        ("Send the letter to 14 Albert Road, Knaresborough please.", "Knaresborough"),
        ("14 Albert Road\nFlat 2\nBolungarvík\n", "Bolungarvík"),
        ("14 Albert Road\nHarrogate", "Harrogate"),
    ],
)
def test_a_place_where_someone_lives_is_found(text, place):
    assert place in _places(text)


@pytest.mark.parametrize(
    "text",
    [
        "I moved in with Sarah last year.",
        "I told Sarah in the end.",
        "She lives in hope that it gets better.",
        "14 Albert Road\n\nThen nothing happened for weeks.",
    ],
)
def test_people_and_ordinary_words_stay_what_they_are(text):
    assert _places(text) == []
