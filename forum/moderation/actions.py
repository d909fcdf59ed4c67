"""Moderator actions beyond review: hide, restore, lock, pin, feature, tags, reports.

Hiding takes an item out of every reader view by its status (REMOVED): readers' queries all
ask for PUBLISHED, so nothing derived (counts, feeds, tag pages, API) can leak it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid
from forum.governance.permissions import require_moderator
from forum.governance.versions import AlreadyHandled, check_version
from forum.moderation.models import Report
from forum.moderation.services import (
    close_reports,
    get_reply,
    get_story,
    require_reason,
    target_key,
)
from forum.stories import counters, lifecycle
from forum.stories.content import CONTENT_NOTES
from forum.stories.models import Reply, Status, Story, StoryKind, StoryTag
from forum.taxonomy.models import Tag, TagKind


def _load(kind: str, item_id: int) -> Story | Reply:
    return get_story(item_id) if kind == "story" else get_reply(item_id)


def _act(
    moderator: User, kind: str, item_id: int, reason: str, seen_version: int | None
) -> tuple[Story | Reply, str]:
    require_moderator(moderator)
    item = _load(kind, item_id)
    check_version(item, seen_version)
    return item, require_reason(reason)


def hide(
    moderator: User, kind: str, item_id: int, reason: str, seen_version: int | None = None
) -> Story | Reply:
    """Take a published item down (status REMOVED); for one hidden after reports, confirm it."""
    item, reason = _act(moderator, kind, item_id, reason, seen_version)
    lifecycle.hide(moderator, item, reason)
    close_reports(item, "hidden")
    db.session.commit()
    return item


def restore(
    moderator: User, kind: str, item_id: int, reason: str, seen_version: int | None = None
) -> Story | Reply:
    """Put a hidden item back where readers can see it."""
    item, reason = _act(moderator, kind, item_id, reason, seen_version)
    lifecycle.restore(moderator, item, reason)
    close_reports(item, "restored")
    db.session.commit()
    return item


def dismiss_reports(
    moderator: User, kind: str, item_id: int, reason: str, seen_version: int | None = None
) -> Story | Reply:
    """Keep a reported item as it is and close its reports."""
    item, reason = _act(moderator, kind, item_id, reason, seen_version)
    open_count = db.session.scalar(
        select(func.count(Report.id)).where(
            Report.target == target_key(item), Report.resolved_at.is_(None)
        )
    )
    if not open_count:
        raise AlreadyHandled("There are no open reports on this. Nothing was changed.")
    close_reports(item, "dismissed")
    lifecycle.record_edit(moderator, item, "dismiss_reports", reason)
    db.session.commit()
    return item


def set_flag(
    moderator: User,
    story_id: int,
    flag: str,
    value: bool,
    reason: str,
    seen_version: int | None = None,
) -> Story:
    """Lock or unlock replies, pin or unpin, feature or unfeature a story."""
    if flag not in lifecycle.FLAGS:
        raise Invalid("Unknown action")
    story, reason = _act(moderator, "story", story_id, reason, seen_version)
    assert isinstance(story, Story)  # _act found it as a story
    lifecycle.set_flag(moderator, story, flag, value, reason)
    db.session.commit()
    return story


def adjust_tags(
    moderator: User,
    story_id: int,
    harm_tags: list[str],
    practice_tags: list[str],
    content_notes: list[str],
    reason: str,
    seen_version: int | None = None,
) -> Story:
    """Replace a story's tags and content notes; the teller's impact ratings are kept."""
    story, reason = _act(moderator, "story", story_id, reason, seen_version)
    assert isinstance(story, Story)
    if story.status in (Status.WITHDRAWN, Status.REJECTED):
        raise AlreadyHandled("This story is no longer in review or published.")
    wanted = [*dict.fromkeys(harm_tags), *dict.fromkeys(practice_tags)]
    found = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    for field, kind, slugs in (
        ("harm_tags", TagKind.HARM, harm_tags),
        ("practice_tags", TagKind.PRACTICE, practice_tags),
    ):
        for slug in slugs:
            tag = found.get(slug)
            if tag is None or tag.kind != kind or tag.retired:
                raise Invalid("Choose from the list", field=field)
    if story.kind is StoryKind.EXPERIENCE and not harm_tags:
        raise Invalid("Choose at least one thing that went wrong", field="harm_tags")
    if story.kind is StoryKind.PRACTICE and not practice_tags:
        raise Invalid("Choose at least one thing that helped", field="practice_tags")
    if set(content_notes) - set(CONTENT_NOTES):
        raise Invalid("Choose from the list", field="content_notes")
    impacts = {st.tag.slug: st.impact for st in story.story_tags}
    listed = counters.listed(story)
    story.story_tags = [
        StoryTag(tag=found[slug], impact=impacts.get(slug), position=i)
        for i, slug in enumerate(wanted)
    ]
    story.content_notes = " ".join(n for n in CONTENT_NOTES if n in content_notes)
    counters.story_changed(listed, story)
    lifecycle.record_edit(moderator, story, "adjust_tags", reason)
    db.session.commit()
    return story
