"""Showing moderators why an item is here: matches marked in context, and edits side by side.

User text is never marked safe as it stands: each segment is escaped on its own and only the
`<mark>`, `<del>` and `<ins>` tags written here are trusted (the moderation queue is the
highest-value XSS sink, SECURITY.md §2).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from forum.governance.models import WatchedWord
from forum.governance.watched_words import find_matches
from forum.safety import crisis, pii


@dataclass(frozen=True)
class Span:
    """A stretch of text worth a moderator's eye, and why."""

    start: int
    end: int
    label: str
    kind: str  # "crisis", "identifier" or "watched"


def _kind(finding: pii.Finding) -> str:
    return finding.kind.value.replace("_", " ")


def find_spans(text: str, words: list[WatchedWord]) -> list[Span]:
    """Crisis language, possible identifiers and watched words, by position, not overlapping."""
    found = [
        Span(m.start, m.end, f"Crisis language: {m.label}", "crisis")
        for m in crisis.mentions_crisis(text)
    ]
    found += [
        Span(f.start, f.end, f"Could identify someone: {_kind(f)}", "identifier")
        for f in pii.find_identifiers(text)
    ]
    found += [
        Span(m.start, m.end, f"Watched word ({m.action.value}): {m.word}", "watched")
        for m in find_matches(text, words)
    ]
    order = {"crisis": 0, "watched": 1, "identifier": 2}
    found.sort(key=lambda s: (s.start, order[s.kind], -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _mark(text: str, span: Span) -> Markup:
    # The kind is said in words for screen readers, and shown by colour and underline style.
    return Markup(
        '<mark class="mark--{}" title="{}">{}<span class="visually-hidden"> ({})</span></mark>'
    ).format(span.kind, span.label, text[span.start : span.end], span.label)


def _plain(segment: str) -> Markup:
    """A piece of user text, escaped, with its line breaks kept."""
    return escape(segment).replace("\n", Markup("<br>\n"))


def marked(text: str, spans: list[Span]) -> Markup:
    """The whole text, escaped, with each span wrapped in <mark> and line breaks kept."""
    out: list[Markup] = []
    last = 0
    for span in spans:
        out.append(_plain(text[last : span.start]))
        out.append(_mark(text, span))
        last = span.end
    out.append(_plain(text[last:]))
    return Markup("").join(out)


def excerpts(text: str, spans: list[Span], context: int = 60, limit: int = 6) -> list[Markup]:
    """Short windows of text around the spans (merged when close), each escaped and marked."""
    windows: list[list] = []
    for span in spans:
        start, end = max(0, span.start - context), min(len(text), span.end + context)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
            windows[-1][2].append(span)
        else:
            windows.append([start, end, [span]])
    result = []
    for start, end, inside in windows[:limit]:
        shifted = [Span(s.start - start, s.end - start, s.label, s.kind) for s in inside]
        body = marked(text[start:end], shifted)
        result.append(
            Markup("{}{}{}").format("… " if start else "", body, " …" if end < len(text) else "")
        )
    return result


_TOKENS = re.compile(r"\s+|[^\s]+")


# difflib compares every pair of tokens and recurses once per matching block, so on hostile text
# it is cubic (1,000 tokens of "a " against "b " took 20 s). It runs only on what lies between
# the common start and end, and only when that part is small; a larger part is shown whole.
_DIFF_BUDGET = 40_000  # token pairs: at most about 0.2 s on a busy machine


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning a into b, in time bounded whatever the texts."""
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a_end, b_end = len(a) - tail, len(b) - tail
    ops = [("equal", 0, head, 0, head)] if head else []
    if (a_end - head) * (b_end - head) <= _DIFF_BUDGET:
        matcher = difflib.SequenceMatcher(None, a[head:a_end], b[head:b_end], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            ops.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    else:
        ops.append(("replace", head, a_end, head, b_end))
    if tail:
        ops.append(("equal", a_end, len(a), b_end, len(b)))
    return ops


def side_by_side(old: str, new: str) -> tuple[Markup, Markup]:
    """Old and new text, escaped, with removed words in <del> and added words in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[Markup] = []
    right: list[Markup] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        if removed:
            left.append(Markup("<del>{}</del>").format(removed))
        if added:
            right.append(Markup("<ins>{}</ins>").format(added))
    return Markup("").join(left), Markup("").join(right)
