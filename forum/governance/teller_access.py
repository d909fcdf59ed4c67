"""The teller's access list: the stories a browser sent or opened with a status code.

The cookie holds only a random handle; the rows it opens live here, keyed by the handle's
SHA-256 hash (like every other token, forum/safety/tokens.py), so nobody reading the database
can act as the browser. Deleting the rows ("forget", the quick exit, signing out) revokes
every copy of the cookie at once. Each grant also gives the browser a new handle, so a handle
planted in someone's browser, or copied before, never learns of a story opened later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import UTCDateTime, db, utcnow
from forum.governance.identity import refresh_identity
from forum.governance.session_keys import TELLER_HANDLE
from forum.safety.tokens import new_token, token_hash

MAX_STORIES = 50  # per browser, newest kept; more than any teller sends
_HANDLE_LENGTHS = range(40, 65)  # new_token() makes 43 characters


class TellerAccess(db.Model):
    """One story one browser may act on, until it forgets, exits or signs out."""

    __tablename__ = "teller_access"
    __table_args__ = (UniqueConstraint("handle_hash", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


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


def purge_expired(now: datetime) -> int:
    """Delete access older than TELLER_ACCESS_DAYS (the caller commits); how many went."""
    result = db.session.execute(delete(TellerAccess).where(TellerAccess.granted_at < _cutoff(now)))
    return result.rowcount or 0


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


def forget_here(story_id: int | None = None) -> None:
    """Forget one story, or all of them, in this browser and every copy of its cookie."""
    revoke(browser_handle(), story_id)
    if story_id is None:
        session.pop(TELLER_HANDLE, None)
    refresh_identity()
