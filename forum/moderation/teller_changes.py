"""Moderators deciding tellers' updates and revisions of published stories.

Every decision goes through forum/stories/lifecycle.py (the change's own transition table),
with the reason the teller then reads on their status page. The diff a moderator reads is
built by forum/moderation/highlight.side_by_side: user text escaped, only its own tags trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid, NotFound
from forum.governance.permissions import require_moderator
from forum.moderation.highlight import side_by_side
from forum.stories import lifecycle
from forum.stories.models import ChangeKind, Status, StoryChange

PAGE_SIZE = 50
DECISIONS = {
    ChangeKind.UPDATE: {"accept": lifecycle.approve_update, "decline": lifecycle.reject_update},
    ChangeKind.REVISION: {
        "accept": lifecycle.accept_revision,
        "decline": lifecycle.decline_revision,
    },
}


def waiting(actor: User | None, limit: int = PAGE_SIZE) -> list[StoryChange]:
    """Updates and revisions waiting, crisis first then oldest, with their stories (1 query)."""
    require_moderator(actor)
    return list(
        db.session.scalars(
            select(StoryChange)
            .where(StoryChange.status == Status.PENDING)
            .options(joinedload(StoryChange.story))
            .order_by(StoryChange.crisis_flagged.desc(), StoryChange.created_at, StoryChange.id)
            .limit(limit)
        )
    )


def waiting_count() -> int:
    """How many updates and revisions wait (for the link on the queue page)."""
    return (
        db.session.scalar(
            select(func.count(StoryChange.id)).where(StoryChange.status == Status.PENDING)
        )
        or 0
    )


def get_change(actor: User | None, change_id: int) -> StoryChange:
    """One update or revision, for a moderator."""
    require_moderator(actor)
    change = db.session.get(StoryChange, change_id)
    if change is None:
        raise NotFound("That update was not found.")
    return change


@dataclass(frozen=True)
class Diff:
    """A revision's title and text beside the published ones, escaped and marked."""

    title_old: Markup
    title_new: Markup
    body_old: Markup
    body_new: Markup
    story_moved_on: bool  # the story changed since the teller wrote this


def diff_of(change: StoryChange) -> Diff:
    """What accepting a revision would change: removed words in <del>, added in <ins>."""
    story = change.story
    title_old, title_new = side_by_side(story.title, change.title)
    body_old, body_new = side_by_side(story.body, change.body)
    return Diff(title_old, title_new, body_old, body_new, story.version != change.base_version)


def decide(
    actor: User | None, change: StoryChange, decision: str, reason: str, seen_version: int
) -> StoryChange:
    """Accept or decline an update or revision, with the reason its teller sees; one commit."""
    moderator = require_moderator(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid("Enter a reason. The teller will see it", field="reason")
    action = DECISIONS[change.kind].get(decision)
    if action is None:
        raise Invalid("Choose accept or decline", field="reason")
    action(moderator, change, reason, seen_version)
    db.session.commit()
    return change


def hide_update(
    actor: User | None, change: StoryChange, reason: str, seen_version: int
) -> StoryChange:
    """Take a shown update down again, with a reason."""
    moderator = require_moderator(actor)
    if not reason.strip():
        raise Invalid("Enter a reason", field="reason")
    lifecycle.hide_update(moderator, change, reason.strip(), seen_version)
    db.session.commit()
    return change
