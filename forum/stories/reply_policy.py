"""The reply policy: whose replies appear at once and whose wait for a moderator.

New and anonymous tellers are pre-moderated; a trusted member (enough approved posts, no
sanction on record) is post-moderated, unless something in the reply asks for review first.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.db import db
from forum.governance.sanctions import has_sanction_record
from forum.stories.models import Reply, Status, Story


def approved_posts(user: User) -> int:
    """How many of the account's stories and replies are published (in one query)."""
    stories = (
        select(func.count(Story.id))
        .where(Story.author_id == user.id, Story.status == Status.PUBLISHED)
        .scalar_subquery()
    )
    replies = (
        select(func.count(Reply.id))
        .where(
            Reply.author_id == user.id,
            Reply.status == Status.PUBLISHED,
            Reply.awaiting_review.is_(False),
        )
        .scalar_subquery()
    )
    return db.session.scalar(select(stories + replies)) or 0


def is_trusted(user: User | None) -> bool:
    """A live member with enough approved posts and no sanction on record."""
    if user is None or not user.is_active:
        return False
    if has_sanction_record(user.id):
        return False
    return approved_posts(user) >= current_app.config["TRUSTED_MEMBER_APPROVED_POSTS"]


def reply_starts_published(author: User | None, *, needs_review: bool) -> bool:
    """The reply policy: new and anonymous tellers are pre-moderated; trusted members'
    replies appear at once and stay in the queue (post-moderation), unless something in
    the reply (crisis language, a watched word) asks for review first."""
    if needs_review or not current_app.config["REPLY_POST_MODERATION"]:
        return False
    return is_trusted(author)
