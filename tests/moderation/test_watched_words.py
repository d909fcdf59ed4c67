"""Watched words: matching that survives disguise, the four actions, admins' list."""

from __future__ import annotations

import pytest

from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance import watched_words as matching
from forum.governance.models import WatchedAction, WatchedWord
from forum.moderation import watched_words as ww
from tests.moderation.conftest import entries


def _word(word, action=WatchedAction.FLAG, replacement=""):
    return WatchedWord(
        word=word, key=matching.word_key(word), action=action, replacement=replacement
    )


@pytest.mark.parametrize(
    "text",
    [
        "what an idiot",
        "what an IDIOT",
        "what an ídíót",
        "what an i d i o t",
        "what an 1d10t",
        "what an !d!0t",
        "what an idiot!",
        "(idiot)",
        "idiot",
        "what an ｉｄｉｏｔ",  # full-width letters fold under NFKD
        "what an i-d-i-o-t",
    ],
)
def test_matching_survives_case_accents_spacing_and_substitutions(text):
    [match] = matching.find_matches(text, [_word("idiot")])
    assert (
        matching.skeleton(text[match.start : match.end])[0]
        .replace("1", "i")
        .replace("0", "o")
        .replace("!", "i")
        == "idiot"
    )


@pytest.mark.parametrize("text", ["idiots", "idiotic", "an idiomatic idea", "", "I do it"])
def test_matching_keeps_to_word_boundaries(text):
    assert matching.find_matches(text, [_word("idiot")]) == []


def test_substitutions_cover_the_listed_symbols():
    words = [_word("sale"), _word("toast"), _word("lil")]
    found = matching.find_matches("$4l3 70457 111", words)
    assert [m.word for m in found] == ["sale", "toast", "lil"]
    assert matching.find_matches("cl@ss", [_word("ass")]) == []
    assert [m.word for m in matching.find_matches("@$$", [_word("ass")])] == ["ass"]


def test_phrases_match_across_extra_spaces():
    [match] = matching.find_matches("buy   CHEAP\tpills now", [_word("cheap pills")])
    assert (match.start, match.end) == (6, 17)


def test_replace_swaps_the_words_where_they_stand():
    words = [_word("darn", WatchedAction.REPLACE, "[removed]")]
    outcome = matching.apply_watched_words("Well D4RN it, darn.", words)
    assert outcome.text == "Well [removed] it, [removed]."
    assert outcome.action is WatchedAction.REPLACE and not outcome.blocked


def test_the_strongest_action_wins_and_nothing_else_changes_the_text():
    words = [
        _word("spam", WatchedAction.BLOCK),
        _word("clinic", WatchedAction.REQUIRE_APPROVAL),
        _word("hmm", WatchedAction.FLAG),
    ]
    text = "hmm the clinic sent spam"
    outcome = matching.apply_watched_words(text, words)
    assert outcome.blocked and outcome.text == text
    approval = matching.apply_watched_words("hmm the clinic", words)
    assert approval.needs_review and approval.flagged and not approval.blocked
    flag = matching.apply_watched_words("hmm", words)
    assert flag.flagged and not flag.needs_review
    assert matching.apply_watched_words("nothing here", words).action is None


def test_admins_manage_the_list(admin, moderator):
    word = ww.add_word(admin, "  Idiot ", "flag")
    assert (word.word, word.key) == ("Idiot", "idiot")
    with pytest.raises(Invalid) as error:
        ww.add_word(admin, "1D10T", "block")
    assert error.value.field == "word"
    with pytest.raises(Invalid) as error:
        ww.add_word(admin, "darn", "replace")
    assert error.value.field == "replacement"
    with pytest.raises(Invalid):
        ww.add_word(admin, "darn", "obliterate")
    with pytest.raises(Invalid):
        ww.add_word(admin, "!", "flag")
    with pytest.raises(NotAllowed):
        ww.add_word(moderator, "other", "flag")
    assert [w.word for w in matching.all_words()] == ["Idiot"]
    assert [m.word for m in matching.find_matches("you idiot")] == ["Idiot"]
    ww.remove_word(admin, word.id)
    assert matching.all_words() == []
    with pytest.raises(NotFound):
        ww.remove_word(admin, word.id)
    assert [(e.action, e.public) for e in entries()] == [
        ("watch_word", False),
        ("unwatch_word", False),
    ]


def test_check_handle(admin):
    ww.add_word(admin, "idiot", "block")
    ww.add_word(admin, "heron", "flag")
    with pytest.raises(Invalid) as error:
        matching.check_handle("Big_1d10t")
    assert error.value.field == "handle"
    matching.check_handle("grey-heron")
