"""The audit entry: every action by a moderator, admin, teller or the system is recorded here,
in the same transaction as the change it describes."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from forum.db import db
from forum.governance.models import AuditEntry


class HasId(Protocol):
    """An account or any model row: all the audit log keeps of it is its id."""

    @property
    def id(self) -> int | None: ...


def target_type(model: type) -> str:
    """The name audit entries give a model's rows: its class name, lower case."""
    return model.__name__.lower()


def audit(
    actor: HasId | None, action: str, target: HasId, reason: str = "", public: bool = True
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
        target_type=target_type(type(target)),
        target_id=target.id,
        reason=reason,
        public=public,
    )
    db.session.add(entry)
    return entry


def audit_trail(target: HasId) -> list[AuditEntry]:
    """The audit entries about one object, oldest first."""
    kind = target_type(type(target))
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == kind, AuditEntry.target_id == target.id)
            .order_by(AuditEntry.id)
        )
    )
