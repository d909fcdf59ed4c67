"""Accounts as moderators see them: roles, private notes, and earlier moderation history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from forum.accounts.models import Role, User
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.audit import audit
from forum.governance.models import AuditEntry, Sanction, SanctionKind
from forum.governance.permissions import require_admin, require_moderator
from forum.moderation.models import ModeratorNote
from forum.moderation.services import require_reason
from forum.safety.sanitize import clean_text
from forum.stories.models import Reply, Status, Story

NOTE_LENGTH = 2000


def get_account(user_id: int) -> User:
    """An account by id, deleted ones included (their history stays); NotFound otherwise."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound("Account not found.")
    return user


def find_account(moderator: User, handle: str) -> User:
    """A moderator looks an account up by handle."""
    require_moderator(moderator)
    key = clean_text(handle if isinstance(handle, str) else "", single_line=True).lower()
    user = db.session.scalar(select(User).where(User.handle_key == key)) if key else None
    if user is None:
        raise NotFound("No account has that handle.")
    return user


# --- Roles -----------------------------------------------------------------------------------


def _set_role(actor: User | None, user: User, role: Role | str, reason: str) -> User:
    try:
        role = Role(role)
    except ValueError:
        raise Invalid("Choose member, moderator or admin", field="role") from None
    reason = require_reason(reason)
    if user.deleted_at is not None:
        raise NotFound("Account not found.")
    if actor is not None and actor.id == user.id:
        raise NotAllowed("You cannot change your own role.")
    if user.role is role:
        raise Invalid(f"{user.handle} is already a {role.value}", field="role")
    if user.role is Role.ADMIN:
        admins = db.session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.deleted_at.is_(None), User.id != user.id
            )
        )
        if not admins:
            raise NotAllowed("Heard needs at least one admin.")
    old = user.role
    user.role = role
    audit(actor, "set_role", user, f"{old.value} to {role.value}: {reason}", public=False)
    db.session.commit()
    return user


def set_role(admin: User, user_id: int, role: Role | str, reason: str) -> User:
    """Grant or remove the moderator (or admin) role."""
    require_admin(admin)
    return _set_role(admin, get_account(user_id), role, reason)


def operator_set_role(
    handle: str, role: Role | str, reason: str = "Set from the command line"
) -> User:
    """The `heard set-role` command: whoever runs commands on the server is trusted already."""
    key = handle.strip().lower()
    user = db.session.scalar(select(User).where(User.handle_key == key, User.deleted_at.is_(None)))
    if user is None:
        raise NotFound("No account has that handle.")
    return _set_role(None, user, role, reason)


def staff() -> list[User]:
    """Moderators and admins, by handle."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.MODERATOR, Role.ADMIN]), User.deleted_at.is_(None))
            .order_by(User.handle_key)
        )
    )


# --- Notes -----------------------------------------------------------------------------------


def add_note(moderator: User, user_id: int, body: str) -> ModeratorNote:
    """Keep a private note about an account, for other moderators."""
    require_moderator(moderator)
    user = get_account(user_id)
    body = clean_text(body if isinstance(body, str) else "")
    if not body:
        raise Invalid("Enter a note", field="body")
    if len(body) > NOTE_LENGTH:
        raise Invalid(f"Note must be {NOTE_LENGTH} characters or fewer", field="body")
    note = ModeratorNote(user_id=user.id, author_id=moderator.id, body=body)
    db.session.add(note)
    audit(moderator, "add_note", user, "Added a private note", public=False)
    db.session.commit()
    return note


def notes_for(user: User) -> list[ModeratorNote]:
    """Notes about an account, newest first."""
    return list(
        db.session.scalars(
            select(ModeratorNote)
            .where(ModeratorNote.user_id == user.id)
            .order_by(ModeratorNote.id.desc())
        )
    )


# --- History ---------------------------------------------------------------------------------


def history(user: User, limit: int = 50) -> list[AuditEntry]:
    """What moderators did about this account and its stories and replies, newest first."""
    stories = select(Story.id).where(Story.author_id == user.id)
    replies = select(Reply.id).where(Reply.author_id == user.id)
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    and_(AuditEntry.target_type == "story", AuditEntry.target_id.in_(stories)),
                    and_(AuditEntry.target_type == "reply", AuditEntry.target_id.in_(replies)),
                    and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id),
                )
            )
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Record:
    """A short summary of an account's earlier moderation, for the queue."""

    not_published: int = 0
    warnings: int = 0
    suspensions: int = 0
    bans: int = 0

    def __bool__(self) -> bool:
        return bool(self.not_published or self.warnings or self.suspensions or self.bans)


def records(user_ids: set[int]) -> dict[int, Record]:
    """Earlier moderation of several accounts, in three queries whatever their number."""
    ids = sorted(i for i in user_ids if i is not None)
    if not ids:
        return {}
    gone = (Status.REJECTED, Status.REMOVED)
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    model: type[Story] | type[Reply]
    for model in (Story, Reply):
        rows = db.session.execute(
            select(model.author_id, func.count(model.id))
            .where(model.author_id.in_(ids), model.status.in_(gone))
            .group_by(model.author_id)
        )
        for author_id, count in rows:
            mine = counts[author_id]  # type: ignore[index]  # author_id IN ids: never None
            mine["not_published"] = mine.get("not_published", 0) + count
    sanction_rows = db.session.execute(
        select(Sanction.user_id, Sanction.kind, func.count(Sanction.id))
        .where(Sanction.user_id.in_(ids))
        .group_by(Sanction.user_id, Sanction.kind)
    )
    names = {
        SanctionKind.WARN: "warnings",
        SanctionKind.SUSPEND: "suspensions",
        SanctionKind.BAN: "bans",
    }
    for user_id, kind, count in sanction_rows:
        counts[user_id][names[kind]] = count  # type: ignore[index]  # user_id IN ids
    return {i: Record(**c) for i, c in counts.items()}
