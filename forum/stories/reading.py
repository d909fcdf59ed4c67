"""What readers see: published stories, filtered and paged by keyset, with their counts.

Only published content is visible to readers, and every derived view (counts, feeds, tag
pages, aliases) checks visibility first (SECURITY.md §2, CVE-2026-32620).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from forum.db import db
from forum.errors import NotFound
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, StoryKind, StoryTag
from forum.taxonomy.models import ProblemKind, Tag, TagKind

PAGE_SIZE = 20


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
class StoryPage:
    """One page of stories, and the cursor of the next page if there is one."""

    stories: list[Story]
    next_cursor: Cursor | None


def _has_tag(slugs):
    return exists().where(
        StoryTag.story_id == Story.id, StoryTag.tag_id == Tag.id, Tag.slug.in_(slugs)
    )


def _filtered(query, filters: StoryFilters):
    """Published stories matching the filters: the one place the filter rules live."""
    query = query.where(Story.status == Status.PUBLISHED)
    if filters.kind:
        query = query.where(Story.kind == filters.kind)
    if filters.tags:
        query = query.where(_has_tag(filters.tags))
    if filters.practice:
        query = query.where(_has_tag(filters.practice))
    if filters.exclude:
        query = query.where(~_has_tag(filters.exclude))
    if filters.setting:
        query = query.where(Story.setting == filters.setting)
    if filters.format:
        query = query.where(Story.format == filters.format)
    if filters.problem_kind:
        query = query.where(Story.problem_kind.has(ProblemKind.slug == filters.problem_kind))
    if filters.mute_notes or filters.mute_words:
        query = query.where(~_muted(filters))
    return query


PINNED_ON_FIRST_PAGE = 3


def pinned_for_page(filters: StoryFilters, after: Cursor | None) -> list[Story]:
    """The pinned stories that lead the first page (none on later pages); they also keep
    their place by date in the list below."""
    if after is not None:
        return []
    return published_stories(filters, limit=PINNED_ON_FIRST_PAGE, pinned_only=True).stories


def published_stories(
    filters: StoryFilters = StoryFilters(),
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    featured_only: bool = False,
    pinned_only: bool = False,
) -> StoryPage:
    """Published stories, newest first, filtered; a bounded number of queries per page.

    Tags within one filter are alternatives (any of them); `exclude` removes a story that
    carries any excluded tag.
    """
    query = _filtered(select(Story), filters)
    if featured_only:
        query = query.where(Story.featured.is_(True))
    if pinned_only:
        query = query.where(Story.pinned.is_(True))
    if after is not None:
        query = query.where(
            or_(
                Story.published_at < after.published_at,
                and_(Story.published_at == after.published_at, Story.id < after.story_id),
            )
        )
    query = (
        query.options(selectinload(Story.story_tags))
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit + 1)
    )
    stories = list(db.session.scalars(query))
    next_cursor = None
    if len(stories) > limit:
        stories = stories[:limit]
        last = stories[-1]
        next_cursor = Cursor(last.published_at, last.id)
    return StoryPage(stories=stories, next_cursor=next_cursor)


def get_published_story(story_id: int) -> Story:
    """A published story for readers; anything else is NotFound, whoever asks."""
    story = db.session.scalar(
        select(Story)
        .where(Story.id == story_id, Story.status == Status.PUBLISHED)
        .options(selectinload(Story.story_tags), selectinload(Story.answers))
    )
    if story is None:
        raise NotFound("Story not found.")
    return story


def published_replies(story: Story) -> list[Reply]:
    """The published replies of a published story, oldest first."""
    if not story.is_published:
        return []
    return list(
        db.session.scalars(
            select(Reply)
            .where(Reply.story_id == story.id, Reply.status == Status.PUBLISHED)
            .order_by(Reply.published_at, Reply.id)
        )
    )


def tag_counts() -> dict[str, int]:
    """How many published stories carry each tag (tags with none are left out)."""
    rows = db.session.execute(
        select(Tag.slug, func.count(StoryTag.story_id))
        .join(StoryTag, StoryTag.tag_id == Tag.id)
        .join(Story, Story.id == StoryTag.story_id)
        .where(Story.status == Status.PUBLISHED)
        .group_by(Tag.slug)
    )
    return {slug: count for slug, count in rows}


def reaction_counts(story: Story) -> dict[ReactionKind, int]:
    """Support reaction counts for a published story; nothing for any other."""
    counts = dict.fromkeys(ReactionKind, 0)
    if not story.is_published:
        return counts
    rows = db.session.execute(
        select(Reaction.kind, func.count(Reaction.id))
        .where(Reaction.story_id == story.id)
        .group_by(Reaction.kind)
    )
    for kind, count in rows:
        counts[kind] = count
    return counts


def count_published_stories(filters: StoryFilters = StoryFilters()) -> int:
    """How many published stories match the filters, in one query (the /stories heading)."""
    return db.session.scalar(_filtered(select(func.count(Story.id)), filters)) or 0


def tag_page_counts() -> dict[str, int]:
    """Per tag, how many published stories its tag page lists, in one query.

    A harm tag's page lists "What happened" stories and a practice tag's page lists "What
    helped" posts, so these can be lower than `tag_counts()`.
    """
    rows = db.session.execute(
        select(Tag.slug, func.count(StoryTag.story_id))
        .join(StoryTag, StoryTag.tag_id == Tag.id)
        .join(Story, Story.id == StoryTag.story_id)
        .where(
            Story.status == Status.PUBLISHED,
            or_(
                and_(Tag.kind == TagKind.HARM, Story.kind == StoryKind.EXPERIENCE),
                and_(Tag.kind == TagKind.PRACTICE, Story.kind == StoryKind.PRACTICE),
            ),
        )
        .group_by(Tag.slug)
    )
    return {slug: count for slug, count in rows}


def published_tag_stories(
    tag: Tag, after: Cursor | None = None, exclude: tuple[str, ...] = (), limit: int = PAGE_SIZE,
    mute_notes: tuple[str, ...] = (), mute_words: tuple[str, ...] = (),
) -> StoryPage:  # fmt: skip
    """What a tag's page and feed list: "What happened" stories carrying a harm tag, or
    "What helped" posts carrying a practice tag; published only, newest first."""
    mutes: dict[str, Any] = {"exclude": exclude, "mute_notes": mute_notes, "mute_words": mute_words}
    if tag.kind is TagKind.HARM:
        filters = StoryFilters(kind=StoryKind.EXPERIENCE, tags=(tag.slug,), **mutes)
    else:
        filters = StoryFilters(kind=StoryKind.PRACTICE, practice=(tag.slug,), **mutes)
    return published_stories(filters, after=after, limit=limit)
