"""Following stories, and what an account's page shows as new (its stories and its follows).

Services take the acting account explicitly, fail closed (only a published story can be
followed, only by an account) and commit once. Nobody is ever shown who, or how many, follow a
story: no function here answers that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, literal, select, union, update
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.db import UTCDateTime, db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.following import news
from forum.following.models import StoryFollow
from forum.stories.models import Reply, Status, Story

MAX_FOLLOWS = 100  # per account: more than anyone reads, and it keeps the account page bounded
TOO_MANY = (
    f"You are following {MAX_FOLLOWS} stories, the most we keep. "
    "Unfollow one on your account page to follow this one"
)


def _member(user: User | None) -> User:
    if user is None:
        raise NotAllowed("Sign in to follow a story.")
    return user


def _followable(story_id: int) -> Story:
    story = db.session.get(Story, story_id)
    if story is None or story.status is not Status.PUBLISHED:
        raise NotFound("Story not found.")
    return story


def is_following(user: User | None, story_id: int) -> bool:
    """Whether this account follows the story (False for nobody signed in, and no query)."""
    if user is None:
        return False
    found = db.session.scalar(
        select(StoryFollow.story_id).where(
            StoryFollow.user_id == user.id, StoryFollow.story_id == story_id
        )
    )
    return found is not None


def follow(user: User | None, story_id: int, held: frozenset[int] = frozenset()) -> bool:
    """Follow a published story; its replies from now on are news. False if already followed.

    Never one's own story: not one the account sent, nor one this browser holds the status
    code of (`held`), so no follow row ever ties an account to a story it told anonymously.
    """
    member = _member(user)
    story = _followable(story_id)
    if story.author_id == member.id or story.id in held:
        raise Invalid("This is your own story: its news is on your account page already.")
    if is_following(member, story.id):
        return False
    count = db.session.scalar(
        select(func.count()).select_from(StoryFollow).where(StoryFollow.user_id == member.id)
    )
    if (count or 0) >= MAX_FOLLOWS:
        raise Invalid(TOO_MANY)
    db.session.add(StoryFollow(user_id=member.id, story_id=story.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same member, twice at once
        db.session.rollback()
        return False
    return True


def unfollow(user: User | None, story_id: int) -> bool:
    """Stop following a story (whatever its state now); False if it was not followed."""
    member = _member(user)
    result = db.session.execute(
        delete(StoryFollow).where(
            StoryFollow.user_id == member.id, StoryFollow.story_id == story_id
        )
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def forget_follows(user: User) -> None:
    """Delete every follow of an account (account deletion); the caller commits."""
    db.session.execute(delete(StoryFollow).where(StoryFollow.user_id == user.id))


def follows_record(user: User) -> list[dict]:
    """The stories an account follows, for its data export."""
    rows = db.session.execute(
        select(StoryFollow.story_id, StoryFollow.followed_at)
        .where(StoryFollow.user_id == user.id)
        .order_by(StoryFollow.followed_at, StoryFollow.story_id)
    )
    return [{"story_id": sid, "followed_at": at.isoformat()} for sid, at in rows]


# --- The account page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """One followed, published story, with its new replies since the member last looked."""

    story_id: int
    title: str
    replies: int
    first_reply_id: int | None
    first_reply_at: datetime | None
    newest: datetime | None


@dataclass
class AccountNews:
    """What the account page shows as new: its own stories' news, and its follows."""

    own: list[news.StoryNews] = field(default_factory=list)
    followed: list[Followed] = field(default_factory=list)

    @property
    def followed_news(self) -> int:
        """How many followed stories have new replies."""
        return sum(1 for item in self.followed if item.replies)


def _follow_marks(user: User):
    return (
        select(StoryFollow.story_id, StoryFollow.seen_until.label("since"))
        .join(Story, Story.id == StoryFollow.story_id)
        .where(StoryFollow.user_id == user.id, Story.status == Status.PUBLISHED)
        .subquery("marks")
    )


def account_news(user: User) -> AccountNews:
    """The account's stories with news (three aggregate queries and their titles), and every
    followed published story with its new replies (one query)."""
    found = news.teller_news(news.teller_marks(author_id=user.id))
    if found:
        described = select(Story.id, Story.title, Story.status).where(Story.id.in_(sorted(found)))
        for story_id, title, status in db.session.execute(described):
            found[story_id].describe(title, status)
    own = sorted(found.values(), key=lambda item: item.newest or datetime.min, reverse=True)
    replies = news.new_replies(_follow_marks(user), follower_id=user.id)
    rows = db.session.execute(
        select(
            Story.id,
            Story.title,
            replies.c.total,
            replies.c.id,
            replies.c.published_at,
            replies.c.newest,
        )
        .join(StoryFollow, StoryFollow.story_id == Story.id)
        .outerjoin(replies, replies.c.story_id == Story.id)
        .where(StoryFollow.user_id == user.id, Story.status == Status.PUBLISHED)
        .order_by(
            case((replies.c.newest.is_(None), 1), else_=0),
            replies.c.newest.desc(),
            StoryFollow.followed_at.desc(),
        )
        .limit(MAX_FOLLOWS)
    )
    followed = [
        Followed(sid, title, count or 0, first_id, first_at, newest)
        for sid, title, count, first_id, first_at, newest in rows
    ]
    return AccountNews(own=own, followed=followed)


def mark_account_seen(user: User, shown: AccountNews) -> bool:
    """After the account page showed its news: move the marks of everything it showed."""
    moved = {item.story_id: item.newest for item in shown.followed if item.newest is not None}
    follows = None
    if moved:
        new_mark = case(
            {sid: literal(at, UTCDateTime()) for sid, at in moved.items()},
            value=StoryFollow.story_id,
            else_=StoryFollow.seen_until,
        )
        follows = (
            update(StoryFollow)
            .where(StoryFollow.user_id == user.id, StoryFollow.story_id.in_(sorted(moved)))
            .values(seen_until=new_mark)
        )
    return news.save_marks(news.mark_statement(shown.own), follows)


def stories_with_news(user: User) -> int:
    """How many of an account's stories and followed stories have news: one query."""
    own = news.has_teller_news(news.teller_marks(author_id=user.id))
    marks = _follow_marks(user)
    followed = select(marks.c.story_id).where(
        select(Reply.id).where(*news.is_new_reply(marks, follower_id=user.id)).exists()
    )
    return db.session.scalar(select(func.count()).select_from(union(own, followed).subquery())) or 0
