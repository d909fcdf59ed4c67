"""Crisis-language check: catch risk however it is typed, tell now from then, mine from theirs."""

from __future__ import annotations

import itertools
import secrets
from datetime import timedelta

import pytest

from forum.db import db, utcnow
from forum.moderation import queue
from forum.safety import crisis
from forum.safety.crisis import (
    Category,
    CrisisMatch,
    Kind,
    at_risk_now,
    has_crisis_language,
    mentions_crisis,
    most_urgent,
)
from forum.stories import responses, services
from forum.stories.models import Status
from tests.bench.crisis import CLASSES, ORDINARY, SETS, adversarial, load, score
from tests.bench.crisis import story as sample_story
from tests.factories import load_tags, make_draft, make_story

C, P, N, T = Kind.CURRENT, Kind.PAST, Kind.NEGATED, Kind.THIRD_PERSON

SPANS = [
    ("I have been having suicidal thoughts again.", Category.SUICIDAL, "suicidal", C),
    ("I want to KILL   MY SELF", Category.SUICIDAL, "KILL   MY SELF", C),
    ("thinking of taking my own life", Category.SUICIDAL, "taking my own life", C),
    ("I don’t want to be here anymore", Category.SUICIDAL, "don’t want to be here", C),
    ("I don't want to be here any more", Category.SUICIDAL, "don't want to be here", C),
    ("kms honestly", Category.SUICIDAL, "kms", C),
    ("I'm going to unalive myself", Category.SUICIDAL, "unalive", C),
    ("thinking about sewerslide", Category.SUICIDAL, "sewerslide", C),
    ("i have been sucidal for weeks", Category.SUICIDAL, "sucidal", C),
    ("Everyone would be better off without me", Category.SUICIDAL, "better off without me", C),
    ("I feel completely hopeless", Category.HOPELESSNESS, "I feel completely hopeless", C),
    ("I'm worthless", Category.HOPELESSNESS, "I'm worthless", C),
    ("I can’t go on.", Category.SUICIDAL, "can’t go on.", C),
    ("I want to go to sleep and not wake up", Category.SUICIDAL, "not wake up", C),
    ("I've been stockpiling my tablets", Category.PLAN, "stockpiling", C),
    ("I cut myself last night", Category.SELF_HARM, "cut myself", C),
    ("I took all my pills", Category.OVERDOSE, "took all my pills", C),
    ("I never felt suicidal.", Category.SUICIDAL, "suicidal", N),
    ("I'm not suicidal", Category.SUICIDAL, "suicidal", N),
    ("I was suicidal in 2019", Category.SUICIDAL, "suicidal", P),
    ("I used to self-harm", Category.SELF_HARM, "self-harm", P),
    ("I took an overdose in 2019", Category.OVERDOSE, "overdose", P),
    ("My friend tried to kill herself", Category.SUICIDAL, "kill herself", T),
    ("My brother says he wants to die", Category.SUICIDAL, "wants to die", T),
]


@pytest.mark.parametrize(("text", "category", "span", "kind"), SPANS, ids=[s[0] for s in SPANS])
def test_each_match_keeps_its_span_category_and_kind(text, category, span, kind):
    (match,) = mentions_crisis(text)
    assert (match.category, match.text, match.kind) == (category, span, kind)
    assert text[match.start : match.end] == span
    assert has_crisis_language(text)
    assert at_risk_now(text) is (kind is Kind.CURRENT)


@pytest.mark.parametrize(
    "text",
    [
        "I was killing time in the waiting room.",
        "My mum would kill me if she knew.",
        "she hurt me more than she knew",
        "I'm dying to know what she wrote in her notes.",
        "I could kill for a coffee.",
        "This is killing me, the waiting.",
        "I nearly died laughing at that.",
        "I want to die of embarrassment when I think of it.",
        "I cut myself off from my friends.",
        "I need to cut myself some slack.",
        "I took my tablets and went to bed.",
        "I don't want to live in London any more.",
        "I don't want to wake up early on Saturdays.",
        "I can't go on holiday this year.",
        "It took my life savings to pay her.",
        "She was hopeless at remembering my name.",
        "Complaining would have been career suicide.",
        "I ran 5 kms before the session.",
        "I want to dye my hair blue.",
        "od is short for odd",
        "",
    ],
)
def test_skips_figures_of_speech(text):
    assert mentions_crisis(text) == []
    assert not has_crisis_language(text)


def test_hopeless_and_worthless_are_both_current_risk():
    matches = mentions_crisis("I feel hopeless and worthless")
    assert [(m.text, m.kind) for m in matches] == [("I feel hopeless", C), ("and worthless", C)]


def test_every_kind_still_shows_help_but_only_current_risk_is_urgent():
    for text in ("I never felt suicidal", "I used to self-harm", "My sister self-harms"):
        assert has_crisis_language(text), text
        assert not at_risk_now(text), text
    assert at_risk_now("I used to self-harm and I want to die now")


def test_most_urgent_puts_current_first_and_denial_last():
    text = "I never felt suicidal. My friend tried to kill herself. I was suicidal in 2019."
    matches = mentions_crisis(text)
    assert [m.kind for m in matches] == [N, T, P]
    assert most_urgent(matches) is T
    assert most_urgent(mentions_crisis(text + " I want to die.")) is C
    assert most_urgent([]) is None


def test_the_same_sentence_can_hold_then_and_now():
    matches = mentions_crisis("I was suicidal in 2019 and I'm suicidal again now.")
    assert [m.kind for m in matches] == [P, C]


def test_negation_of_something_else_is_not_a_denial():
    assert mentions_crisis("I can't stop thinking about suicide")[0].kind is C
    assert mentions_crisis("I have never been so suicidal")[0].kind is C
    assert mentions_crisis("She doesn't know I'm suicidal")[0].kind is C


def test_labels_say_the_kind_for_moderators():
    (now,) = mentions_crisis("I want to die")
    (then,) = mentions_crisis("I used to self-harm")
    (theirs,) = mentions_crisis("My friend tried to kill herself")
    (denied,) = mentions_crisis("I'm not suicidal")
    assert now.label == "suicidal thoughts"
    assert then.label == "self-harm, in the past"
    assert theirs.label == "suicidal thoughts, about someone else"
    assert denied.label == "suicidal thoughts, denied"


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


def test_spans_point_into_the_original_text_with_unusual_apostrophes_and_spaces():
    text = "Honestly I don’t want to exist. Je suis là. I want\u00a0to\u2003die"
    first, second = mentions_crisis(text)
    assert first.text == "don’t want to exist"
    assert second.text == "want\u00a0to\u2003die"
    assert isinstance(first, CrisisMatch)


def test_line_breaks_between_words_still_match():
    assert has_crisis_language("I want to end\nmy\n  life")


def _every_phrase_everywhere(text: str) -> list[tuple[int, int, Category]]:
    """The matcher without its candidate pass: every phrase over the whole text."""
    normal = text.translate(crisis._NORMAL)
    found = sorted(crisis._phrases(normal, 0, len(normal)))
    kept, last_end = [], -1
    for start, negative_end, category in found:
        if start >= last_end:
            kept.append((start, -negative_end, category))
            last_end = -negative_end
    return kept


def test_the_candidate_pass_finds_what_scanning_everything_finds():
    sentences = [case.text for cases in map(load, SETS.values()) for case in cases]
    texts = [
        sample_story(10_000),
        " ".join(sentences),
        "\n".join(sentences),
        ("x" * 390 + " ").join(sentences[:40]),
    ]
    for text in texts:
        got = [(m.start, m.end, m.category) for m in mentions_crisis(text)]
        assert got == _every_phrase_everywhere(text)


@pytest.mark.timeout(20)
def test_adversarial_maximum_length_inputs_finish():
    # A backtracking matcher takes minutes on some of these; RE2 and bounded windows take
    # well under a second each. The timeout only stops a regression from hanging the suite.
    for text in adversarial(30_000):
        assert len(text) == 30_000
        mentions_crisis(text)
    assert has_crisis_language(("want to die. " * 2400)[:30_000])


# --- Quality gates on the labelled sentences (tests/safety/crisis_cases*.tsv) ------------------


@pytest.fixture(scope="module")
def labelled():
    return {name: load(path) for name, path in SETS.items()}


def test_the_labelled_set_is_big_enough_and_covers_every_class(labelled):
    everything = [case for cases in labelled.values() for case in cases]
    assert len(everything) >= 300
    for cls in (*CLASSES, ORDINARY):
        assert sum(1 for case in everything if case.label == cls) >= 30, cls
    assert all(cases for cases in labelled.values())


@pytest.mark.parametrize("name", list(SETS))
def test_current_risk_recall_and_false_alarms_meet_the_targets(labelled, name):
    scores = score(labelled[name])
    assert scores.recall["current"] >= 0.95, scores.misses
    assert scores.false_alarm_rate <= 0.05, scores.misses


@pytest.mark.parametrize("name", list(SETS))
def test_past_denied_and_third_person_mentions_are_told_apart(labelled, name):
    scores = score(labelled[name])
    for cls in ("past", "negated", "third_person"):
        assert scores.recall[cls] >= 0.85, (cls, scores.misses)
        # Whatever the kind, the teller still sees help.
        assert scores.detected[cls] >= 0.9, (cls, scores.misses)
    assert scores.precision["current"] >= 0.9, scores.misses


def test_module_says_the_list_needs_clinical_review():
    assert "CLINICAL REVIEW" in (crisis.__doc__ or "")


# --- Callers: the check step shows help for every kind; only current risk goes first -----------


@pytest.fixture
def taxonomy(ctx):
    load_tags()


def test_check_step_shows_help_for_every_kind_and_flags_only_current_risk(taxonomy):
    past = services.check_draft(make_draft(body="I was suicidal in 2019, long before her."))
    assert past.crisis and not past.current_risk
    now = services.check_draft(make_draft(body="Since she left I want to die."))
    assert now.crisis and now.current_risk
    plain = services.check_draft(make_draft(body="I was killing time in the waiting room."))
    assert not plain.crisis and not plain.current_risk


def test_the_queue_puts_current_risk_before_past_denied_and_third_person_mentions(taxonomy):
    older = {
        "past": "I used to self-harm before I ever met her.",
        "denied": "I never felt suicidal, whatever her notes said.",
        "theirs": "My friend tried to kill herself after her therapist dropped her.",
    }
    stories = {name: make_story(title=name.title(), body=body) for name, body in older.items()}
    now = make_story(title="Now", body="Some nights I want to end my life.")
    for minutes, story in enumerate(stories.values(), start=60):
        story.submitted_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    assert now.crisis_flagged
    assert not any(story.crisis_flagged for story in stories.values())
    items, _ = queue.load_queue()
    assert items[0].item.id == now.id
    assert items[0].why[0] == "Crisis language"
    later = {q.item.id: q for q in items[1:]}
    for name, story in stories.items():
        why = later[story.id].why
        assert why[0] == "Waiting for review", name
        assert "Mentions crisis: in the past, denied or about someone else" in why, name
    labels = {s.label for q in items for s in q.spans if s.kind == "crisis"}
    assert "Crisis language: self-harm, in the past" in labels
    assert "Crisis language: suicidal thoughts, denied" in labels
    assert "Crisis language: suicidal thoughts, about someone else" in labels


def test_a_reply_with_past_crisis_words_waits_for_review_without_the_crisis_flag(taxonomy):
    story = make_story(status=Status.PUBLISHED)

    def reply(body):
        return responses.add_reply(
            story.id,
            None,
            body,
            secrets.token_urlsafe(24),
            reader_id=secrets.token_hex(8),
            teller=services.Teller(),
        )

    past = reply("I used to self-harm too, and it got better.")
    assert past.status is Status.PENDING and not past.crisis_flagged
    now = reply("I want to die too.")
    assert now.status is Status.PENDING and now.crisis_flagged
