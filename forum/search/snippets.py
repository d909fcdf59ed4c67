"""A short piece of a story around the words a reader searched for, those words marked.

Built here from plain text, never from the story's HTML: each piece of text is escaped and
only the `<mark>` elements added by this code are markup. Matching is linear (RE2) and reads
at most SOURCE_LIMIT characters of a story.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from forum.safety.patterns import escape as escape_pattern
from forum.safety.patterns import linear

LENGTH = 220
LEAD = 60  # characters of context before the first marked word
SOURCE_LIMIT = 20_000
# Endings taken off before comparing, so "ignored" marks "ignore" and "ignoring" (a rough
# stand-in for the engines' stemmers; marking is a help to the eye, the engine decides).
_ENDINGS = ("ing", "ed", "es", "ly", "er", "s", "e")


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _words_pattern(words: frozenset[str]):
    """Any word starting with one of the stems (search words are letters and digits only)."""
    stems = "|".join(sorted(escape_pattern(_stem(w)) for w in words))
    return linear(rf"(?:^|[^\pL\pN])((?:{stems})[\pL\pN]*)", ignore_case=True)


def snippet(text: str, words: frozenset[str]) -> Markup:
    """About LENGTH characters of text, starting a little before the first searched word,
    with every searched word in it marked; the start of the text if none is in it."""
    text = text[:SOURCE_LIMIT]
    found = [m.span(1) for m in _words_pattern(words).finditer(text)] if words else []
    start = 0
    if found and found[0][0] > LEAD:
        start = text.rfind(" ", 0, found[0][0] - LEAD) + 1
    end = start + LENGTH
    if end < len(text):
        end = max(text.rfind(" ", start, end), found[0][1] if found else start + 1)
    pieces = [Markup("…") if start else Markup("")]
    position = start
    for first, last in found:
        if first < start or last > end:
            continue
        pieces += [escape(text[position:first]), Markup("<mark>"), escape(text[first:last])]
        pieces.append(Markup("</mark>"))
        position = last
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append(Markup("…"))
    return Markup("").join(pieces)
