"""The de-identification check: things in a story that might identify the teller or others.

`find_identifiers(text)` points out emails (also written out, "sam at gmail dot com"), phone
numbers, links, handles, names of people, places and organisations, street addresses, ages,
national identifiers with a valid checksum, exact dates and UK postcodes (PRODUCT.md,
publishing flow; UX.md, "PII check"). It is a prompt for the teller, never a block: the
teller edits or posts anyway, and moderators de-identify what slips through. So it leans
towards pointing things out, but avoids noise on ordinary sentences ("In March 2021 I started
therapy" yields nothing), because a check that cries wolf gets skipped.

Every pattern runs on RE2 (linear time whatever the input), and the word lists are loaded
once per process from forum/data (see forum/data/README.md for their sources and licences).
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.safety.pii._kinds import EXPLANATIONS, SUGGESTIONS, Finding, Kind
from forum.safety.pii._patterns import pattern_candidates
from forum.safety.pii._suggest import Suggestion, suggest
from forum.safety.pii._suggest import apply as _apply
from forum.safety.pii._words import ordinary, word_candidates

# When two candidates start at the same place and are equally long, the more specific wins.
_PRIORITY = {kind: rank for rank, kind in enumerate(Kind)}


def find_identifiers(text: str) -> list[Finding]:
    """Possible identifiers in text, sorted by position and never overlapping."""
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
    return findings


def suggestion(finding: Finding) -> str:
    """The kind's general phrase (see suggest() for one that reads the words around it)."""
    return SUGGESTIONS[finding.kind]


@dataclass(frozen=True)
class FieldFinding:
    """A finding in one named field of a form, with its words around it and a suggestion."""

    field: str
    finding: Finding
    before: str
    after: str
    suggestion: Suggestion

    @property
    def token(self) -> str:
        """What a suggestion button sends back: field, offsets and kind."""
        f = self.finding
        return f"{self.field}:{f.start}:{f.end}:{f.kind.value}"


def find_in_fields(fields: dict[str, str], context: int = 50) -> list[FieldFinding]:
    """Findings in every field, each with up to `context` characters either side."""
    out = []
    for name, text in fields.items():
        for f in find_identifiers(text or ""):
            before = text[max(0, f.start - context) : f.start]
            after = text[f.end : f.end + context]
            out.append(FieldFinding(name, f, before, after, suggest(text, f)))
    return out


def use_suggestion(fields: dict[str, str], token: str) -> tuple[str, str] | None:
    """(field, new text) for a suggestion button's token; None when it no longer applies."""
    parts = token.split(":")
    if len(parts) != 4 or parts[0] not in fields or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    name, start, end, kind = parts[0], int(parts[1]), int(parts[2]), parts[3]
    text = fields[name] or ""
    new = _apply(text, start, end, kind, find_identifiers(text))
    return None if new is None else (name, new)


__all__ = [
    "EXPLANATIONS",
    "SUGGESTIONS",
    "FieldFinding",
    "Finding",
    "Kind",
    "Suggestion",
    "find_identifiers",
    "find_in_fields",
    "suggest",
    "suggestion",
    "use_suggestion",
]
