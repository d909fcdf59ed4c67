"""The reader's own choices, kept in their session cookie only (no account needed): hidden
harm tags, muted content notes and muted words. Read back only in the shape they were kept.
"""

from __future__ import annotations

from flask import session

from forum.governance.session_keys import HIDDEN_TAGS, MUTED_NOTES, MUTED_WORDS
from forum.stories.content import CONTENT_NOTES
from forum.taxonomy.services import SLUG_PATTERN

MAX_HIDDEN_TAGS = 40  # more than any reader would tick; the rest are ignored
MAX_MUTED_WORDS = 20
MUTED_WORD_LENGTH = 40


def hidden_tags(raw: object) -> tuple[str, ...]:
    """The hidden-tag slugs kept in the session, if they have the right shape."""
    if not isinstance(raw, list | tuple):
        return ()
    slugs = [s for s in raw if isinstance(s, str) and len(s) <= 40 and SLUG_PATTERN.match(s)]
    return tuple(dict.fromkeys(slugs))[:MAX_HIDDEN_TAGS]


def reader_hidden_tags() -> tuple[str, ...]:
    """The tags this reader chose to hide, kept in their session only (no account needed)."""
    return hidden_tags(session.get(HIDDEN_TAGS))


def muted_notes(raw: object) -> tuple[str, ...]:
    """The muted content-note slugs kept in the session, if known."""
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(n for n in CONTENT_NOTES if n in raw)


def muted_words(raw: object) -> tuple[str, ...]:
    """Muted words from the session or a form (one a line, or commas): trimmed, bounded."""
    if isinstance(raw, str):
        raw = raw.replace(",", "\n").splitlines()
    if not isinstance(raw, list | tuple):
        return ()
    words = [" ".join(w.split()).lower() for w in raw if isinstance(w, str)]
    kept = [w for w in words if 0 < len(w) <= MUTED_WORD_LENGTH]
    return tuple(dict.fromkeys(kept))[:MAX_MUTED_WORDS]


def reader_mutes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The content notes and words this reader muted, kept in their session only."""
    return muted_notes(session.get(MUTED_NOTES)), muted_words(session.get(MUTED_WORDS))


def keep_reader_choices(hidden: list[str], notes: list[str], words: list[str]) -> None:
    """Remember what this reader hides, in their session only."""
    session[HIDDEN_TAGS], session[MUTED_NOTES], session[MUTED_WORDS] = hidden, notes, words
