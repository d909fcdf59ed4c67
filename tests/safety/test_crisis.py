"""Crisis-language check: catch risk however it is typed, skip plain figures of speech."""

from __future__ import annotations

import itertools

import pytest

from forum.safety import crisis
from forum.safety.crisis import Category, CrisisMatch, has_crisis_language, mentions_crisis

CRISIS = [
    ("I have been having suicidal thoughts again.", Category.SUICIDAL, "suicidal"),
    ("I think about suicide every day", Category.SUICIDAL, "suicide"),
    ("I want to kill myself", Category.SUICIDAL, "kill myself"),
    ("I want to KILL   MY SELF", Category.SUICIDAL, "KILL   MY SELF"),
    ("I want to end my life", Category.SUICIDAL, "end my life"),
    ("thinking of taking my own life", Category.SUICIDAL, "taking my own life"),
    ("sometimes I just want to end it all", Category.SUICIDAL, "end it all"),
    ("I want to die", Category.SUICIDAL, "want to die"),
    ("I wanna die", Category.SUICIDAL, "wanna die"),
    ("I don’t want to be here anymore", Category.SUICIDAL, "don’t want to be here"),
    ("I dont want to be alive", Category.SUICIDAL, "dont want to be alive"),
    ("I do not want to live anymore", Category.SUICIDAL, "not want to live"),
    ("I just don't want to wake up", Category.SUICIDAL, "don't want to wake up"),
    ("I wish I was dead", Category.SUICIDAL, "wish I was dead"),
    ("Everyone is better off without me", Category.SUICIDAL, "better off without me"),
    ("I'd be better off dead", Category.SUICIDAL, "better off dead"),
    ("there is no reason to live", Category.SUICIDAL, "no reason to live"),
    ("I have nothing left to live for", Category.SUICIDAL, "nothing left to live for"),
    ("I can't go on like this", Category.SUICIDAL, "can't go on like this"),
    ("I can’t go on.", Category.SUICIDAL, "can’t go on."),
    ("I won't be around much longer", Category.SUICIDAL, "won't be around much longer"),
    ("I've been self-harming again", Category.SELF_HARM, "self-harming"),
    ("self harm was how I coped", Category.SELF_HARM, "self harm"),
    ("I keep hurting myself", Category.SELF_HARM, "hurting myself"),
    ("I cut myself last night", Category.SELF_HARM, "cut myself"),
    ("I cut myself on my arms", Category.SELF_HARM, "cut myself"),
    ("I took an overdose in 2019", Category.OVERDOSE, "overdose"),
    ("after I overdosed", Category.OVERDOSE, "overdosed"),
    ("I OD'd twice", Category.OVERDOSE, "OD'd"),
    ("I took all my pills", Category.OVERDOSE, "took all my pills"),
    ("I swallowed a handful of tablets", Category.OVERDOSE, "swallowed a handful of tablets"),
]


@pytest.mark.parametrize(("text", "category", "span"), CRISIS, ids=[c[0] for c in CRISIS])
def test_catches_crisis_language(text, category, span):
    matches = mentions_crisis(text)
    assert [(m.category, m.text) for m in matches] == [(category, span)]
    assert text[matches[0].start : matches[0].end] == span
    assert has_crisis_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "I was killing time in the waiting room.",
        "The therapy killed my confidence.",
        "My mum would kill me if she knew.",
        "she hurt me more than she knew",
        "I'm dying to know what she wrote in her notes.",
        "I nearly died laughing at that.",
        "I want to die of embarrassment when I think of it.",
        "I cut myself off from my friends.",
        "I need to cut myself some slack.",
        "I took my meds as prescribed.",
        "I took my tablets and went to bed.",
        "I took too many notes in sessions.",
        "I don't want to live in London any more.",
        "I don't want to wake up early on Saturdays.",
        "I can't go on holiday this year.",
        "It took my life savings to pay her.",
        "The end of my life as I knew it, or so it felt.",
        "The deadline was brutal.",
        "",
    ],
)
def test_skips_ordinary_phrases(text):
    assert mentions_crisis(text) == []
    assert not has_crisis_language(text)


def test_spans_are_sorted_and_do_not_overlap():
    text = "I want to kill myself. I self-harm. I took an overdose. I want to end it all."
    matches = mentions_crisis(text)
    assert [m.category for m in matches] == [
        Category.SUICIDAL,
        Category.SELF_HARM,
        Category.OVERDOSE,
        Category.SUICIDAL,
    ]
    for earlier, later in itertools.pairwise(matches):
        assert earlier.end <= later.start


def test_line_breaks_between_words_still_match():
    assert has_crisis_language("I want to end\nmy\n  life")


def test_spans_point_into_the_original_text_with_curly_apostrophes():
    text = "Honestly I don’t want to exist"
    (match,) = mentions_crisis(text)
    assert match.text == "don’t want to exist"
    assert isinstance(match, CrisisMatch)


def test_lower_case_od_is_not_an_overdose():
    assert mentions_crisis("od is short for odd") == []


def test_module_says_the_list_needs_clinical_review():
    assert "CLINICAL REVIEW" in (crisis.__doc__ or "")
