"""Reading the audit log: in full for admins, and the public log without names or content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.db import db
from forum.governance.models import AuditEntry
from forum.governance.permissions import require_admin

PAGE_SIZE = 50

# How each public action reads in the public log.
PUBLIC_ACTIONS = {
    "approve": "Approved",
    "reject": "Not published",
    "redact": "Edited to protect privacy (sent to the writer)",
    "accept_redaction": "Published after the writer accepted an edit",
    "hide": "Hidden",
    "auto_hide": "Hidden after reports, pending review",
    "restore": "Restored",
    "dismiss_reports": "Reviewed after reports and kept",
    "lock": "Closed to replies",
    "unlock": "Opened to replies",
    "pin": "Pinned",
    "unpin": "Unpinned",
    "feature": "Featured",
    "unfeature": "No longer featured",
    "adjust_tags": "Tags or content notes changed",
    "suspend": "Account suspended",
    "ban": "Account banned",
    "ban_poster": "Anonymous posting paused",
    "lift": "Sanction lifted",
}
TARGETS = {"story": "a story", "reply": "a reply", "user": "an account", "sanction": "a sanction"}


@dataclass(frozen=True)
class PublicEntry:
    """One line of the public log: what, about what kind of thing, why, and the month."""

    id: int
    action: str
    target: str
    reason: str
    when: datetime


def public_log(
    before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[PublicEntry], int | None]:
    """Public entries newest first, a keyset page at a time; never an actor, never content."""
    query = select(
        AuditEntry.id,
        AuditEntry.action,
        AuditEntry.target_type,
        AuditEntry.reason,
        AuditEntry.created_at,
    ).where(AuditEntry.public.is_(True), AuditEntry.action.in_(list(PUBLIC_ACTIONS)))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    entries = [
        PublicEntry(
            id=row.id,
            action=PUBLIC_ACTIONS[row.action],
            target=TARGETS.get(row.target_type, "an item"),
            reason=row.reason,
            when=row.created_at,
        )
        for row in rows[:limit]
    ]
    next_before = entries[-1].id if len(rows) > limit else None
    return entries, next_before


@dataclass(frozen=True)
class LogFilter:
    """The admin log's filters; every field optional."""

    action: str | None = None
    target_type: str | None = None
    since: date | None = None
    until: date | None = None
    before: int | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_log(admin: User, filters: LogFilter, limit: int = PAGE_SIZE):
    """The full log for admins, filtered, newest first, with each actor's handle (one query)."""
    require_admin(admin)
    actor = aliased(User)
    query = select(AuditEntry, actor.handle).outerjoin(actor, actor.id == AuditEntry.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.since:
        query = query.where(AuditEntry.created_at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.created_at < _start_of(filters.until + timedelta(days=1)))
    if filters.before:
        query = query.where(AuditEntry.id < filters.before)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    next_before = rows[limit - 1][0].id if len(rows) > limit else None
    return rows[:limit], next_before


def known_actions() -> list[str]:
    """Action names present in the log, for the filter's choices."""
    return sorted(db.session.scalars(select(AuditEntry.action).distinct()))
