"""The append-only audit log of moderator and system actions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.db import Model, UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    """A portable enum column stored as its string values."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


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


# --- Reports ---------------------------------------------------------------------------------


class ReportReason(enum.StrEnum):
    """Why a reader reports a story or reply."""

    AT_RISK = "at-risk"
    IDENTIFIES = "identifies"
    UNKIND = "unkind"
    HARMFUL_ADVICE = "harmful-advice"
    SPAM = "spam"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The words a reader chooses from."""
        return REPORT_REASON_LABELS[self]


REPORT_REASON_LABELS = {
    ReportReason.AT_RISK: "This person may be at risk",
    ReportReason.IDENTIFIES: "It could identify someone",
    ReportReason.UNKIND: "It is unkind, harassing or hateful",
    ReportReason.HARMFUL_ADVICE: "It gives harmful advice or describes methods of harm",
    ReportReason.SPAM: "It is spam or advertising",
    ReportReason.OTHER: "Something else",
}


class Report(Model):
    """A reader's report on a story or reply; open until a moderator acts on the item."""

    __tablename__ = "reports"
    __table_args__ = (
        # One open-or-closed report per person per item: one reader cannot hide a post alone.
        UniqueConstraint("target", "reporter_key"),
        Index("ix_reports_open", "resolved_at", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "story:12" or "reply:34"; the foreign keys below make an erase remove its reports too.
    target: Mapped[str] = mapped_column(String(32))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("replies.id", ondelete="CASCADE"), index=True, default=None
    )
    reason: Mapped[ReportReason] = mapped_column(_enum(ReportReason))
    detail: Mapped[str] = mapped_column(Text, default="")
    # "u:<account id>" or "c:<day>:<daily keyed client hash>": never an address.
    reporter_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolution: Mapped[str] = mapped_column(String(40), default="")


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
    action: Mapped[WatchedAction] = mapped_column(_enum(WatchedAction))
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
    kind: Mapped[SanctionKind] = mapped_column(_enum(SanctionKind, 12))
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

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def is_running(self, now: datetime | None = None) -> bool:
        """Whether this suspension or ban is in force now (checked when used, never cached)."""
        now = now or utcnow()
        if self.kind is SanctionKind.WARN or self.lifted_at is not None:
            return False
        return self.ends_at is None or self.ends_at > now


# --- Notes, reason templates, redaction receipts ---------------------------------------------


class ModeratorNote(Model):
    """A private note moderators keep about an account."""

    __tablename__ = "moderator_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")


class ReasonTemplate(Model):
    """A ready-made reason for a common action; admins edit the list."""

    __tablename__ = "reason_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RedactionState(enum.StrEnum):
    """Where a moderator's edit stands with the teller."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"


class Redaction(Model):
    """A moderator's edit of a story, shown to the teller side by side before it is published.

    The old and new text live here only until the story is erased (the rows go with it).
    """

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str] = mapped_column(Text)
    old_title: Mapped[str] = mapped_column(String(200))
    new_title: Mapped[str] = mapped_column(String(200))
    old_body: Mapped[str] = mapped_column(Text)
    new_body: Mapped[str] = mapped_column(Text)
    old_helped_instead: Mapped[str] = mapped_column(Text, default="")
    new_helped_instead: Mapped[str] = mapped_column(Text, default="")
    # The guided-prompt answers as JSON objects ({prompt: text}), before and after.
    old_answers: Mapped[str] = mapped_column(Text, default="{}")
    new_answers: Mapped[str] = mapped_column(Text, default="{}")
    # The story's version when the edit was proposed: any later change makes it stale.
    story_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[RedactionState] = mapped_column(
        _enum(RedactionState, 12), default=RedactionState.PROPOSED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
