"""Tag groups, tags and the "what kind of problem" facet: data that admins can edit."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Model, TimestampMixin, string_enum

SLUG_LENGTH = 40
NAME_LENGTH = 60
DESCRIPTION_LENGTH = 300


class TagKind(enum.StrEnum):
    """Harm tags describe what went wrong; practice tags describe what helped instead."""

    HARM = "harm"
    PRACTICE = "practice"


class TagGroup(Model):
    """A heading that harm tags sit under, such as "How I was treated"."""

    __tablename__ = "tag_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    position: Mapped[int] = mapped_column(default=0)

    tags: Mapped[list[Tag]] = relationship(back_populates="group", order_by="Tag.position")


class Tag(TimestampMixin, Model):
    """A harm-type or community-practice tag. Retired tags stay for old stories but are hidden."""

    __tablename__ = "tags"
    # A harm tag always sits in a group; stories are filtered and charted by group.
    __table_args__ = (
        CheckConstraint("kind <> 'harm' OR group_id IS NOT NULL", name="harm_in_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH), default="")
    kind: Mapped[TagKind] = mapped_column(string_enum(TagKind, 20))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("tag_groups.id", ondelete="RESTRICT"), index=True, default=None
    )
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)
    # Published stories carrying the tag, by story kind: counters kept by
    # forum/stories/counters.py in the transaction of each change, so /tags never counts.
    experience_stories: Mapped[int] = mapped_column(default=0, server_default="0")
    practice_stories: Mapped[int] = mapped_column(default=0, server_default="0")

    group: Mapped[TagGroup | None] = relationship(back_populates="tags")


class ProblemKind(Model):
    """The optional "what kind of problem" facet: side effect, poor quality or misconduct."""

    __tablename__ = "problem_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH), default="")
    position: Mapped[int] = mapped_column(default=0)
