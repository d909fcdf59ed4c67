"""Watched-word matching, as in Discourse: block, require approval, flag or replace.

Stories, replies and handles are checked here; admins keep the list in
forum/moderation/watched_words.py.

Matching survives case, accents (NFKD), spacing and simple letter substitutions (0→o,
1→i or l, 3→e, 4→a, 5→s, 7→t, @→a, $→s): both the text and the watched word are folded to a
"skeleton" of letters, each kept with its position in the original text, so a match can be
highlighted or replaced where it stands. A match must start and end on word boundaries, so
"ass" does not fire inside "class" (the Scunthorpe problem).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select

from forum.db import db
from forum.errors import Invalid
from forum.governance.models import WatchedAction, WatchedWord
from forum.safety.patterns import LinearPattern, escape, linear

# Each symbol stands for the letters it is commonly used for.
SUBSTITUTES = {
    "0": "o",
    "1": "il",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "il",
    "+": "t",
}
BLOCKED_MESSAGE = (
    "Some of the words in this can't be posted on Heard. Everything you wrote is still here: "
    "change the highlighted words, then send it again"
)
# Strongest first: the outcome's action is the strongest action that matched.
STRENGTH = [
    WatchedAction.BLOCK,
    WatchedAction.REQUIRE_APPROVAL,
    WatchedAction.FLAG,
    WatchedAction.REPLACE,
]


def _fold_char(ch: str) -> str:
    """A character as matching sees it: accents and case gone, compatibility forms unified."""
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _keeps(ch: str) -> bool:
    return ch.isalnum() or ch in SUBSTITUTES


def skeleton(text: str) -> tuple[str, list[int]]:
    """The folded letters of text, and for each the index of its character in text."""
    letters: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text):
        for folded in _fold_char(ch):
            if _keeps(folded):
                letters.append(folded)
                positions.append(index)
    return "".join(letters), positions


def word_key(word: str) -> str:
    """A watched word as stored for uniqueness: its skeleton with symbols read as letters."""
    letters, _ = skeleton(word)
    return "".join(SUBSTITUTES.get(ch, ch)[0] for ch in letters)


@cache
def _pattern(key: str) -> LinearPattern:
    """A regex over skeletons: each letter also matches the symbols that stand for it.

    RE2 (forum.safety.patterns) keeps a scan linear in the text whatever the key: with Python's
    re, a long key of repeated letters ("aaaa…b") re-reads up to len(key) letters at every
    position of a long run of "a"s.
    """
    parts = []
    for letter in key:
        symbols = [s for s, letters in SUBSTITUTES.items() if letter in letters]
        parts.append("[" + escape(letter + "".join(symbols)) + "]")
    return linear("".join(parts))


def _is_boundary(text: str, index: int) -> bool:
    """Whether text[index] is no letter or digit (or index is outside the text).

    Symbols count as boundaries here even though they can stand for letters inside a match:
    "idiot!" must still match "idiot".
    """
    if index < 0 or index >= len(text):
        return True
    return not (_fold_char(text[index])[:1] or " ").isalnum()


@dataclass(frozen=True)
class WatchedMatch:
    """One watched word found in a text: where it stands in the original, and what to do."""

    word: str
    action: WatchedAction
    start: int
    end: int
    replacement: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the watched words make of a text: the text to store and what must happen."""

    text: str
    matches: list[WatchedMatch] = field(default_factory=list)

    @property
    def action(self) -> WatchedAction | None:
        """The strongest action among the matches, or None."""
        found = {m.action for m in self.matches}
        return next((a for a in STRENGTH if a in found), None)

    @property
    def blocked(self) -> bool:
        """The text cannot be sent (the writer keeps it and changes it)."""
        return self.action is WatchedAction.BLOCK

    @property
    def needs_review(self) -> bool:
        """A moderator must see it before it appears (require approval)."""
        return self.action is WatchedAction.REQUIRE_APPROVAL

    @property
    def flagged(self) -> bool:
        """Moderators should notice it (flag or require approval)."""
        return any(
            m.action in (WatchedAction.FLAG, WatchedAction.REQUIRE_APPROVAL) for m in self.matches
        )


def find_matches(text: str, words: list[WatchedWord] | None = None) -> list[WatchedMatch]:
    """Every watched word in text, by position, never overlapping (longest first)."""
    words = all_words() if words is None else words
    if not text or not words:
        return []
    letters, positions = skeleton(text)
    found: list[WatchedMatch] = []
    for watched in words:
        if not watched.key:
            continue
        for m in _pattern(watched.key).finditer(letters):
            start = positions[m.start()]
            end = positions[m.end() - 1] + 1
            if _is_boundary(text, start - 1) and _is_boundary(text, end):
                found.append(
                    WatchedMatch(watched.word, watched.action, start, end, watched.replacement)
                )
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[WatchedMatch] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


def apply_watched_words(text: str, words: list[WatchedWord] | None = None) -> Outcome:
    """The text with replacements made, and what the other matches ask for.

    The submit services call this on every free-text field: when `blocked`, they raise
    Invalid(BLOCKED_MESSAGE) so the form comes back with the text kept; when `needs_review`,
    the post is pre-moderated whatever the reply policy; when `flagged`, the queue says why.
    """
    matches = find_matches(text, words)
    out, last = [], 0
    for match in matches:
        if match.action is WatchedAction.REPLACE:
            out.append(text[last : match.start])
            out.append(match.replacement)
            last = match.end
    out.append(text[last:])
    return Outcome(text="".join(out), matches=matches)


def check_handle(handle: str) -> None:
    """Refuse a handle with any watched word but a flag (a handle cannot wait for review)."""
    outcome = apply_watched_words(handle)
    if any(m.action is not WatchedAction.FLAG for m in outcome.matches):
        raise Invalid("That handle can't be used on Heard. Choose a different one", field="handle")


def all_words() -> list[WatchedWord]:
    """Every watched word, in one query."""
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.word)))
