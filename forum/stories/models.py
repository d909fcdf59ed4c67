"""The story model of PRODUCT.md: stories, their tags and answers, replies, reactions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.db import Model, TimestampMixin, UTCDateTime, string_enum, utcnow
from forum.taxonomy.models import ProblemKind, Tag


class StoryKind(enum.StrEnum):
    """The two first-class thread types."""

    EXPERIENCE = "experience"  # "What happened"
    PRACTICE = "practice"  # "What helped"

    @property
    def label(self) -> str:
        """How the kind is named to people."""
        return "What happened" if self is StoryKind.EXPERIENCE else "What helped"


class Status(enum.StrEnum):
    """The moderation lifecycle shared by stories and replies."""

    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        """Plain words for the status, as a teller sees it."""
        return {
            "pending": "Waiting for a moderator",
            "changes_requested": "A moderator has asked for changes",
            "published": "Published",
            "rejected": "Not published",
            "withdrawn": "Withdrawn by you",
            "removed": "Removed by a moderator",
        }[self.value]


class Setting(enum.StrEnum):
    """Where the therapy happened."""

    PRIVATE = "private"
    PUBLIC = "public-health"
    EDUCATION = "school-or-university"
    WORKPLACE = "workplace"
    ONLINE = "online-or-app"
    INPATIENT = "inpatient"


class Format(enum.StrEnum):
    """Who was in the room."""

    INDIVIDUAL = "individual"
    COUPLES = "couples"
    FAMILY = "family"
    GROUP = "group"


class Attribution(enum.StrEnum):
    """Who the teller thinks caused the harm."""

    THERAPY = "the-therapy"
    OTHER = "other-circumstances"
    UNSURE = "unsure"


class Story(TimestampMixin, Model):
    """One "What happened" or "What helped" thread, moderated before it appears."""

    __tablename__ = "stories"
    __table_args__ = (
        Index("ix_stories_status_published", "status", "published_at", "id"),
        # The moderators' queue filters by status and pages by submission time.
        Index("ix_stories_status_submitted", "status", "submitted_at", "id"),
        # A listing of one kind (a tag's page, ?type=) reads in keyset order too.
        Index("ix_stories_status_kind_published", "status", "kind", "published_at", "id"),
        # The few pinned (and featured) stories leading a first page (the home page), found
        # without reading every story; the WHERE is the very term the listing adds, and the
        # flag leads the columns so that SQLite, without statistics, prefers these to the
        # date index above (two equalities against one).
        Index(
            "ix_stories_pinned",
            "pinned",
            "status",
            "published_at",
            "id",
            sqlite_where=text("pinned = 1"),
            postgresql_where=text("pinned"),
        ),
        Index(
            "ix_stories_featured",
            "featured",
            "status",
            "published_at",
            "id",
            sqlite_where=text("featured = 1"),
            postgresql_where=text("featured"),
        ),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StoryKind] = mapped_column(string_enum(StoryKind))
    status: Mapped[Status] = mapped_column(string_enum(Status), default=Status.PENDING)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    helped_instead: Mapped[str] = mapped_column(Text, default="")
    helped_instead_html: Mapped[str] = mapped_column(Text, default="")

    therapy_kind: Mapped[str] = mapped_column(String(120), default="")
    setting: Mapped[Setting | None] = mapped_column(string_enum(Setting), default=None, index=True)
    format: Mapped[Format | None] = mapped_column(string_enum(Format), default=None, index=True)
    roughly_when: Mapped[str] = mapped_column(String(60), default="")
    problem_kind_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem_kinds.id"), default=None, index=True
    )
    attribution: Mapped[Attribution | None] = mapped_column(string_enum(Attribution), default=None)
    # Content-note slugs, space separated (see forum/stories/content_notes.py).
    content_notes: Mapped[str] = mapped_column(String(200), default="")

    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    show_handle: Mapped[bool] = mapped_column(default=False)
    # For tellers without an account: the hash of their secret status token.
    status_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # One-time form token (hashed) under a unique constraint: a double submit makes one story.
    form_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash standing for the teller inside this thread, to give their replies a stable alias.
    author_key: Mapped[str] = mapped_column(String(64))

    crisis_flagged: Mapped[bool] = mapped_column(default=False)
    identifier_kinds: Mapped[str] = mapped_column(String(200), default="")
    moderator_message: Mapped[str] = mapped_column(Text, default="")
    # When a moderator sent the teller a caring message with help lines (a crisis-flagged
    # story; forum.moderation.services.send_caring_message). Shown on their status page.
    cared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    featured: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic lock for moderators acting at once: an action names the version it saw.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Moderation (forum/moderation): pinned to the top of listings; hidden after enough
    # reports until a moderator looks; the submitter's ban key (never an IP), kept only for
    # the retention window so anonymous posting can be banned.
    pinned: Mapped[bool] = mapped_column(default=False)
    hidden_pending_review: Mapped[bool] = mapped_column(default=False)
    client_key: Mapped[str | None] = mapped_column(String(64), default=None)

    author: Mapped[User | None] = relationship(lazy="joined")
    problem_kind: Mapped[ProblemKind | None] = relationship(lazy="joined")
    story_tags: Mapped[list[StoryTag]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="StoryTag.position"
    )
    answers: Mapped[list[StoryAnswer]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="StoryAnswer.position"
    )
    replies: Mapped[list[Reply]] = relationship(
        back_populates="story", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_published(self) -> bool:
        """Only published stories are visible to readers."""
        return self.status is Status.PUBLISHED

    @property
    def status_label(self) -> str:
        """The status in plain words for its teller, saying when reports hid it for review."""
        if self.status is Status.REMOVED and self.hidden_pending_review:
            return "Hidden while a moderator looks at reports about it"
        return self.status.label

    @property
    def harm_tags(self) -> list[Tag]:
        """The harm-type tags, in the teller's order."""
        return [st.tag for st in self.story_tags if st.tag.kind == "harm"]

    @property
    def practice_tags(self) -> list[Tag]:
        """The community-practice tags, in the teller's order."""
        return [st.tag for st in self.story_tags if st.tag.kind == "practice"]

    @property
    def content_note_slugs(self) -> list[str]:
        """The content notes as a list of slugs."""
        return self.content_notes.split()

    @property
    def behind_content_note(self) -> bool:
        """Whether its words wait behind a content note: no excerpt, no body in feeds."""
        return bool(self.content_notes)


class StoryTotal(Model):
    """How many stories of one kind are published: a counter kept by forum/stories/counters.py
    in the transaction of each change, so the /stories heading never counts them."""

    __tablename__ = "story_totals"

    kind: Mapped[StoryKind] = mapped_column(string_enum(StoryKind), primary_key=True)
    published: Mapped[int] = mapped_column(default=0)


class StoryTag(Model):
    """A tag on a story, with the teller's optional 0–4 rating of how much it affected them."""

    __tablename__ = "story_tags"
    __table_args__ = (
        CheckConstraint("impact IS NULL OR (impact >= 0 AND impact <= 4)", name="impact_range"),
        Index("ix_story_tags_tag_story", "tag_id", "story_id"),
    )

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    impact: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    story: Mapped[Story] = relationship(back_populates="story_tags")
    tag: Mapped[Tag] = relationship(lazy="joined")


class StoryAnswer(Model):
    """An answer to one of the optional guided prompts or reflection questions."""

    __tablename__ = "story_answers"
    __table_args__ = (UniqueConstraint("story_id", "prompt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    story: Mapped[Story] = relationship(back_populates="answers")


class Reply(TimestampMixin, Model):
    """A supportive reply under a story, moderated the same way."""

    __tablename__ = "replies"
    __table_args__ = (
        Index("ix_replies_story_status", "story_id", "status", "id"),
        # What is new since a mark (forum/following/news.py): a story's replies published after.
        Index("ix_replies_story_status_published", "story_id", "status", "published_at"),
        # The moderators' queue filters by status and pages by creation time.
        Index("ix_replies_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    status: Mapped[Status] = mapped_column(string_enum(Status), default=Status.PENDING)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    show_handle: Mapped[bool] = mapped_column(default=False)
    alias: Mapped[str] = mapped_column(String(60))
    form_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    crisis_flagged: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Moderation: a trusted member's reply is published at once but still awaits a
    # moderator's review (post-moderation); hidden after enough reports; the ban key.
    awaiting_review: Mapped[bool] = mapped_column(default=False)
    hidden_pending_review: Mapped[bool] = mapped_column(default=False)
    client_key: Mapped[str | None] = mapped_column(String(64), default=None)

    story: Mapped[Story] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship(lazy="joined")


class ThreadAlias(Model):
    """The stable "Anonymous heron" name of one person inside one thread, and only there."""

    __tablename__ = "thread_aliases"
    __table_args__ = (
        UniqueConstraint("story_id", "author_key"),
        UniqueConstraint("story_id", "alias"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    author_key: Mapped[str] = mapped_column(String(64))
    alias: Mapped[str] = mapped_column(String(60))


class ReactionKind(enum.StrEnum):
    """Support reactions: counts only, never down-votes or ranking."""

    HEAR = "hear"
    ME_TOO = "me-too"
    THANKS = "thanks"

    @property
    def label(self) -> str:
        """The words on the button."""
        return {"hear": "I hear you", "me-too": "Me too", "thanks": "Thank you for sharing"}[
            self.value
        ]


class Reaction(Model):
    """One person's support reaction; at most one of each kind per person per story."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("story_id", "kind", "actor_key"),
        Index("ix_reactions_story_created", "story_id", "created_at"),  # reactions since a mark
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReactionKind] = mapped_column(string_enum(ReactionKind, 12))
    # "u:<user id>" for accounts; "c:<day>:<keyed client hash>" for readers without one.
    actor_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChangeKind(enum.StrEnum):
    """What a teller adds to a story already published."""

    UPDATE = "update"  # "What happened next": shown under the story once approved
    REVISION = "revision"  # a proposed new title and text: replaces them once accepted


class StoryChange(TimestampMixin, Model):
    """A teller's update or proposed revision of a published story, waiting for a moderator.

    Its own row and transition table (forum/stories/lifecycle.py CHANGE_TRANSITIONS): unlike a
    reply it carries the teller's own words about their story, a reason they see, and for a
    revision the proposed title; it never gets a thread alias or counts as a reply.
    """

    __tablename__ = "story_changes"
    __table_args__ = (
        Index("ix_story_changes_story_kind_status", "story_id", "kind", "status", "id"),
        Index("ix_story_changes_status_created", "status", "created_at", "id"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    kind: Mapped[ChangeKind] = mapped_column(string_enum(ChangeKind, 12))
    status: Mapped[Status] = mapped_column(string_enum(Status), default=Status.PENDING)
    title: Mapped[str] = mapped_column(String(200), default="")  # revisions only
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The story's version the revision was written against: a moderator sees if it moved on.
    base_version: Mapped[int] = mapped_column(Integer, default=1)
    form_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    crisis_flagged: Mapped[bool] = mapped_column(default=False)
    identifier_kinds: Mapped[str] = mapped_column(String(200), default="")
    moderator_message: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    story: Mapped[Story] = relationship()


class SavedDraft(TimestampMixin, Model):
    """A story draft kept only because its teller pressed "Save and come back later".

    Opened by a draft code (derived from the compose form's one-time token, so saving twice
    keeps one row; only its hash is kept, like a status code) or by the account that saved it.
    `fields` is the compose form as JSON; it is deleted by its teller, when the story is sent,
    or by `heard purge` after DRAFT_RETENTION_DAYS.
    """

    __tablename__ = "saved_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, default=None
    )
    fields: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
