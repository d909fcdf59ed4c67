"""Claims on queue items: a soft lock, so two moderators do not work one item unknowingly.

A moderator claims a story or reply from its item page; other moderators see "Being reviewed by
A (until 14:32)" in the queue and on the item page. The lock is soft: they can still act, or take
the claim over explicitly. A claim ends by itself at its expiry (MODERATION_CLAIM_MINUTES; an
expired row is ignored and replaced by the next claim), and is released when anyone acts on the
item: every action on a story or reply writes its audit entry (forum/governance/audit.py), and
the one hook below removes the item's claim in the same transaction, whichever service acted.
Claims themselves change nothing about the item, so they are not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, event, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotFound
from forum.governance.models import AuditEntry
from forum.governance.permissions import require_moderator
from forum.moderation.models import QueueClaim
from forum.stories.models import Reply, Story

KINDS = ("story", "reply")


class ClaimedByOther(Invalid):
    """Another moderator has a running claim on the item (take it over explicitly)."""


def _until(when: datetime) -> str:
    return when.strftime("%H:%M UTC")


def _target(kind: str, item_id: int) -> Story | Reply:
    model: type[Story] | type[Reply] = Story if kind == "story" else Reply
    item: Story | Reply | None = (
        db.session.get(model, item_id)  # type: ignore[assignment]  # Story or Reply, as asked
        if kind in KINDS and isinstance(item_id, int)
        else None
    )
    if item is None:
        raise NotFound("Not found.")
    return item


def current(kind: str, item_id: int, now: datetime | None = None) -> QueueClaim | None:
    """The running claim on one item, if any."""
    return running([(kind, item_id)], now).get((kind, item_id))


def running(
    keys: list[tuple[str, int]], now: datetime | None = None
) -> dict[tuple[str, int], QueueClaim]:
    """The running claims on several items, by (kind, id), in one query whatever their number."""
    if not keys:
        return {}
    now = now or utcnow()
    rows = db.session.scalars(
        select(QueueClaim)
        .where(
            or_(
                *(
                    and_(
                        QueueClaim.target_type == kind,
                        QueueClaim.target_id.in_(sorted({i for k, i in keys if k == kind})),
                    )
                    for kind in sorted({k for k, _ in keys})
                )
            ),
            QueueClaim.expires_at > now,
        )
        .options(joinedload(QueueClaim.moderator))
    )
    return {(c.target_type, c.target_id): c for c in rows}


def claim(moderator: User, kind: str, item_id: int, *, take_over: bool = False) -> QueueClaim:
    """Claim an item for MODERATION_CLAIM_MINUTES (again, to extend one's own claim).

    Raises ClaimedByOther when another moderator's claim is running, unless `take_over`.
    """
    require_moderator(moderator)
    item = _target(kind, item_id)
    now = utcnow()
    held = current(kind, item.id, now)
    if held is not None and held.moderator_id != moderator.id and not take_over:
        raise ClaimedByOther(
            f"Being reviewed by {held.moderator.handle} (until {_until(held.expires_at)}). "
            "You can still act on it, or take over the review."
        )
    minutes = current_app.config["MODERATION_CLAIM_MINUTES"]
    db.session.execute(
        delete(QueueClaim).where(QueueClaim.target_type == kind, QueueClaim.target_id == item.id)
    )
    fresh = QueueClaim(
        target_type=kind,
        target_id=item.id,
        moderator_id=moderator.id,
        claimed_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.session.add(fresh)
    try:
        db.session.commit()
    except IntegrityError:  # another moderator claimed it in the same moment
        db.session.rollback()
        raise ClaimedByOther(
            "Another moderator has just claimed this. You can still act on it."
        ) from None
    return fresh


def release(moderator: User, kind: str, item_id: int) -> None:
    """End one's own claim on an item (someone else's stays: take it over instead)."""
    require_moderator(moderator)
    item = _target(kind, item_id)
    db.session.execute(
        delete(QueueClaim).where(
            QueueClaim.target_type == kind,
            QueueClaim.target_id == item.id,
            QueueClaim.moderator_id == moderator.id,
        )
    )
    db.session.commit()


@event.listens_for(AuditEntry, "after_insert")
def _release_on_action(mapper, connection, entry: AuditEntry) -> None:
    """Any action on a story or reply (its audit entry is written) releases the item's claim."""
    if entry.target_type in KINDS:
        connection.execute(
            delete(QueueClaim).where(
                QueueClaim.target_type == entry.target_type,
                QueueClaim.target_id == entry.target_id,
            )
        )
