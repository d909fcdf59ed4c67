"""Where each story's news was last seen, and the stories members follow.

Neither table names the teller. `story_last_seen` is keyed by the story alone: whoever may see
the story's status (the browser holding its code, or the account that sent it) moves the same
mark. The mark is the time of the newest thing already shown, never the time of a visit, so it
tells nothing of when anyone looked. A follow is a member's own choice, kept on their account
and never counted or listed for anyone else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Model, UTCDateTime, utcnow


class StoryLastSeen(Model):
    """The newest reply, reaction or moderator event of a story its teller has been shown."""

    __tablename__ = "story_last_seen"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    seen_until: Mapped[datetime] = mapped_column(UTCDateTime())


class StoryFollow(Model):
    """A member follows a story: its new replies show on their account page."""

    __tablename__ = "story_follows"
    __table_args__ = (Index("ix_story_follows_user_followed", "user_id", "followed_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The newest reply the member has been shown (at first, when they followed).
    seen_until: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
