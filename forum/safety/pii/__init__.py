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

from forum.safety.pii._kinds import EXPLANATIONS, SUGGESTIONS, Finding, Kind
from forum.safety.pii._patterns import pattern_candidates
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
    """A general phrase the teller could use instead of what was found."""
    return SUGGESTIONS[finding.kind]


__all__ = ["EXPLANATIONS", "SUGGESTIONS", "Finding", "Kind", "find_identifiers", "suggestion"]
