"""Moderation actions on stories and replies; each commits together with its audit entry."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.moderation.models import AuditEntry
from forum.safety.sanitize import clean_text
from forum.stories.models import Reply, Status, Story

REVIEWABLE = (Status.PENDING, Status.CHANGES_REQUESTED)


class AlreadyHandled(NotAllowed):
    """Another moderator acted on this item first; nothing was applied twice."""

    status = 409


def _require_moderator(actor: User | None) -> User:
    if actor is None or not actor.is_active or not actor.is_moderator:
        raise NotAllowed("Only moderators can do this.")
    return actor


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = clean_text(reason or "")
    if not reason:
        raise Invalid("Enter a reason", field=field)
    if len(reason) > 2000:
        raise Invalid("Reason must be 2000 characters or fewer", field=field)
    return reason


def _check_version(item: Story | Reply, seen_version: int | None) -> None:
    if seen_version is not None and item.version != seen_version:
        raise AlreadyHandled("Another moderator has already dealt with this. Nothing was changed.")


def audit(
    actor: User | None, action: str, target: db.Model, reason: str = "", public: bool = True
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits both together).

    `target` is any model with an id (a story, reply, account, tag, resource); its type is
    recorded by class name.
    """
    if target.id is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=target.id,
        reason=reason,
        public=public,
    )
    db.session.add(entry)
    return entry


def _review_story(story_id: int, seen_version: int | None) -> Story:
    story = db.session.get(Story, story_id)
    if story is None:
        raise NotFound("Story not found.")
    _check_version(story, seen_version)
    if story.status not in REVIEWABLE:
        raise AlreadyHandled("This story is not waiting for review. Nothing was changed.")
    return story


def approve_story(
    moderator: User, story_id: int, reason: str = "Meets the community guidelines",
    seen_version: int | None = None,
) -> Story:  # fmt: skip
    """Publish a story in review."""
    return _approve_story(_require_moderator(moderator), story_id, reason, seen_version)


def operator_approve_story(story_id: int, reason: str = "Approved from the command line") -> Story:
    """Publish a story as the server's operator (the `heard approve` command, for demos).

    Whoever can run commands on the server is trusted already; the audit entry records the
    action with no acting account.
    """
    return _approve_story(None, story_id, reason, None)


def _approve_story(
    actor: User | None, story_id: int, reason: str, seen_version: int | None
) -> Story:
    story = _review_story(story_id, seen_version)
    reason = _require_reason(reason)
    story.status = Status.PUBLISHED
    story.published_at = story.published_at or utcnow()
    story.moderator_message = ""
    story.version += 1
    audit(actor, "approve", story, reason)
    db.session.commit()
    return story


def request_changes(
    moderator: User, story_id: int, message: str, seen_version: int | None = None
) -> Story:
    """Send a story back to its teller with a message they will see on their status page."""
    _require_moderator(moderator)
    story = _review_story(story_id, seen_version)
    message = _require_reason(message, field="message")
    story.status = Status.CHANGES_REQUESTED
    story.moderator_message = message
    story.version += 1
    audit(moderator, "request_changes", story, message, public=False)
    db.session.commit()
    return story


def reject_story(
    moderator: User, story_id: int, reason: str, seen_version: int | None = None
) -> Story:
    """Decline to publish a story, with a reason the teller sees."""
    _require_moderator(moderator)
    story = _review_story(story_id, seen_version)
    reason = _require_reason(reason)
    story.status = Status.REJECTED
    story.moderator_message = reason
    story.version += 1
    audit(moderator, "reject", story, reason)
    db.session.commit()
    return story


def _review_reply(moderator: User, reply_id: int, seen_version: int | None) -> Reply:
    _require_moderator(moderator)
    reply = db.session.get(Reply, reply_id)
    if reply is None or reply.story is None:
        raise NotFound("Reply not found.")
    _check_version(reply, seen_version)
    if reply.status not in REVIEWABLE:
        raise AlreadyHandled("This reply is not waiting for review. Nothing was changed.")
    return reply


def approve_reply(
    moderator: User, reply_id: int, reason: str = "Meets the community guidelines",
    seen_version: int | None = None,
) -> Reply:  # fmt: skip
    """Publish a reply in review."""
    reply = _review_reply(moderator, reply_id, seen_version)
    reason = _require_reason(reason)
    reply.status = Status.PUBLISHED
    reply.published_at = utcnow()
    reply.version += 1
    audit(moderator, "approve", reply, reason)
    db.session.commit()
    return reply


def reject_reply(
    moderator: User, reply_id: int, reason: str, seen_version: int | None = None
) -> Reply:
    """Decline to publish a reply."""
    reply = _review_reply(moderator, reply_id, seen_version)
    reason = _require_reason(reason)
    reply.status = Status.REJECTED
    reply.version += 1
    audit(moderator, "reject", reply, reason)
    db.session.commit()
    return reply


def audit_trail(target: db.Model) -> list[AuditEntry]:
    """The audit entries about one object, oldest first."""
    kind = type(target).__name__.lower()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == kind, AuditEntry.target_id == target.id)
            .order_by(AuditEntry.id)
        )
    )
