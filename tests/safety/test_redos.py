"""ReDoS: every detector and matcher that runs on user text finishes fast on hostile input.

Each input has the longest length a story body may have (BODY_MAX, 30,000 characters) and a
known shape that makes backtracking engines slow: nested or overlapping quantifiers (`a%`*N
before an `@`), repeated separators, long runs with no terminator, many `@` and dots, Markdown
delimiters that never close, and long disguised words for the watched-word matcher. The
timeout on each case is a hang guard (the quadratic email pattern took tens of seconds), not a
speed goal: every case takes well under a second on an idle machine.

Patterns left on Python's `re` are linear by construction, and are fed the same inputs here:
- a single character class, repeated (feeds `_NOT_XML`, tokens' `[\\s\\-]+`, logs' `^\\S+ - - `);
- anchored patterns whose quantifiers are bounded ({0,61}, {1,28}, {20,100}) or unambiguous
  (taxonomy's `[a-z0-9]+(?:-[a-z0-9]+)*`: every repetition starts with `-`).
"""

from __future__ import annotations

import contextlib
import re
import sys

import pytest
import re2

from forum.accounts.services import HANDLE_PATTERN, check_handle
from forum.errors import Invalid
from forum.governance import watched_words as ww
from forum.governance.models import WatchedAction, WatchedWord
from forum.moderation import highlight
from forum.resources.curation import NUMBER
from forum.resources.links import check_resource_url
from forum.safety import crisis, pii, sanitize, tokens
from forum.safety.patterns import NOT_SPACE, SPACE, linear
from forum.sharing.forms import BODY_MAX
from forum.taxonomy.services import SLUG_PATTERN

# Seconds per case, a hang guard: every case takes under half a second on an idle machine (with
# coverage on, a busy 2-core CI machine has been seen to take ten times that), while the
# quadratic email pattern took tens of seconds idle. The timeout counts the test's own call
# only (func_only): the word lists load once per process, in the fixture below.
TIMEOUT = 15
# Markdown rendering and HTML cleaning are third-party parsers (markdown-it-py, html5lib), not
# regular expressions: a few of these shapes take one to three seconds on a busy machine.
RENDER_TIMEOUT = 30


def _fill(unit: str, prefix: str = "", suffix: str = "") -> str:
    """unit repeated so that prefix + body + suffix is exactly BODY_MAX characters."""
    room = BODY_MAX - len(prefix) - len(suffix)
    return prefix + (unit * (room // len(unit) + 1))[:room] + suffix


# Shapes every detector gets.
GENERIC = {
    "email_quadratic": _fill("a.", "a%" * 7000 + "@"),  # the known case, issue 9
    "many_at": _fill("@"),
    "at_word": _fill("a@"),
    "dots": _fill("a."),
    "long_run": _fill("a"),
    "long_run_no_terminator": _fill("a", "http://"),
    "spaces": _fill(" \t\n"),
    "digit_space": _fill("1 "),
    "parens": _fill("(1-"),
    "capitals": _fill("Aa "),
    "initials": _fill("A. "),
    "combining": _fill("e\u0301"),
    "eszett": _fill("ß"),  # case-folds to two letters
}
# The moderators' highlighting runs the three detectors above together; a few shapes suffice.
HIGHLIGHTED = ("email_quadratic", "many_at", "capitals", "digit_space")

PII = {
    "email_dots_and_at": _fill("a.a@"),
    "email_pluses": _fill("a+", "", "@a"),
    "spelled_email": _fill(" at a dot "),
    "url_www": _fill("www."),
    "url_scheme": _fill("http://"),
    "url_bare": _fill("a.com/"),
    "url_no_end": _fill("a-", "https://a."),
    "handle": _fill("@a"),
    "phone_mixed": _fill("1 (2) 3-4."),
    "phone_plus": _fill("+1 "),
    "date_slashes": _fill("1/1/"),
    "date_iso": _fill("1111-"),
    "date_words": _fill("1 January "),
    "postcode": _fill("A1 "),
    "titled_name": _fill("Dr "),
    "therapist_name": _fill("therapist Anne "),
    "clinic": _fill("Clinic "),
    "names": _fill("Anne Marie "),
    "address": _fill("12 High "),
    "age": _fill("aged 1"),
    "nhs_number": _fill("123 456 "),
}

CRISIS = {
    "want_to": _fill("i want to "),
    "kill": _fill("kill "),
    "pills": _fill("all of my "),
    "negation": _fill("not "),
    "myself": _fill("end it all "),
    "no_terminator": _fill("i ", "", " want to die"),
    "apostrophes": _fill("i’m ’"),
}

WATCHED = {
    "substitutions": _fill("1d10t "),
    "digits": _fill("4"),
    "pipes": _fill("|"),
    "spaced": _fill("a "),
    "dashed": _fill("i-d-i-o-"),
    "dotted": _fill("i.d.i.o. "),
    "near_miss": _fill("a" * 98 + "c"),
}

MARKDOWN = {
    "brackets": _fill("["),
    "link_open": _fill("[a]("),
    "link_reference": _fill("[a]: <"),
    "stars": _fill("*a"),
    "underscores": _fill("_a"),
    "mixed_emphasis": _fill("*_"),
    "backticks": _fill("`a"),
    "angles": _fill("<"),
    "autolink": _fill("<a:"),
    "entities": _fill("&#"),
    "quotes": _fill(">"),
    "list_items": _fill("- "),
    "backslashes": _fill("\\"),
    "html_comment": _fill("<!--"),
}


def _words() -> list[WatchedWord]:
    """Watched words chosen to make a backtracking matcher re-read long stretches."""
    words = [
        "idiot",
        "aa",
        "a a a a a",
        "lil",
        "ss",
        "toast",
        "i d i o t s",
        "a" * 99 + "b",
        "ai" * 50,
        "il" * 50,
        "o0" * 25,
    ]
    return [
        WatchedWord(word=w, key=ww.word_key(w), action=WatchedAction.FLAG, replacement="")
        for w in words
    ]


WORDS = _words()


@pytest.fixture(autouse=True, scope="module")
def _word_lists_loaded():
    """Load the detectors' word lists before any timed case, as a worker does at its first story."""
    pii.find_identifiers("Warm-up with Sam in Leeds.", include_low=True)


def _cases(shapes: dict[str, str], *names: str) -> list:
    return [pytest.param(name, text, id=f"{name}") for name, text in shapes.items()] + [
        pytest.param(name, GENERIC[name], id=name) for name in names
    ]


def test_every_input_has_the_longest_story_length():
    for shapes in (GENERIC, PII, CRISIS, WATCHED, MARKDOWN):
        assert {len(text) for text in shapes.values()} == {BODY_MAX}


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases(PII, *GENERIC))
def test_pii_detector(name, text):
    findings = pii.find_identifiers(text)
    assert all(0 <= f.start < f.end <= BODY_MAX for f in findings)


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases(CRISIS, *GENERIC))
def test_crisis_detector(name, text):
    matches = crisis.mentions_crisis(text)
    assert all(0 <= m.start < m.end <= BODY_MAX for m in matches)
    crisis.at_risk_now(text)


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases(WATCHED, *GENERIC))
def test_watched_words(name, text):
    outcome = ww.apply_watched_words(text, WORDS)
    assert all(0 <= m.start < m.end <= BODY_MAX for m in outcome.matches)


def test_watched_words_still_find_a_word_in_hostile_text():
    text = _fill("1d10t ", "", " what an 1d10t")
    assert ww.find_matches(text, WORDS)[-1].end == BODY_MAX


@pytest.mark.timeout(RENDER_TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases(MARKDOWN, "email_quadratic", "many_at"))
def test_markdown_rendering(name, text):
    html = sanitize.render_markdown(text)
    assert "<script" not in html


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases({}, *HIGHLIGHTED))
def test_moderator_highlighting(name, text):
    spans = highlight.find_spans(text, WORDS)
    highlight.marked(text, spans)
    highlight.excerpts(text, spans)


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(_fill("a "), _fill("b "), id="same_separators"),
        pytest.param(_fill("a b "), _fill("b a "), id="alternating"),
        pytest.param(_fill("a "), _fill("a ", "", " b"), id="one_change_at_the_end"),
        pytest.param(_fill("the cat "), _fill("the dog "), id="every_other_word"),
    ],
)
def test_redaction_diff(old, new):
    left, right = highlight.side_by_side(old, new)
    assert len(left) >= len(old) and len(right) >= len(new)


@pytest.mark.timeout(TIMEOUT, func_only=True)
@pytest.mark.parametrize(("name", "text"), _cases({}, *GENERIC))
def test_other_patterns_on_user_text(name, text):
    sanitize.clean_text(text)
    sanitize.clean_text(text, single_line=True)
    sanitize.is_safe_link("https://" + text)
    tokens.normalise_recovery_code(text)
    for pattern in (HANDLE_PATTERN, SLUG_PATTERN, NUMBER):
        pattern.match(text)
    with pytest.raises(Invalid):
        check_handle(text)
    with contextlib.suppress(Invalid):
        check_resource_url("https://" + text)


@pytest.mark.timeout(TIMEOUT, func_only=True)
def test_slug_pattern_is_linear_on_its_worst_shape():
    text = _fill("a-", "", "!")
    assert SLUG_PATTERN.match(text) is None
    assert SLUG_PATTERN.match(_fill("a")) is not None


def test_watched_word_patterns_use_the_linear_engine():
    pattern = ww._pattern(ww.word_key("idiot"))
    assert not isinstance(pattern, re.Pattern)
    assert pattern.search("an 1d10t") is not None


def test_space_is_pythons_whitespace_for_every_code_point():
    """SPACE and NOT_SPACE (RE2) match exactly what Python's `\\s` and `\\S` match on str."""
    everything = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    spaces = "".join(ch for ch in everything if re.match(r"\s", ch))
    others = "".join(ch for ch in everything if not re.match(r"\s", ch))
    assert linear(f"{SPACE}+").fullmatch(spaces) is not None
    assert linear(SPACE).search(others) is None
    assert linear(f"{NOT_SPACE}+").fullmatch(others) is not None
    assert linear(NOT_SPACE).search(spaces) is None


def test_linear_refuses_what_would_need_backtracking():
    for pattern in (r"(a)\1", r"(?<=a)b", r"a(?!b)"):
        with pytest.raises(re2.error):
            linear(pattern)


@pytest.mark.timeout(TIMEOUT, func_only=True)
def test_redaction_diff_stays_exact_for_a_small_edit_in_a_long_story():
    old = _fill("we talked ", "", " and Anne said so. The end")
    new = old.replace("Anne", "[name]")
    left, right = highlight.side_by_side(old, new)
    assert "<del>Anne</del>" in left and "<ins>[name]</ins>" in right
    assert left.count("<del>") == 1 and right.count("<ins>") == 1
