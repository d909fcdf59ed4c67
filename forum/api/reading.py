"""What the API shows of published content, built on the services the pages use.

Stories come from forum.stories.reading (published only, by keyset); this module adds the
counts a page of stories shows, for a whole page in two grouped queries, and turns each
object into the public fields a reader can see on its page, never more.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from forum.db import db
from forum.stories.models import Reaction, Reply, Status, Story
from forum.stories.reading import CardTag
from forum.taxonomy.models import TagKind


def reply_counts(story_ids: list[int]) -> dict[int, int]:
    """Published replies per story, for a page of stories, in one query."""
    if not story_ids:
        return {}
    rows = db.session.execute(
        select(Reply.story_id, func.count(Reply.id))
        .where(Reply.story_id.in_(story_ids), Reply.status == Status.PUBLISHED)
        .group_by(Reply.story_id)
    )
    return {story_id: count for story_id, count in rows}


def reaction_counts(story_ids: list[int]) -> dict[int, dict[str, int]]:
    """Support reactions per story and kind, for a page of stories, in one query."""
    if not story_ids:
        return {}
    rows = db.session.execute(
        select(Reaction.story_id, Reaction.kind, func.count(Reaction.id))
        .where(Reaction.story_id.in_(story_ids))
        .group_by(Reaction.story_id, Reaction.kind)
    )
    found: dict[int, dict[str, int]] = {}
    for story_id, kind, count in rows:
        found.setdefault(story_id, {})[kind.value] = count
    return found


def story_data(
    story: Story, tags: Sequence[CardTag], replies: int, reactions: dict[str, int]
) -> dict:
    """A published story's public fields: what its page shows, and nothing about its teller.
    `tags`: its tags in the teller's order (reading.CardTag, from a StoryPage or StoryOnPage)."""
    return {
        "id": story.id,
        "thread_type": story.kind.value,
        "title": story.title,
        "body_html": story.body_html,
        "helped_instead_html": story.helped_instead_html or None,
        "month": story.published_at.strftime("%Y-%m") if story.published_at else None,
        "harm_tags": [_tag(tag) for tag in tags if tag.kind is TagKind.HARM],
        "practice_tags": [_tag(tag) for tag in tags if tag.kind is TagKind.PRACTICE],
        "content_notes": story.content_note_slugs,
        "counts": {
            "replies": replies,
            "reactions": {kind: reactions.get(kind, 0) for kind in ("hear", "me-too", "thanks")},
        },
    }


def _tag(tag) -> dict:
    return {"slug": tag.slug, "name": tag.name}


def tag_data(tag, count: int, group: str | None) -> dict:
    """A tag as the tags page shows it."""
    return {
        "slug": tag.slug,
        "name": tag.name,
        "description": tag.description,
        "kind": tag.kind.value,
        "group": group,
        "stories": count,
    }


def resource_data(resource) -> dict:
    """An active resource as the directory shows it (never the curators' notes)."""
    return {
        "id": resource.id,
        "title": resource.title,
        "url": resource.url,
        "organisation": resource.organisation,
        "description": resource.description,
        "category": resource.category.value,
        "regions": [region.code for region in resource.regions],
        "tags": [tag.slug for tag in resource.tags],
    }


def guide_data(guide) -> dict:
    """A guide as its page shows it."""
    return {
        "slug": guide.slug,
        "title": guide.title,
        "summary": guide.summary,
        "body_html": guide.body_html,
    }
