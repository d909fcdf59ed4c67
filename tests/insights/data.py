"""Stories for the insights and API tests, inserted directly: hundreds of submits through the
sharing service would take minutes, and the insights only read what is stored."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from forum.db import db
from forum.stories import counters
from forum.stories.models import Status, Story, StoryKind, StoryTag
from forum.taxonomy.models import ProblemKind, Tag

_serial = itertools.count(1)
WHEN = datetime(2026, 3, 15, 12, tzinfo=UTC)


def add_story(
    harm=(),
    practice=(),
    impacts: dict | None = None,
    status: Status = Status.PUBLISHED,
    kind: StoryKind = StoryKind.EXPERIENCE,
    setting=None,
    format=None,
    problem_kind: str | None = None,
    published_at: datetime | None = WHEN,
    title: str = "A story",
    **fields,
) -> Story:
    """One story with the given tags (slugs) and facets; the taxonomy must be loaded."""
    n = next(_serial)
    impacts = impacts or {}
    tags = {
        t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_([*harm, *practice])))
    }
    kind_id = None
    if problem_kind:
        kind_id = db.session.scalar(select(ProblemKind.id).where(ProblemKind.slug == problem_kind))
    story = Story(
        kind=kind,
        status=status,
        title=title,
        body="What happened, in the teller's words.",
        body_html="<p>What happened, in the teller's words.</p>",
        form_token_hash=f"{n:064d}",
        author_key=f"{n:064x}",
        setting=setting,
        format=format,
        problem_kind_id=kind_id,
        published_at=published_at if status is Status.PUBLISHED else None,
        submitted_at=published_at or WHEN,
        **fields,
    )
    story.story_tags = [
        StoryTag(tag=tags[slug], impact=impacts.get(slug), position=i)
        for i, slug in enumerate([*harm, *practice])
    ]
    db.session.add(story)
    counters.story_changed(None, story)  # written directly: keep the reader counters too
    db.session.commit()
    return story


def add_many(count: int, **fields) -> None:
    """`count` stories alike."""
    for _ in range(count):
        add_story(**fields)
