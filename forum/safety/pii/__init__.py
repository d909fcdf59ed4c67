"""The de-identification check: things in a story that might identify the teller or others.

`find_identifiers(text)` points out emails (also written out, "sam at gmail dot com"), phone
numbers, links, handles, names of people, places and organisations, street addresses, ages,
national identifiers with a valid checksum, exact dates and UK postcodes (PRODUCT.md,
publishing flow; UX.md, "PII check"). It is a prompt for the teller, never a block: the
teller edits or posts anyway, and moderators de-identify what slips through. So it leans
towards pointing things out, but avoids noise on ordinary sentences ("In March 2021 I started
therapy" yields nothing), because a check that cries wolf gets skipped. Coarse dates (a year,
a month and year, a weekday) are "ranked low": found only with `include_low=True`, marked
`Finding.low`, shown to the teller apart and quietly, and never a reason for the check page.

`find_in_fields` and `use_suggestion(s)` serve the check step and the redaction form: each
finding in a named field with its words around it and a general word to use instead, applied
only when the person clicks, and only while the same finding is still there.

Every pattern runs on RE2 (linear time whatever the input), and the word lists are loaded
once per process from forum/data (see forum/data/README.md for their sources and licences).
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.safety.pii._kinds import (
    EXPLANATIONS,
    LABELS,
    LOW_EXPLANATION,
    SUGGESTIONS,
    Finding,
    Kind,
)
from forum.safety.pii._patterns import low_candidates, pattern_candidates
from forum.safety.pii._suggest import Suggestion, suggest
from forum.safety.pii._suggest import apply as _apply
from forum.safety.pii._words import lexicon, ordinary, word_candidates

# When two candidates start at the same place and are equally long, the more specific wins.
_PRIORITY = {kind: rank for rank, kind in enumerate(Kind)}


def load_word_lists() -> None:
    """Read the shipped word lists now rather than on first use: called before a server forks
    its workers (gunicorn.conf.py), so they share one copy instead of each reading its own
    (about 13 MiB and a quarter of a second of CPU per process)."""
    lexicon()


def find_identifiers(text: str, include_low: bool = False) -> list[Finding]:
    """Possible identifiers in text, sorted by position and never overlapping.

    With include_low, coarse dates ("in 1991", "March 2021", "on Sunday") come too, marked
    `low`, wherever nothing else was found.
    """
    if not text:
        return []
    # Text pasted from code or an export can carry escaped line breaks ("\\n"); read them as
    # breaks, keeping every offset (two characters become two), so "\\nLeeds" is a word.
    plain = text.replace("\\r\\n", "\n   ").replace("\\n", "\n ").replace("\\t", "\t ")
    found = pattern_candidates(plain, ordinary)
    found += word_candidates(plain, found)
    candidates = sorted(found, key=lambda c: (c[1], -(c[2] - c[1]), _PRIORITY[c[0]]))
    findings: list[Finding] = []
    last_end = -1
    for kind, start, end in candidates:
        if start < last_end:
            continue
        findings.append(Finding(kind, start, end, text[start:end], EXPLANATIONS[kind]))
        last_end = end
    if include_low:
        findings = _with_low(text, plain, findings)
    return findings


def _with_low(text: str, plain: str, findings: list[Finding]) -> list[Finding]:
    """findings with the coarse dates that overlap none of them, ranked low, by position."""
    taken = [(f.start, f.end) for f in findings]
    low: list[Finding] = []
    for kind, start, end in sorted(low_candidates(plain), key=lambda c: (c[1], -c[2])):
        clash = any(start < e and s < end for s, e in taken)
        if not clash:
            low.append(Finding(kind, start, end, text[start:end], LOW_EXPLANATION, low=True))
            taken.append((start, end))
    return sorted([*findings, *low], key=lambda f: f.start)


def suggestion(finding: Finding) -> str:
    """The kind's general phrase (see suggest() for one that reads the words around it)."""
    return SUGGESTIONS[finding.kind]


@dataclass(frozen=True)
class FieldFinding:
    """A finding in one named field of a form, with its words around it and a suggestion."""

    field: str
    finding: Finding
    before: str  # the words just before it on the same line ("…" when cut short)
    after: str
    suggestion: Suggestion

    @property
    def token(self) -> str:
        """What a suggestion button sends back: field, offsets and kind."""
        f = self.finding
        return f"{self.field}:{f.start}:{f.end}:{f.kind.value}"


def _before(text: str, start: int, context: int) -> str:
    """Up to `context` characters before start, on the same line, from a whole word."""
    head = text[max(0, start - context) : start]
    if "\n" in head:
        return head.rsplit("\n", 1)[1].lstrip()
    if start - context > 0:
        head = "…" + (head.split(" ", 1)[1] if " " in head else head)
    return head


def _after(text: str, end: int, context: int) -> str:
    """Up to `context` characters after end, on the same line, to a whole word."""
    tail = text[end : end + context]
    if "\n" in tail:
        return tail.split("\n", 1)[0].rstrip()
    if end + context < len(text):
        tail = (tail.rsplit(" ", 1)[0] if " " in tail else tail) + "…"
    return tail


def find_in_fields(
    fields: dict[str, str], context: int = 50, include_low: bool = False
) -> list[FieldFinding]:
    """Findings in every field, each with up to `context` characters either side."""
    out = []
    for name, text in fields.items():
        for f in find_identifiers(text or "", include_low=include_low):
            before, after = _before(text, f.start, context), _after(text, f.end, context)
            out.append(FieldFinding(name, f, before, after, suggest(text, f)))
    return out


@dataclass(frozen=True)
class Change:
    """A suggestion applied to one field: its new text, and the words it replaced."""

    field: str
    text: str
    was: str
    now: str  # "" when the name was left out


def _parse(token: str, fields: dict[str, str]) -> tuple[str, int, int, str] | None:
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 4 or parts[0] not in fields or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return parts[0], int(parts[1]), int(parts[2]), parts[3]


def use_suggestion(fields: dict[str, str], token: str) -> Change | None:
    """The change a suggestion button's token asks for; None when it no longer applies."""
    parsed = _parse(token, fields)
    if parsed is None:
        return None
    name, start, end, kind = parsed
    text = fields[name] or ""
    found = find_identifiers(text, include_low=True)
    new = _apply(text, start, end, kind, found)
    if new is None:
        return None
    finding = next(f for f in found if (f.start, f.end) == (start, end))
    return Change(name, new, text[start:end], suggest(text, finding).replacement)


def use_suggestions(fields: dict[str, str], tokens: list[str]) -> tuple[dict[str, str], int]:
    """Fields with every chosen suggestion applied, and how many no longer applied.

    Within a field the changes run from the end backwards, so each one leaves the offsets of
    those before it as they were.
    """
    out = dict(fields)
    parsed = {p for p in (_parse(t, fields) for t in dict.fromkeys(tokens)) if p is not None}
    missed = len(set(tokens)) - len(parsed)
    for name, start, end, kind in sorted(parsed, key=lambda p: (p[0], -p[1])):
        change = use_suggestion(out, f"{name}:{start}:{end}:{kind}")
        if change is None:
            missed += 1
        else:
            out[name] = change.text
    return out, missed


__all__ = [
    "EXPLANATIONS",
    "LABELS",
    "LOW_EXPLANATION",
    "SUGGESTIONS",
    "Change",
    "FieldFinding",
    "Finding",
    "Kind",
    "Suggestion",
    "find_identifiers",
    "find_in_fields",
    "suggest",
    "suggestion",
    "use_suggestion",
    "use_suggestions",
]
