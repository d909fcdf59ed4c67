"""The counts readers see, kept as counters so no request counts rows.

Per tag, how many published stories of each kind carry it (`Tag.experience_stories`,
`Tag.practice_stories`: /tags, the API's tag list, the /stories heading for one tag), and per
story kind how many are published (`StoryTotal`: the /stories heading). They change only here,
with SQL increments (safe when two transactions change the same counter at once), in the
transaction of the change that moves them: the lifecycle calls `story_changed` for every change
of a story's status or erasure, and the services that change a published story's tags call it
too. `recount` works them all out again from the rows (a migration, bulk-loaded data, a check).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forum.db import db
from forum.stories.models import Status, Story, StoryKind, StoryTag, StoryTotal
from forum.taxonomy.models import Tag


def tag_column(kind: StoryKind):
    """The Tag counter of published stories of this kind."""
    return Tag.experience_stories if kind is StoryKind.EXPERIENCE else Tag.practice_stories


@dataclass(frozen=True)
class Listed:
    """What one story adds to the counters: its kind and its tags, while it is published."""

    kind: StoryKind
    tag_ids: frozenset[int]


def listed(story: Story) -> Listed | None:
    """What the story adds to the counters as it is now (None unless it is published)."""
    if story.status is not Status.PUBLISHED:
        return None
    return Listed(story.kind, frozenset(st.tag.id for st in story.story_tags))


def story_changed(before: Listed | None, story: Story | None) -> None:
    """Move the counters from what a story added `before` to what it adds now (None: the
    story is being erased); nothing runs when nothing a counter sees has changed."""
    after = listed(story) if story is not None else None
    if before == after:
        return
    deltas: Counter[tuple[StoryKind, int]] = Counter()
    totals: Counter[StoryKind] = Counter()
    for sign, part in ((-1, before), (1, after)):
        if part is not None:
            totals[part.kind] += sign
            for tag_id in part.tag_ids:
                deltas[part.kind, tag_id] += sign
    by_change: defaultdict[tuple[StoryKind, int], list[int]] = defaultdict(list)
    for (kind, tag_id), delta in deltas.items():
        if delta:
            by_change[kind, delta].append(tag_id)
    for (kind, delta), tag_ids in sorted(by_change.items()):
        column = tag_column(kind)
        db.session.execute(
            update(Tag).where(Tag.id.in_(sorted(tag_ids))).values({column: column + delta})
        )
    for kind, delta in totals.items():
        if delta:
            _add_to_total(kind, delta)


def _add_to_total(kind: StoryKind, delta: int) -> None:
    """Add to a kind's published total, making its row on first use (one statement)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(StoryTotal).values(kind=kind, published=delta)
    statement = statement.on_conflict_do_update(
        index_elements=[StoryTotal.kind],
        set_={"published": StoryTotal.published + delta},
    )
    db.session.execute(statement)


def recount() -> None:
    """Work every counter out again from the stories and their tags (the caller commits)."""
    for kind in StoryKind:
        column = tag_column(kind)
        counted = (
            select(func.count(StoryTag.story_id))
            .join(Story, Story.id == StoryTag.story_id)
            .where(
                StoryTag.tag_id == Tag.id,
                and_(Story.status == Status.PUBLISHED, Story.kind == kind),
            )
            .scalar_subquery()
        )
        db.session.execute(update(Tag).values({column: counted}))
        published = db.session.scalar(
            select(func.count(Story.id)).where(Story.status == Status.PUBLISHED, Story.kind == kind)
        )
        _add_to_total(kind, 0)
        db.session.execute(
            update(StoryTotal).where(StoryTotal.kind == kind).values(published=published or 0)
        )


def published_total(kind: StoryKind | None = None) -> int:
    """How many stories are published (of one kind, or of both), read from the counters."""
    query = select(func.coalesce(func.sum(StoryTotal.published), 0))
    if kind is not None:
        query = query.where(StoryTotal.kind == kind)
    return db.session.scalar(query) or 0
