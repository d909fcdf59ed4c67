"""Secrets of the day for keyed client hashes; destroyed after the retention window."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Model, UTCDateTime, utcnow


class DaySecret(Model):
    """A random secret for one UTC day. Once it is deleted, that day's hashes are unlinkable."""

    __tablename__ = "day_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
