"""The admins' list of watched words: add and remove (matching is in forum/governance)."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid, NotFound
from forum.governance.audit import audit
from forum.governance.models import WatchedAction, WatchedWord
from forum.governance.permissions import require_admin
from forum.governance.watched_words import word_key
from forum.safety.sanitize import clean_text


def add_word(
    admin: User, word: str, action: WatchedAction | str, replacement: str = ""
) -> WatchedWord:
    """Watch for a word or phrase; its folded form must be new."""
    require_admin(admin)
    word = clean_text(word if isinstance(word, str) else "", single_line=True)
    key = word_key(word)
    if not 2 <= len(key) <= 100 or len(word) > 100:
        raise Invalid("Enter a word or phrase of 2 to 100 letters", field="word")
    try:
        action = WatchedAction(action)
    except ValueError:
        raise Invalid("Choose what happens", field="action") from None
    replacement = clean_text(replacement or "", single_line=True)
    if action is WatchedAction.REPLACE and not replacement:
        raise Invalid("Enter the words to put in its place", field="replacement")
    if len(replacement) > 100:
        raise Invalid("Replacement must be 100 characters or fewer", field="replacement")
    if db.session.scalar(select(WatchedWord.id).where(WatchedWord.key == key)) is not None:
        raise Invalid("That word is already watched", field="word")
    watched = WatchedWord(
        word=word,
        key=key,
        action=action,
        replacement=replacement if action is WatchedAction.REPLACE else "",
    )
    db.session.add(watched)
    audit(admin, "watch_word", watched, f"{action.value}: {word}", public=False)
    db.session.commit()
    return watched


def remove_word(admin: User, word_id: int) -> None:
    """Stop watching a word."""
    require_admin(admin)
    watched = db.session.get(WatchedWord, word_id) if isinstance(word_id, int) else None
    if watched is None:
        raise NotFound("That word is not watched.")
    audit(admin, "unwatch_word", watched, f"{watched.action.value}: {watched.word}", public=False)
    db.session.delete(watched)
    db.session.commit()
