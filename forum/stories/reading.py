"""What readers see: published stories, filtered and paged by keyset, with their counts.

Only published content is visible to readers, and every derived view (counts, feeds, tag
pages, aliases) checks visibility first (SECURITY.md §2, CVE-2026-32620).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.db import db
from forum.errors import NotFound
from forum.search import engines as search
from forum.search.query import SearchQuery
from forum.stories import counters
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, StoryKind, StoryTag
from forum.taxonomy.models import ProblemKind, Tag, TagKind

PAGE_SIZE = 20
REPLY_PAGE_SIZE = 50
# Relevance-ranked results page by offset, so their number is bounded: a reader who has not
# found it in MAX_SEARCH_PAGES pages is better helped by other words than by more pages.
MAX_SEARCH_PAGES = 10


@dataclass(frozen=True)
class StoryFilters:
    """The /stories filters of the public URL contract."""

    kind: StoryKind | None = None
    tags: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    practice: tuple[str, ...] = ()
    setting: str | None = None
    format: str | None = None
    problem_kind: str | None = None
    # Reader muting, kept in the session like hidden tags: content-note slugs, and words
    # matched (any case) in the title and the start of the story the excerpt is cut from.
    mute_notes: tuple[str, ...] = ()
    mute_words: tuple[str, ...] = ()
    # Words the story must hold (forum/search): a non-empty query, or None for no search.
    search: SearchQuery | None = None


# How much of a story's text its listing excerpt comes from (forum/stories/views.py).
EXCERPT_SOURCE = 300


def _like(word: str) -> str:
    """A LIKE pattern finding word anywhere, its wildcards escaped (linear-time matching)."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _muted(filters: StoryFilters):
    """SQL: the story carries a muted content note or a muted word (to leave it out)."""
    clauses = []
    if filters.mute_notes:
        # content_notes is space separated: pad it so "abuse" never matches "sexual-abuse".
        padded = literal(" ") + Story.content_notes + literal(" ")
        clauses += [padded.like(f"% {slug} %") for slug in filters.mute_notes]
    for word in filters.mute_words:
        pattern = _like(word)
        clauses.append(func.lower(Story.title).like(pattern, escape="\\"))
        start = func.substr(Story.body, 1, EXCERPT_SOURCE)
        clauses.append(func.lower(start).like(pattern, escape="\\"))
    return or_(*clauses)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the last story's publication time and id (a keyset)."""

    published_at: datetime
    story_id: int

    def encode(self) -> str:
        """As a URL parameter."""
        return f"{int(self.published_at.timestamp() * 1_000_000)}-{self.story_id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """Parse a URL parameter; anything malformed means the first page."""
        try:
            micros, story_id = (raw or "").split("-")
            stamp = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
            return cls(published_at=stamp, story_id=int(story_id))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class CardCounts:
    """What a story card shows beside the story: its published replies and support reactions."""

    replies: int = 0
    reactions: dict[ReactionKind, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CardTag:
    """A tag as a story's card, page, feed entry or API item names it: plain data, not a row."""

    id: int
    slug: str
    name: str
    kind: TagKind
    retired: bool


@dataclass(frozen=True)
class StoryPage:
    """One page of stories, and the cursor (or, for ranked results, the page number) of the
    next page if there is one; each story's card counts and tags (in the teller's order), by
    story id."""

    stories: list[Story]
    next_cursor: Cursor | None
    next_page: int | None = None
    counts: dict[int, CardCounts] = field(default_factory=dict)
    tags: dict[int, tuple[CardTag, ...]] = field(default_factory=dict)


def _has_tag(slugs):
    """SQL: the story carries one of these tags.

    OFFSET 0 keeps PostgreSQL from turning the test into a join that first reads every story
    the tag is on (which grows with the data): it tests each candidate story with one index
    lookup instead. Measured at 100,000 stories, a search with a tag and a setting: 17 ms of
    its 19 went on reading the tag's 30,000 stories. SQLite tests story by story anyway.
    """
    return (
        select(StoryTag.story_id)
        .join(Tag, StoryTag.tag_id == Tag.id)
        .where(StoryTag.story_id == Story.id, Tag.slug.in_(slugs))
        .offset(0)
        .exists()
    )


def _conditions(filters: StoryFilters) -> list[ColumnElement[bool]]:
    """SQL: a story is published and passes every filter but the search (which is a join)."""
    conditions: list[ColumnElement[bool]] = [Story.status == Status.PUBLISHED]
    if filters.kind:
        conditions.append(Story.kind == filters.kind)
    if filters.tags:
        conditions.append(_has_tag(filters.tags))
    if filters.practice:
        conditions.append(_has_tag(filters.practice))
    if filters.exclude:
        conditions.append(~_has_tag(filters.exclude))
    if filters.setting:
        conditions.append(Story.setting == filters.setting)
    if filters.format:
        conditions.append(Story.format == filters.format)
    if filters.problem_kind:
        conditions.append(Story.problem_kind.has(ProblemKind.slug == filters.problem_kind))
    if filters.mute_notes or filters.mute_words:
        conditions.append(~_muted(filters))
    return conditions


def _filtered(query, filters: StoryFilters, matches=None):
    """Published stories matching the filters: the one place the filter rules live.

    A search joins the engine's matches (story_id, rank); pass `matches` to order by its rank.
    """
    if filters.search is not None:
        matches = matches if matches is not None else search.matching(filters.search)
        query = query.join_from(Story, matches, matches.c.story_id == Story.id)
    return query.where(*_conditions(filters))


def _reaction_counts():
    """Correlated counts of each kind of support reaction, in ReactionKind order."""
    return [
        select(func.count(Reaction.id))
        .where(Reaction.story_id == Story.id, Reaction.kind == kind)
        .correlate(Story)
        .scalar_subquery()
        for kind in ReactionKind
    ]


def _card_counts():
    """Correlated counts for each story of a page, selected in the page's own statement."""
    replies = (
        select(func.count(Reply.id))
        .where(Reply.story_id == Story.id, Reply.status == Status.PUBLISHED)
        .correlate(Story)
        .scalar_subquery()
    )
    return [replies, *_reaction_counts()]


PINNED_ON_FIRST_PAGE = 3


def pinned_for_page(filters: StoryFilters, after: Cursor | None, page: int = 1) -> StoryPage | None:
    """The pinned stories that lead the first page of a listing (none on later pages, and none
    in a search, which is ordered by its words); they also keep their place by date below."""
    if after is not None or page > 1 or filters.search is not None:
        return None
    return published_stories(filters, limit=PINNED_ON_FIRST_PAGE, pinned_only=True)


def _before_keyset():
    """SQL: the story comes after the keyset (bound as after_at, after_id) newest first."""
    after_at = bindparam("after_at", type_=Story.published_at.type)
    after_id = bindparam("after_id", type_=Story.id.type)
    return or_(
        Story.published_at < after_at, and_(Story.published_at == after_at, Story.id < after_id)
    )


# How many matches a search page orders: the most recently shared ones that pass every filter
# (and the keyset). Ranking or sorting every match of a common word grows with the data; these
# are read newest first from the index itself and stop here, so a page costs the same at any
# size. The trade-off: when more stories match, relevance is judged among the newest
# SEARCH_CANDIDATES only (older ones are still found by "newest first" and by narrower words).
SEARCH_CANDIDATES = 500


# How many of the newest matches (or, with no search, the newest stories) a ranked page and a
# filtered count read, whatever passes their filters, so that filters which pass few stories do
# not make them read every story either. Past it a count is a lower bound ("N or more") and a
# ranked page holds the best of these; newest first still pages through every match.
NEWEST_EXAMINED = 2000


def _search_page(
    filters: StoryFilters,
    keyset: bool,
    limit: int,
    ranked: bool,
    page: int,
    bounds: tuple[int, int],
):
    """A search page's (id, published_at, rank) rows, best or newest first, limit + 1 of them;
    `bounds` are (NEWEST_EXAMINED, SEARCH_CANDIDATES) as they stand."""
    newest_examined, candidates_read = bounds
    assert filters.search is not None
    # Unfiltered, the LIMIT below already stops after SEARCH_CANDIDATES matches; the window
    # is for filters that pass few (on PostgreSQL it also costs a rare word its GIN index).
    filtered = replace(filters, search=None) != StoryFilters()
    newest = newest_examined if ranked and filtered else None
    matches = search.matching(filters.search, recent_first=True, newest=newest)
    candidates = _filtered(select(Story.id, Story.published_at, matches.c.rank), filters, matches)
    if keyset and not ranked:
        candidates = candidates.where(_before_keyset())

    found = candidates.order_by(matches.c.story_id.desc()).limit(candidates_read).subquery("found")
    order = [found.c.published_at.desc(), found.c.id.desc()]
    query = select(found.c.id, found.c.published_at, found.c.rank)
    if ranked:
        query = query.order_by(found.c.rank, *order).offset((page - 1) * limit)
    else:
        query = query.order_by(*order)
    return query.limit(limit + 1).subquery("page")


def published_stories(
    filters: StoryFilters = StoryFilters(),
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    featured_only: bool = False,
    pinned_only: bool = False,
    ranked: bool = False,
    page: int = 1,
) -> StoryPage:
    """Published stories, newest first, filtered; a bounded number of queries per page.

    Tags within one filter are alternatives (any of them); `exclude` removes a story that
    carries any excluded tag. With a search, `ranked` orders by relevance instead and pages
    by number (`page`, at most MAX_SEARCH_PAGES) rather than by keyset.
    """
    ranked = ranked and filters.search is not None
    page = min(max(page, 1), MAX_SEARCH_PAGES) if ranked else 1
    dialect = db.session.get_bind().dialect.name
    shape = (filters, after is not None, limit, featured_only, pinned_only, ranked, page)
    bounds = (NEWEST_EXAMINED, SEARCH_CANDIDATES)
    keyset = {"after_at": after.published_at, "after_id": after.story_id} if after else {}
    rows = list(db.session.execute(_page_statement(dialect, *shape, bounds), keyset))
    more = len(rows) > limit
    rows = rows[:limit]
    stories = [row[0] for row in rows]
    kinds = list(ReactionKind)
    counts = {row[0].id: CardCounts(row[1], dict(zip(kinds, row[2:], strict=True))) for row in rows}
    next_cursor = next_page = None
    if more and ranked:
        next_page = page + 1 if page < MAX_SEARCH_PAGES else None
    elif more:
        next_cursor = Cursor(stories[-1].published_at, stories[-1].id)
    return StoryPage(stories, next_cursor, next_page, counts, _card_tags([s.id for s in stories]))


# Bounded: a few dozen shapes are common (each listing, tag page and feed); a reader's own
# filters and mutes add more, and the least recently used go first.
@functools.lru_cache(maxsize=256)
def _page_statement(
    dialect: str,
    filters: StoryFilters,
    keyset: bool,
    limit: int,
    featured_only: bool,
    pinned_only: bool,
    ranked: bool,
    page: int,
    bounds: tuple[int, int],
) -> Select:
    """published_stories' statement, built once per process for each shape of page (building
    it cost more than running it); a keyset is bound as after_at and after_id. The dialect is
    part of the key because a search's statement is the engine's own, and so are the bounds
    of a search (_search_page)."""
    if filters.search is not None:
        chosen = _search_page(filters, keyset, limit, ranked, page, bounds)
    else:
        query = _filtered(select(Story.id, Story.published_at), filters)
        # Bare columns (`pinned = 1` on SQLite): the very terms of the partial indexes' WHERE
        # (ix_stories_pinned, ix_stories_featured).
        if featured_only:
            query = query.where(Story.featured)
        if pinned_only:
            query = query.where(Story.pinned)
        if keyset:
            query = query.where(_before_keyset())
        query = query.order_by(Story.published_at.desc(), Story.id.desc())
        chosen = query.limit(limit + 1).subquery("page")
    # The page's ids first, then its stories with their card counts: the counts are then
    # worked out for the page alone, never for every match a ranking sorts.
    page_order = [chosen.c.rank] if ranked else []
    page_order += [chosen.c.published_at.desc(), chosen.c.id.desc()]
    return (
        select(Story, *_card_counts()).join(chosen, chosen.c.id == Story.id).order_by(*page_order)
    )


_CARD_TAGS = (
    select(StoryTag.story_id, Tag.id, Tag.slug, Tag.name, Tag.kind, Tag.retired)
    .join(Tag, Tag.id == StoryTag.tag_id)
    .where(StoryTag.story_id.in_(bindparam("story_ids", expanding=True)))
    .order_by(StoryTag.story_id, StoryTag.position, StoryTag.tag_id)
)


def _card_tags(story_ids: list[int]) -> dict[int, tuple[CardTag, ...]]:
    """The tags of a page of stories, in one query of plain columns (no rows to build: loading
    them as StoryTag and Tag objects cost half of what a /stories page spent in SQLAlchemy)."""
    if not story_ids:
        return {}
    rows = db.session.execute(_CARD_TAGS, {"story_ids": story_ids})
    found: dict[int, list[CardTag]] = {}
    for story_id, tag_id, slug, name, kind, retired in rows:
        found.setdefault(story_id, []).append(CardTag(tag_id, slug, name, kind, retired))
    return {story_id: tuple(tags) for story_id, tags in found.items()}


_PUBLISHED_STORY = select(Story).where(
    Story.id == bindparam("story_id", type_=Story.id.type), Story.status == Status.PUBLISHED
)


def get_published_story(story_id: int) -> Story:
    """A published story to react or reply to; anything else is NotFound, whoever asks. Its
    page and the API read it with its tags and counts instead (published_story_page)."""
    story = db.session.scalar(_PUBLISHED_STORY, {"story_id": story_id})
    if story is None:
        raise NotFound("Story not found.")
    return story


@dataclass(frozen=True)
class StoryOnPage:
    """A published story as its page shows it: the story with its answers, its tags in the
    teller's order, and its support reaction counts."""

    story: Story
    tags: tuple[CardTag, ...]
    reactions: dict[ReactionKind, int]


_STORY_ON_PAGE = (
    select(Story, *_reaction_counts())
    .where(Story.id == bindparam("story_id", type_=Story.id.type), Story.status == Status.PUBLISHED)
    .options(selectinload(Story.answers))
)


def published_story_page(story_id: int) -> StoryOnPage:
    """A published story for its page, in three statements (the story with its counts, its
    answers, its tags); anything not published is NotFound, whoever asks."""
    row = db.session.execute(_STORY_ON_PAGE, {"story_id": story_id}).first()
    if row is None:
        raise NotFound("Story not found.")
    story, *counts = row
    reactions = dict(zip(ReactionKind, counts, strict=True))
    return StoryOnPage(story, _card_tags([story.id]).get(story.id, ()), reactions)


@dataclass(frozen=True)
class ShownReply:
    """A published reply as its story's page shows it: plain data, not a row."""

    id: int
    published_at: datetime
    body_html: str  # sanitised when it was stored
    byline: str  # the member's handle if they chose to show it, else the thread alias


@dataclass(frozen=True)
class ReplyPage:
    """Up to REPLY_PAGE_SIZE published replies, oldest first, with how many there are in all
    and the keysets (the first and last reply shown) of the pages before and after, if any."""

    replies: list[ShownReply]
    total: int
    earlier: Cursor | None = None
    later: Cursor | None = None


def _reply_key(reply: ShownReply) -> Cursor:
    # Cursor's id is the reply's here: replies page by (published_at, id) as stories do.
    return Cursor(reply.published_at, reply.id)


def published_replies(story: Story) -> list[Reply]:
    """All the published replies of a published story, oldest first (pages use reply_page)."""
    if not story.is_published:
        return []
    return list(
        db.session.scalars(
            select(Reply)
            .where(Reply.story_id == story.id, Reply.status == Status.PUBLISHED)
            .order_by(Reply.published_at, Reply.id)
        )
    )


def reply_page(
    story: Story,
    after: Cursor | None = None,
    before: Cursor | None = None,
    newest: bool = False,
    limit: int = REPLY_PAGE_SIZE,
) -> ReplyPage:
    """One page of a published story's published replies, oldest first, in one query: the
    first page, the page after or before a keyset, or the newest replies."""
    if not story.is_published:
        return ReplyPage([], 0)
    backwards = newest or before is not None
    start = "after" if after is not None else "before" if before is not None else None
    key = after or before
    values: dict[str, object] = {"story_id": story.id}
    if key is not None:
        values |= {"key_at": key.published_at, "key_id": key.story_id}
    rows = list(db.session.execute(_reply_statement(start, backwards, limit), values))
    if not rows:
        return ReplyPage([], 0 if after is None and before is None else _count_replies(story))
    more = len(rows) > limit
    replies = [
        ShownReply(row.id, row.published_at, row.body_html, _byline(row)) for row in rows[:limit]
    ]
    if backwards:
        replies.reverse()
    earlier = later = None
    if backwards:
        earlier = _reply_key(replies[0]) if more else None
        later = _reply_key(replies[-1]) if before is not None else None
    else:
        earlier = _reply_key(replies[0]) if after is not None else None
        later = _reply_key(replies[-1]) if more else None
    return ReplyPage(replies, rows[0].total, earlier, later)


def _byline(row) -> str:
    """Who a reply is by: the member's handle if they chose to show it, else its alias."""
    return row.handle if row.show_handle and row.handle is not None else row.alias


@functools.lru_cache(maxsize=16)
def _reply_statement(start: str | None, backwards: bool, limit: int) -> Select:
    """reply_page's statement, built once per process for each kind of page: the story is
    bound as story_id and a keyset (`start` "after" or "before" it) as key_at and key_id."""
    published = and_(
        Reply.story_id == bindparam("story_id", type_=Reply.story_id.type),
        Reply.status == Status.PUBLISHED,
    )
    total = select(func.count(Reply.id)).where(published).scalar_subquery()
    shown = (Reply.id, Reply.published_at, Reply.body_html, Reply.alias, Reply.show_handle)
    query = (
        select(*shown, User.handle, total.label("total"))
        .outerjoin(User, User.id == Reply.author_id)
        .where(published)
    )
    key_at = bindparam("key_at", type_=Reply.published_at.type)
    key_id = bindparam("key_id", type_=Reply.id.type)
    if start == "after":
        query = query.where(
            or_(Reply.published_at > key_at, and_(Reply.published_at == key_at, Reply.id > key_id))
        )
    elif start == "before":
        query = query.where(
            or_(Reply.published_at < key_at, and_(Reply.published_at == key_at, Reply.id < key_id))
        )
    order = (
        [Reply.published_at.desc(), Reply.id.desc()]
        if backwards
        else [Reply.published_at, Reply.id]
    )
    return query.order_by(*order).limit(limit + 1)


def _count_replies(story: Story) -> int:
    """How many published replies a story has (for a keyset page past the last one)."""
    return (
        db.session.scalar(
            select(func.count(Reply.id)).where(
                Reply.story_id == story.id, Reply.status == Status.PUBLISHED
            )
        )
        or 0
    )


def tag_counts() -> dict[str, int]:
    """How many published stories carry each tag (tags with none are left out), read from the
    counters (forum/stories/counters.py)."""
    rows = db.session.execute(
        select(Tag.slug, Tag.experience_stories + Tag.practice_stories).where(
            Tag.experience_stories + Tag.practice_stories > 0
        )
    )
    return {slug: count for slug, count in rows}


@dataclass(frozen=True)
class Total:
    """How many published stories match: exactly, or at least `count` (`more`)."""

    count: int
    more: bool = False


def count_published_stories(filters: StoryFilters = StoryFilters()) -> Total:
    """How many published stories match the filters (the /stories heading), in one query.

    Read from the counters (forum/stories/counters.py) for all stories, one kind, or one tag;
    any other filter is counted among the newest NEWEST_EXAMINED stories or matches, so past
    that the count is a lower bound (`more`).
    """
    single = filters.tags if not filters.practice else filters.practice
    by_counter = (
        len(single) <= 1
        and not (filters.tags and filters.practice)
        and not (filters.exclude or filters.setting or filters.format or filters.problem_kind)
        and not (filters.mute_notes or filters.mute_words or filters.search)
    )
    if by_counter and not single:
        return Total(counters.published_total(filters.kind))
    if by_counter:
        kinds = [filters.kind] if filters.kind else list(StoryKind)
        count = sum(counters.tag_column(kind) for kind in kinds)
        return Total(db.session.scalar(select(count).where(Tag.slug == single[0])) or 0)
    if filters.search is not None:
        matches = search.matching(filters.search, recent_first=True)
        newest = select(matches.c.story_id).order_by(matches.c.story_id.desc())
    else:
        newest = (
            select(Story.id.label("story_id"))
            .where(Story.status == Status.PUBLISHED)
            .order_by(Story.published_at.desc(), Story.id.desc())
        )
    examined = newest.limit(NEWEST_EXAMINED + 1).subquery("examined")
    # Tested row by row, in the select list: joined instead, PostgreSQL would first find every
    # story that passes the filters (all of a tag's stories, say) and then match them up.
    passes = exists().where(Story.id == examined.c.story_id, *_conditions(filters))
    read, found = db.session.execute(
        select(func.count(), func.count(case((passes, 1)))).select_from(examined)
    ).one()
    return Total(found, more=read > NEWEST_EXAMINED)


def tag_page_counts() -> dict[str, int]:
    """Per tag, how many published stories its tag page lists, in one query (the counters).

    A harm tag's page lists "What happened" stories and a practice tag's page lists "What
    helped" posts, so these can be lower than `tag_counts()`.
    """
    rows = db.session.execute(
        select(
            Tag.slug,
            case((Tag.kind == TagKind.HARM, Tag.experience_stories), else_=Tag.practice_stories),
        )
    )
    return {slug: count for slug, count in rows if count}


def published_tag_stories(
    tag: Tag,
    after: Cursor | None = None,
    exclude: tuple[str, ...] = (),
    limit: int = PAGE_SIZE,
    mute_notes: tuple[str, ...] = (),
    mute_words: tuple[str, ...] = (),
) -> StoryPage:
    """What a tag's page and feed list: "What happened" stories carrying a harm tag, or
    "What helped" posts carrying a practice tag; published only, newest first."""
    mutes: dict[str, Any] = {"exclude": exclude, "mute_notes": mute_notes, "mute_words": mute_words}
    if tag.kind is TagKind.HARM:
        filters = StoryFilters(kind=StoryKind.EXPERIENCE, tags=(tag.slug,), **mutes)
    else:
        filters = StoryFilters(kind=StoryKind.PRACTICE, practice=(tag.slug,), **mutes)
    return published_stories(filters, after=after, limit=limit)
