"""Sanction checks: whether an account or a client may post, and what a member is told.

A sanction is checked when it is used, never cached: a suspension that has ended or a ban that
has expired stops applying by itself (SECURITY.md §2, deferred actions). Moderators give and lift
sanctions in forum/moderation/sanctions.py; every way of posting calls `check_may_post`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, select

from forum.db import db, utcnow
from forum.errors import NotAllowed
from forum.governance.models import Sanction, SanctionKind

ACCOUNT_CLOSED = "This account cannot post at the moment."
POSTING_PAUSED = (
    "Posting from here has been paused by the moderators. If you need help now, "
    "the crisis lines on our help page are there for you."
)


class Sanctioned(NotAllowed):
    """The account or client is suspended or banned from posting."""


class Poster(Protocol):
    """What a sanction check reads from an account (forum.accounts.models.User has it)."""

    id: int | None
    deleted_at: datetime | None
    banned: bool

    def is_suspended(self, now: datetime | None = None) -> bool: ...


def running_key_ban(client_key: str | None, now: datetime | None = None) -> Sanction | None:
    """The anonymous-posting ban in force on this ban key, if any."""
    if not client_key:
        return None
    now = now or utcnow()
    return db.session.scalar(
        select(Sanction)
        .where(
            Sanction.client_key == client_key,
            Sanction.kind == SanctionKind.BAN,
            Sanction.lifted_at.is_(None),
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        )
        .limit(1)
    )


def check_may_post(
    author: Poster | None, client_key: str | None, now: datetime | None = None
) -> None:
    """Refuse a story, reply, edit or acceptance from a sanctioned account or banned client."""
    if author is not None and (
        author.deleted_at is not None or author.banned or author.is_suspended(now)
    ):
        raise Sanctioned(ACCOUNT_CLOSED)
    if running_key_ban(client_key, now) is not None:
        raise Sanctioned(POSTING_PAUSED)


def has_sanction_record(user_id: int) -> bool:
    """Whether the account was ever warned, suspended or banned (the reply policy asks)."""
    found = db.session.scalar(select(Sanction.id).where(Sanction.user_id == user_id).limit(1))
    return found is not None


def warnings_for(user: Poster, days: int = 90) -> list[Sanction]:
    """The warnings an account received recently, newest first, for the member to read."""
    since = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(Sanction)
            .where(
                Sanction.user_id == user.id,
                Sanction.kind == SanctionKind.WARN,
                Sanction.lifted_at.is_(None),
                Sanction.created_at >= since,
            )
            .order_by(Sanction.created_at.desc())
        )
    )
