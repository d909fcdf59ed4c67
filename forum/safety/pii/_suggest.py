"""General words to offer instead of a finding, and applying one the teller chose.

Nothing here changes a text on its own: the check step shows each suggestion as a button, and
only the teller's click applies it (UX.md, "PII check"). A suggestion names its finding by
field, offsets and kind, and is applied only when the same finding is still there, so a stale
or forged click changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

from forum.safety.pii._kinds import SUGGESTIONS, Finding, Kind

_DECADES = {
    1: "in my teens",
    2: "in my twenties",
    3: "in my thirties",
    4: "in my forties",
    5: "in my fifties",
    6: "in my sixties",
    7: "in my seventies",
    8: "in my eighties",
    9: "in my nineties",
}
_ORG_WORDS = {
    "school": "a school",
    "academy": "a school",
    "college": "a college",
    "university": "a university",
    "hospital": "a hospital",
    "church": "a church",
    "chapel": "a church",
    "charity": "a charity",
    "foundation": "a charity",
    "trust": "a local service",
    "bank": "a bank",
}
# Before a name, these words already say who the person is ("my sister Jane"): the name can go.
_SAYS_WHO = re2.compile(
    r"(?i)\b(?:sister|brother|mum|mom|mother|dad|father|son|daughter|husband|wife|partner|"
    r"friend|boyfriend|girlfriend|aunt|uncle|cousin|gran|grandma|grandad|boss|manager|"
    r"colleague|teacher|therapist|counsell?or|psychologist|psychiatrist|psychotherapist|"
    r"doctor|nurse|coach|GP|worker)\s*,?\s*$"
)
_NUMBER_WORDS = {
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


@dataclass(frozen=True)
class Suggestion:
    """A general phrase for one finding; an empty phrase means "leave the name out"."""

    finding: Finding
    replacement: str
    label: str


def _age(text: str) -> int | None:
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        return int(digits)
    first = text.lower().replace("-", " ").split()[0] if text.strip() else ""
    return _NUMBER_WORDS.get(first)


def suggest(text: str, finding: Finding) -> Suggestion:
    """The general phrase to offer for a finding in text."""
    before = text[max(0, finding.start - 40) : finding.start]
    phrase = SUGGESTIONS[finding.kind]
    if finding.kind in (Kind.NAME, Kind.THERAPIST_NAME, Kind.TITLED_NAME) and _SAYS_WHO.search(
        before
    ):
        return Suggestion(finding, "", "Leave the name out")
    if finding.low:
        weekday = finding.text.endswith("day")
        phrase = "that day" if weekday else "that year" if finding.text.isdigit() else "around then"
    elif finding.kind is Kind.AGE:
        age = _age(finding.text)
        if "year" in finding.text.lower() or finding.text.lower().endswith(("yo", "y/o")):
            phrase = "a teenager" if age and 13 <= age <= 19 else "someone that age"
            phrase = "a child" if age and age < 13 else phrase
        elif age and age < 13:
            phrase = "a child"
        elif age and age // 10 in _DECADES:
            phrase = _DECADES[age // 10]
    elif finding.kind is Kind.ORGANISATION:
        last = finding.text.lower().split()[-1].strip(".")
        phrase = _ORG_WORDS.get(last, "a large employer" if _works_at(before) else phrase)
    # "a 15-year-old" -> "a teenager", not "a a teenager".
    if phrase.startswith(("a ", "an ")) and before.lower().endswith((" a ", " an ")):
        phrase = phrase.split(" ", 1)[1]
    return Suggestion(finding, phrase, f"Use “{phrase}” instead")


def _works_at(before: str) -> bool:
    return bool(re2.search(r"(?i)\b(?:work(?:s|ed|ing)?|job|employed)\s+(?:at|for|by)\s+$", before))


def apply(text: str, start: int, end: int, kind: str, findings: list[Finding]) -> str | None:
    """text with the chosen finding replaced by its suggestion; None if it is no longer there."""
    finding = next(
        (f for f in findings if f.start == start and f.end == end and f.kind.value == kind), None
    )
    if finding is None:
        return None
    replacement = suggest(text, finding).replacement
    if replacement:
        return text[:start] + replacement + text[end:]
    # Leaving a name out: take the space (and a comma pair) that went with it.
    head, tail = text[:start], text[end:]
    if head.endswith(", ") and tail.startswith(","):
        return head[:-2] + tail[1:]
    return head.rstrip(" ") + tail if head.endswith(" ") else head + tail.lstrip(" ")
