"""Moderation's own records: reports, moderator notes, reason templates, redaction receipts.

The audit log, sanctions and watched words, which other features read too, are in
forum/governance/models.py.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.db import Model, UTCDateTime, string_enum, utcnow

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
    reason: Mapped[ReportReason] = mapped_column(string_enum(ReportReason))
    detail: Mapped[str] = mapped_column(Text, default="")
    # "u:<account id>" or "c:<day>:<daily keyed client hash>": never an address.
    reporter_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolution: Mapped[str] = mapped_column(String(40), default="")


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
        string_enum(RedactionState, 12), default=RedactionState.PROPOSED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


# --- Claims on queue items -------------------------------------------------------------------


class QueueClaim(Model):
    """A moderator's soft lock on a story or reply in the queue: others see it and may still
    act, or take it over. It ends when anyone acts on the item, or at `expires_at`."""

    __tablename__ = "queue_claims"
    __table_args__ = (UniqueConstraint("target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))  # "story" or "reply"
    target_id: Mapped[int] = mapped_column(Integer)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    moderator: Mapped[User] = relationship(User)
