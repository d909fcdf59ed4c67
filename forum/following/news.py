"""What is new on a story since its teller, or a member following it, last looked.

"New" is measured against a mark per story: `StoryLastSeen.seen_until` for the teller (the
story's submission time until they first look) and `StoryFollow.seen_until` for a follower.
Everything is counted in SQL, one aggregate query per kind of news for all the listed stories
at once (window functions keep the first new reply and the newest events of each story), so a
page costs the same few statements however much happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, Subquery, func, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement

from forum.db import UTCDateTime, commit_if_free, db, is_busy
from forum.following.models import StoryLastSeen
from forum.governance.audit import target_type
from forum.governance.models import AuditEntry
from forum.stories.aliases import TELLER_ALIAS
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, StoryChange

MAX_EVENTS = 5  # per story: the newest moderator messages and changes shown

# The audit actions a teller hears about, in plain words; whether the entry's reason is a
# message for them (the moderator's words to the teller, or the public reason for a decision).
# Actions the teller took themselves (withdraw, resubmit, accept an edit) are not news.
EVENT_WORDS: dict[str, tuple[str, bool]] = {
    "approve": ("Your story was published.", False),
    "request_changes": ("A moderator has asked for changes.", True),
    "reject": ("A moderator decided not to publish your story.", True),
    "redact": ("A moderator has suggested an edit to your story.", True),
    "hide": ("A moderator took your story down.", True),
    "auto_hide": ("Your story is hidden while a moderator looks at reports about it.", False),
    "restore": ("A moderator looked at your story and put it back.", True),
    "dismiss_reports": ("A moderator looked at reports about your story and kept it up.", True),
    "caring_message": ("A moderator sent you a message with places to find support.", False),
    "adjust_tags": ("A moderator adjusted your story's tags.", True),
    "lock": ("Replies to your story are now closed.", True),
    "unlock": ("Replies to your story are open again.", False),
    "feature": ("Your story is now featured.", False),
    "unfeature": ("Your story is no longer featured.", False),
    "pin": ("Your story is pinned near the top of the list.", False),
    "unpin": ("Your story is no longer pinned.", False),
}
# Decisions on the teller's updates and proposed edits (audited on the StoryChange).
CHANGE_EVENT_WORDS: dict[str, tuple[str, bool]] = {
    "approve_update": ("Your update was approved and shows under your story.", False),
    "reject_update": ("A moderator decided not to show your update.", True),
    "hide_update": ("A moderator took your update down.", True),
    "accept_revision": ("A moderator accepted your edit: your story shows the new text.", False),
    "decline_revision": ("A moderator kept the published text instead of your edit.", True),
}


@dataclass(frozen=True)
class Event:
    """A moderator's message or a change of state, in the teller's words."""

    words: str
    message: str


@dataclass
class StoryNews:
    """What is new on one story since the last look; `newest` is where the mark moves to."""

    story_id: int
    title: str = ""
    published: bool = False  # whether its page (and so a reply's anchor) can be linked to
    replies: int = 0
    first_reply_id: int | None = None
    first_reply_at: datetime | None = None
    reactions: dict[ReactionKind, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    more_events: int = 0
    newest: datetime | None = None

    @property
    def reaction_lines(self) -> list[tuple[ReactionKind, int]]:
        """The new reactions of each kind, in the order the story page shows them."""
        return [(kind, self.reactions[kind]) for kind in ReactionKind if self.reactions.get(kind)]

    def describe(self, title: str, status: Status) -> StoryNews:
        """Note the story's title and whether it is published; returns itself."""
        self.title, self.published = title, status is Status.PUBLISHED
        return self

    def _saw(self, moment: datetime | None) -> None:
        if moment is not None and (self.newest is None or moment > self.newest):
            self.newest = moment


def _since(column) -> ColumnElement:
    return func.coalesce(StoryLastSeen.seen_until, column, type_=UTCDateTime())


def teller_marks(story_ids: frozenset[int] | None = None, author_id: int | None = None) -> Subquery:
    """(story_id, since) for a teller's stories: by id (a status page) or by account.

    Exactly one of the two must be given: nothing here ever reads every story's marks.
    """
    if (story_ids is None) == (author_id is None):
        raise ValueError("teller_marks needs story ids or an author, not both or neither")
    query = select(Story.id.label("story_id"), _since(Story.submitted_at).label("since"))
    query = query.outerjoin(StoryLastSeen, StoryLastSeen.story_id == Story.id)
    if story_ids is not None:
        query = query.where(Story.id.in_(sorted(story_ids)))
    if author_id is not None:
        query = query.where(Story.author_id == author_id)
    return query.subquery("marks")


def is_new_reply(marks: Subquery, follower_id: int | None = None) -> list[ColumnElement]:
    """A published reply after the mark, not by the one looking: for the teller (no
    follower_id) not under the teller's own alias, for a follower not from their account."""
    mine = (
        Reply.alias == TELLER_ALIAS
        if follower_id is None
        else Reply.author_id.is_not_distinct_from(follower_id)
    )
    return [
        Reply.story_id == marks.c.story_id,
        Reply.status == Status.PUBLISHED,
        ~mine,
        Reply.published_at > marks.c.since,
    ]


def _is_new_reaction(marks: Subquery) -> list[ColumnElement]:
    return [Reaction.story_id == marks.c.story_id, Reaction.created_at > marks.c.since]


def _is_new_event(marks: Subquery) -> list[ColumnElement]:
    return [
        AuditEntry.target_type == target_type(Story),
        AuditEntry.target_id == marks.c.story_id,
        AuditEntry.action.in_(sorted(EVENT_WORDS)),
        AuditEntry.created_at > marks.c.since,
    ]


def _is_new_change_event(marks: Subquery) -> list[ColumnElement]:
    """A decision on one of the story's updates or revisions after the mark."""
    return [
        StoryChange.story_id == marks.c.story_id,
        AuditEntry.target_type == target_type(StoryChange),
        AuditEntry.target_id == StoryChange.id,
        AuditEntry.action.in_(sorted(CHANGE_EVENT_WORDS)),
        AuditEntry.created_at > marks.c.since,
    ]


def _new_events(marks: Subquery) -> Subquery:
    """(story_id, id, action, reason, created_at) of every new event: the story's own entries
    and those of its changes, each read through its index (target_type, target_id)."""
    columns = (AuditEntry.id, AuditEntry.action, AuditEntry.reason, AuditEntry.created_at)
    own = select(marks.c.story_id, *columns).where(*_is_new_event(marks))
    changes = select(marks.c.story_id, *columns).where(*_is_new_change_event(marks))
    return union_all(own, changes).subquery("new_events")


def new_replies(marks: Subquery, follower_id: int | None = None) -> Subquery:
    """Per story with new replies: the first new one (id, published_at), how many, the newest."""
    by_story = Reply.story_id
    ranked = (
        select(
            Reply.story_id,
            Reply.id,
            Reply.published_at,
            func.row_number()
            .over(partition_by=by_story, order_by=(Reply.published_at, Reply.id))
            .label("position"),
            func.count(Reply.id).over(partition_by=by_story).label("total"),
            func.max(Reply.published_at).over(partition_by=by_story).label("newest"),
        )
        .join(marks, marks.c.story_id == Reply.story_id)
        .where(*is_new_reply(marks, follower_id))
        .subquery("ranked_replies")
    )
    return (
        select(
            ranked.c.story_id,
            ranked.c.id,
            ranked.c.published_at,
            ranked.c.total,
            ranked.c.newest,
        )
        .where(ranked.c.position == 1)
        .subquery("new_replies")
    )


def _reaction_counts(marks: Subquery) -> Select:
    return (
        select(
            Reaction.story_id,
            Reaction.kind,
            func.count(Reaction.id),
            func.max(Reaction.created_at),
        )
        .join(marks, marks.c.story_id == Reaction.story_id)
        .where(*_is_new_reaction(marks))
        .group_by(Reaction.story_id, Reaction.kind)
    )


def _newest_events(marks: Subquery) -> Select:
    events = _new_events(marks)
    by_story = events.c.story_id
    newest_first = (events.c.created_at.desc(), events.c.id.desc())
    ranked = select(
        events.c.story_id,
        events.c.action,
        events.c.reason,
        events.c.created_at,
        func.row_number().over(partition_by=by_story, order_by=newest_first).label("position"),
        func.count(events.c.id).over(partition_by=by_story).label("total"),
    ).subquery("ranked_events")
    return (
        select(ranked)
        .where(ranked.c.position <= MAX_EVENTS)
        .order_by(ranked.c.story_id, ranked.c.created_at, ranked.c.position.desc())
    )


def teller_news(marks: Subquery) -> dict[int, StoryNews]:
    """New replies, reactions and moderator events of a teller's stories, in three queries;
    only the stories with something new are in the answer."""
    found: dict[int, StoryNews] = {}

    def news(story_id: int) -> StoryNews:
        return found.setdefault(story_id, StoryNews(story_id))

    replies = new_replies(marks)
    for story_id, reply_id, published_at, count, newest in db.session.execute(select(replies)):
        item = news(story_id)
        item.replies, item.first_reply_id, item.first_reply_at = count, reply_id, published_at
        item._saw(newest)
    for story_id, kind, count, newest in db.session.execute(_reaction_counts(marks)):
        item = news(story_id)
        item.reactions[kind] = count
        item._saw(newest)
    for row in db.session.execute(_newest_events(marks)):
        words, shows_reason = EVENT_WORDS.get(row.action) or CHANGE_EVENT_WORDS[row.action]
        item = news(row.story_id)
        item.events.append(Event(words, row.reason if shows_reason else ""))
        item.more_events = max(row.total - MAX_EVENTS, 0)
        item._saw(row.created_at)
    return found


def status_page_news(stories: Iterable[Story]) -> dict[int, StoryNews]:
    """The news of the stories a status page lists (three queries; none for no stories)."""
    listed = {story.id: story for story in stories}
    if not listed:
        return {}
    found = teller_news(teller_marks(story_ids=frozenset(listed)))
    return {
        story_id: item.describe(listed[story_id].title, listed[story_id].status)
        for story_id, item in found.items()
    }


def has_teller_news(marks: Subquery) -> Select:
    """The ids of the stories in `marks` with anything new (for the header count)."""
    return select(marks.c.story_id).where(
        select(Reply.id).where(*is_new_reply(marks)).exists()
        | select(Reaction.id).where(*_is_new_reaction(marks)).exists()
        | select(AuditEntry.id).where(*_is_new_event(marks)).exists()
        | select(AuditEntry.id).where(*_is_new_change_event(marks)).exists()
    )


def mark_statement(news: Iterable[StoryNews]) -> Executable | None:
    """The statement that moves each story's mark to the newest thing shown, never back
    (an upsert: the first look adds the row); None when nothing was new."""
    rows = [
        {"story_id": item.story_id, "seen_until": item.newest}
        for item in news
        if item.newest is not None
    ]
    if not rows:
        return None
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(StoryLastSeen).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[StoryLastSeen.story_id],
        set_={"seen_until": statement.excluded.seen_until},
        where=StoryLastSeen.seen_until < statement.excluded.seen_until,
    )


def save_marks(*statements: Executable | None) -> bool:
    """Run the mark statements and commit, after the page showing the news has rendered.

    A page view must not fail for this bookkeeping: if SQLite's write lock is taken, the
    marks stay where they were and move on a later look (the news shows once more).
    """
    try:
        for statement in statements:
            if statement is not None:
                db.session.execute(statement)
    except OperationalError as error:
        if not is_busy(error):
            raise
        db.session.rollback()
        return False
    return commit_if_free()


def mark_seen(news: Iterable[StoryNews]) -> bool:
    """Mark a teller's stories' news as seen (see save_marks)."""
    return save_marks(mark_statement(news))
