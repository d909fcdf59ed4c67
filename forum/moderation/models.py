"""The append-only audit log of moderator and system actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import UTCDateTime, db, utcnow


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntry(db.Model):
    """One action: who (privately), what, on which object, why. Never updated or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The acting account; None for the teller or the system. Never shown publicly.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column()
    # The reason given; for the public log this is the only free text shown, never content.
    reason: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=True)


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AppendOnlyError("Audit entries are append-only.")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyError("Audit entries are append-only.")
