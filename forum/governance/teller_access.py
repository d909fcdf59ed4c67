"""The teller's access list: the stories a browser sent or opened with a status code.

The cookie holds only a random handle; the rows it opens live here, keyed by the handle's
SHA-256 hash (like every other token, forum/safety/tokens.py), so nobody reading the database
can act as the browser. Deleting the rows ("forget", the quick exit, signing out) revokes
every copy of the cookie at once. Each grant also gives the browser a new handle, so a handle
planted in someone's browser, or copied before, never learns of a story opened later.

The status code of a story just sent waits on its row for /share/sent to show it once,
one-time-padded with a key that only the cookie holds: neither the database nor the cookie
alone can tell it, and once shown (or forgotten, or past SENT_CODE_MINUTES) it is gone.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Model, UTCDateTime, db, utcnow
from forum.governance.identity import refresh_identity
from forum.governance.session_keys import SHARE_SENT, TELLER_HANDLE
from forum.safety.tokens import new_token, token_hash

MAX_STORIES = 50  # per browser, newest kept; more than any teller sends
_HANDLE_LENGTHS = range(40, 65)  # new_token() makes 43 characters


class TellerAccess(Model):
    """One story one browser may act on, until it forgets, exits or signs out."""

    __tablename__ = "teller_access"
    __table_args__ = (UniqueConstraint("handle_hash", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The status code just sent, XOR a one-time key kept in the cookie (hex), until shown once.
    sent_code: Mapped[str | None] = mapped_column(String(200), default=None)


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["TELLER_ACCESS_DAYS"])


def stories_for(handle: str | None, now: datetime | None = None) -> frozenset[int]:
    """The ids of the stories a handle opens (unexpired, at most MAX_STORIES); one query."""
    if handle is None:
        return frozenset()
    rows = db.session.scalars(
        select(TellerAccess.story_id)
        .where(
            TellerAccess.handle_hash == token_hash(handle),
            TellerAccess.granted_at >= _cutoff(now or utcnow()),
        )
        .order_by(TellerAccess.granted_at.desc(), TellerAccess.id.desc())
        .limit(MAX_STORIES)
    )
    return frozenset(rows)


def grant(handle: str | None, story_id: int) -> str:
    """Add a story to a browser's list under a new handle, which is returned for the cookie.

    The old handle's rows move to the new one, so the old handle opens nothing from now on.
    """
    new = new_token()
    new_hash = token_hash(new)
    if handle is not None:
        old_hash = token_hash(handle)
        db.session.execute(
            delete(TellerAccess).where(
                TellerAccess.handle_hash == old_hash, TellerAccess.story_id == story_id
            )
        )
        db.session.execute(
            update(TellerAccess)
            .where(TellerAccess.handle_hash == old_hash)
            .values(handle_hash=new_hash)
        )
    db.session.add(TellerAccess(handle_hash=new_hash, story_id=story_id))
    db.session.flush()
    newest = (
        select(TellerAccess.id)
        .where(TellerAccess.handle_hash == new_hash)
        .order_by(TellerAccess.granted_at.desc(), TellerAccess.id.desc())
        .limit(MAX_STORIES)
    )
    db.session.execute(
        delete(TellerAccess).where(
            TellerAccess.handle_hash == new_hash, TellerAccess.id.not_in(newest)
        )
    )
    db.session.commit()
    return new


def revoke(handle: str | None, story_id: int | None = None) -> None:
    """Take one story, or every story, off a browser's list, for every copy of its cookie."""
    if handle is None:
        return
    statement = delete(TellerAccess).where(TellerAccess.handle_hash == token_hash(handle))
    if story_id is not None:
        statement = statement.where(TellerAccess.story_id == story_id)
    db.session.execute(statement)
    db.session.commit()


def keep_sent_code(handle: str, story_id: int, code: str) -> str:
    """Keep a just-sent story's status code for one showing; returns the key for the cookie."""
    plain = code.encode("utf-8")
    key = secrets.token_bytes(len(plain))
    db.session.execute(
        update(TellerAccess)
        .where(TellerAccess.handle_hash == token_hash(handle), TellerAccess.story_id == story_id)
        .values(sent_code=bytes(a ^ b for a, b in zip(plain, key, strict=True)).hex())
    )
    db.session.commit()
    return key.hex()


def take_sent_code(handle: str | None, story_id: object, key: object) -> str | None:
    """The kept status code, shown once: it is cleared as it is read. None if gone or odd."""
    if handle is None or not isinstance(story_id, int) or not isinstance(key, str):
        return None
    row = db.session.scalar(
        select(TellerAccess).where(
            TellerAccess.handle_hash == token_hash(handle),
            TellerAccess.story_id == story_id,
            TellerAccess.sent_code.is_not(None),
        )
    )
    if row is None:
        return None
    cipher, fresh = row.sent_code, row.granted_at >= utcnow() - _sent_code_window()
    row.sent_code = None
    db.session.commit()
    try:
        pad, sealed = bytes.fromhex(key), bytes.fromhex(cipher or "")
    except ValueError:
        return None
    if len(pad) != len(sealed) or not fresh:
        return None
    return bytes(a ^ b for a, b in zip(sealed, pad, strict=True)).decode("utf-8", "replace")


def _sent_code_window() -> timedelta:
    return timedelta(minutes=current_app.config["SENT_CODE_MINUTES"])


def purge_expired(now: datetime) -> int:
    """Delete access older than TELLER_ACCESS_DAYS and clear status codes nobody came back
    for within SENT_CODE_MINUTES (the caller commits); how many rows went."""
    db.session.execute(
        update(TellerAccess)
        .where(
            TellerAccess.sent_code.is_not(None), TellerAccess.granted_at < now - _sent_code_window()
        )
        .values(sent_code=None)
    )
    result = db.session.execute(delete(TellerAccess).where(TellerAccess.granted_at < _cutoff(now)))
    return result.rowcount or 0  # type: ignore[attr-defined]


# --- This browser: the handle in the session cookie -------------------------------------------


def browser_handle() -> str | None:
    """This browser's handle, if its cookie carries one of the right shape."""
    raw = session.get(TELLER_HANDLE)
    return raw if isinstance(raw, str) and len(raw) in _HANDLE_LENGTHS else None


def granted_here() -> frozenset[int]:
    """The stories this browser may act on; no query when it holds no handle."""
    return stories_for(browser_handle())


def grant_here(story_id: int) -> None:
    """Let this browser act on a story from now on; its cookie gets the new handle."""
    session[TELLER_HANDLE] = grant(browser_handle(), story_id)
    refresh_identity()


def keep_sent_code_here(story_id: int, code: str | None) -> None:
    """Note the story this browser just sent, with its code if it has one (an account's story
    has none), for /share/sent to show once; after grant_here."""
    handle = browser_handle()
    shown: dict = {"story_id": story_id}
    if code is not None and handle is not None:
        shown["key"] = keep_sent_code(handle, story_id, code)
    session[SHARE_SENT] = shown


def take_sent_code_here() -> tuple[bool, str | None]:
    """Whether this browser just sent a story, and its status code if it can still be shown."""
    shown = session.pop(SHARE_SENT, None)
    if not isinstance(shown, dict):
        return False, None
    return True, take_sent_code(browser_handle(), shown.get("story_id"), shown.get("key"))


def forget_here(story_id: int | None = None) -> None:
    """Forget one story, or all of them, in this browser and every copy of its cookie."""
    revoke(browser_handle(), story_id)
    if story_id is None:
        session.pop(TELLER_HANDLE, None)
    refresh_identity()
