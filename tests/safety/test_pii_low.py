"""Coarse dates ranked low: found only when asked for, never over a real finding, and each
with a general word that reads in its sentence."""

from __future__ import annotations

import pytest

from forum.safety.pii import find_identifiers, find_in_fields, suggest, use_suggestion


@pytest.mark.parametrize(
    ("text", "low"),
    [
        ("In March 2021 I started therapy.", "March 2021"),
        ("The clinic opened in 1998 and I went there.", "1998"),
        ("We met every Tuesday after work.", "Tuesday"),
        ("During 2019 things got worse.", "2019"),
    ],
)
def test_a_coarse_date_is_ranked_low_and_never_raised(text, low):
    assert find_identifiers(text) == []
    [found] = find_identifiers(text, include_low=True)
    assert found.low and found.text == low and found.kind.value == "date"


@pytest.mark.parametrize(
    "text",
    ["It cost £2000 a year.", "Prices rose 2000% that year.", "It came to 1,2000.50 in all."],
)
def test_amounts_and_longer_numbers_are_not_years(text):
    assert find_identifiers(text, include_low=True) == []


def test_an_exact_date_is_raised_not_ranked_low():
    [found] = find_identifiers("It happened on 12 March 2021.", include_low=True)
    assert found.text == "12 March 2021" and not found.low


def test_a_year_in_a_phone_number_is_not_a_date():
    found = find_identifiers("Ring 07700 900123 after 2019 ends.", include_low=True)
    assert [(f.text, f.low) for f in found] == [("07700 900123", False), ("2019", True)]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("on Sunday", "that day"), ("in 1991", "that year"), ("in March 2021", "around then")],
)
def test_low_ranked_dates_suggest_a_general_phrase(text, phrase):
    [found] = find_identifiers(text, include_low=True)
    assert suggest(text, found).replacement == phrase


def test_a_low_ranked_suggestion_applies_only_on_a_click():
    fields = {"body": "We met on Sunday."}
    [found] = find_in_fields(fields, include_low=True)
    assert find_in_fields(fields) == []
    change = use_suggestion(fields, found.token)
    assert change is not None and change.text == "We met on that day."
