"""Accounts, their recovery codes and their server-side sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Model, TimestampMixin, UTCDateTime, string_enum, utcnow

# The lengths of break a member can choose for themselves, in days.
BREAK_DAYS = (1, 3, 7, 14, 30, 90)


class Role(enum.StrEnum):
    """What an account may do; moderators and admins come only from the CLI or an admin."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, TimestampMixin, Model):
    """A pseudonymous account. No email, no real name, no IP address."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(30))
    # The handle folded to lower case: unique, so "Heron" and "heron" cannot both exist.
    handle_key: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        string_enum(Role, 20),
        default=Role.MEMBER,
    )
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A break the member chose for themselves ("take a break"); it pauses the account too.
    break_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    banned: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_moderator(self) -> bool:
        """Moderators and admins can moderate."""
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Only admins run the site."""
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:
        """Flask-Login's view: deleted, banned and suspended accounts cannot be signed in."""
        return self.deleted_at is None and not self.banned and not self.is_suspended()

    def is_suspended(self, now: datetime | None = None) -> bool:
        """Whether a suspension (or a self-chosen break) is still running."""
        now = now or utcnow()
        return any(
            until is not None and until > now for until in (self.suspended_until, self.break_until)
        )

    def is_on_break(self, now: datetime | None = None) -> bool:
        """Whether the member is taking a break they chose."""
        return self.break_until is not None and self.break_until > (now or utcnow())

    @property
    def unused_recovery_codes(self) -> int:
        """How many recovery codes are left."""
        return sum(1 for code in self.recovery_codes if code.used_at is None)


class RecoveryCode(Model):
    """A one-time code to regain an account; only its SHA-256 hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class AccountSession(Model):
    """A signed-in browser. Signing out deletes the row, so a replayed cookie finds nothing."""

    __tablename__ = "account_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
