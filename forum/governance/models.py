"""What several features record and check: the audit log, sanctions and watched words.

These tables belong to no single feature: moderation writes most of them, and stories, accounts,
taxonomy and resources read or add to them through forum.governance.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Model, UTCDateTime, string_enum, utcnow


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntry(Model):
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


# --- Watched words ---------------------------------------------------------------------------


class WatchedAction(enum.StrEnum):
    """What happens when a watched word turns up (as in Discourse)."""

    BLOCK = "block"
    REQUIRE_APPROVAL = "require-approval"
    FLAG = "flag"
    REPLACE = "replace"

    @property
    def label(self) -> str:
        """Plain words for admins."""
        return {
            "block": "Block: the text cannot be sent (it is kept for the writer to change)",
            "require-approval": "Require approval: always reviewed before it appears",
            "flag": "Flag: show it to moderators",
            "replace": "Replace: swap it for other words",
        }[self.value]


class WatchedWord(Model):
    """A word or phrase admins watch for in stories, replies and handles."""

    __tablename__ = "watched_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100))
    # The word as matching sees it (folded, substitutions undone, no spaces): unique.
    key: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[WatchedAction] = mapped_column(string_enum(WatchedAction))
    replacement: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- Sanctions -------------------------------------------------------------------------------


class SanctionKind(enum.StrEnum):
    """Warn, suspend for a number of days, or ban."""

    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"


class Sanction(Model):
    """A sanction on an account, or on anonymous posting from one client (its ban key)."""

    __tablename__ = "sanctions"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NOT NULL) OR (client_key IS NOT NULL)", name="sanction_has_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SanctionKind] = mapped_column(string_enum(SanctionKind, 12))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None
    )
    client_key: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None for a ban without end; a warning ends when it is given.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # Named, not imported: the accounts feature sits above this layer.
    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    def is_running(self, now: datetime | None = None) -> bool:
        """Whether this suspension or ban is in force now (checked when used, never cached)."""
        now = now or utcnow()
        if self.kind is SanctionKind.WARN or self.lifted_at is not None:
            return False
        return self.ends_at is None or self.ends_at > now
