"""Moderation's core: reasons, the items moderators act on, closing reports, and review.

Every public function takes the acting account explicitly, raises typed errors and commits
once, together with its audit entry (ARCHITECTURE.md). The other modules of this package
(actions, receipts, reports, sanctions, watched words, people, reasons) build on the helpers
here and on forum/governance (who may act, version checks, the audit entry).
"""

from __future__ import annotations

from sqlalchemy import update

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotFound
from forum.governance.audit import audit
from forum.governance.permissions import require_moderator
from forum.governance.versions import AlreadyHandled, check_version
from forum.moderation.models import Redaction, RedactionState, Report
from forum.safety.sanitize import clean_text
from forum.stories import lifecycle
from forum.stories.models import Reply, Status, Story

REVIEWABLE = (Status.PENDING, Status.CHANGES_REQUESTED)
REASON_LENGTH = 2000


def require_reason(reason: str | None, field: str = "reason") -> str:
    """A cleaned, non-empty reason of bounded length, or Invalid naming the field."""
    reason = clean_text(reason if isinstance(reason, str) else "")
    if not reason:
        raise Invalid("Enter a reason", field=field)
    if len(reason) > REASON_LENGTH:
        raise Invalid(f"Reason must be {REASON_LENGTH} characters or fewer", field=field)
    return reason


def target_key(item: Story | Reply) -> str:
    """How reports name an item: "story:12" or "reply:34"."""
    return f"{type(item).__name__.lower()}:{item.id}"


def close_reports(item: Story | Reply, resolution: str) -> int:
    """Mark the item's open reports as dealt with, in the caller's transaction."""
    result = db.session.execute(
        update(Report)
        .where(Report.target == target_key(item), Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolution=resolution[:40])
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def get_story(story_id: int) -> Story:
    """A story by id for moderators, in any state; NotFound if it is gone (erased)."""
    story = db.session.get(Story, story_id) if isinstance(story_id, int) else None
    if story is None:
        raise NotFound("Story not found.")
    return story


def get_reply(reply_id: int) -> Reply:
    """A reply by id; NotFound if it or its story is gone."""
    reply = db.session.get(Reply, reply_id) if isinstance(reply_id, int) else None
    if reply is None or reply.story is None:
        raise NotFound("Reply not found.")
    return reply


# --- Review: approve, request changes, reject ------------------------------------------------


def _review_story(story_id: int, seen_version: int | None) -> Story:
    story = get_story(story_id)
    check_version(story, seen_version)
    if not lifecycle.allows(story, "approve"):
        raise AlreadyHandled(lifecycle.NOT_IN_REVIEW)
    return story


# A crisis-flagged story is published only with a decision about its content note (issue 12,
# after Samaritans' guidelines for sites and platforms: a content warning at the start).
ADD_NOTE, NO_NOTE = "add", "none"
CRISIS_NOTE = "suicide"


def approve_story(
    moderator: User,
    story_id: int,
    reason: str = "Meets the community guidelines",
    seen_version: int | None = None,
    note_decision: str | None = None,
    note_reason: str = "",
) -> Story:
    """Publish a story in review; a crisis-flagged one needs a content-note decision."""
    require_moderator(moderator)
    story = _review_story(story_id, seen_version)
    if story.crisis_flagged:
        reason = _decide_note(story, require_reason(reason), note_decision, note_reason)
    return _approve_story(moderator, story_id, reason, seen_version)


def _decide_note(story: Story, reason: str, decision: str | None, why: str) -> str:
    """Apply the content-note decision to the story; the reason that records it."""
    if decision == ADD_NOTE:
        notes = story.content_note_slugs
        if CRISIS_NOTE not in notes:
            story.content_notes = " ".join([*notes, CRISIS_NOTE])
        return f"{reason} Content note added: suicidal thoughts or feelings."
    if decision == NO_NOTE:
        why = require_reason(why, field="note_reason")
        return f"{reason} No content note needed: {why}"
    raise Invalid("Choose whether to add a content note", field="note_decision")


CARING_MESSAGE = (
    "A moderator read what you wrote and wanted to check in with you. It sounds like you may "
    "be going through a really hard time. You do not have to go through it alone: the "
    "people below are there to listen, for free, at any hour. Take care of yourself."
)


def send_caring_message(moderator: User, story_id: int) -> Story:
    """Put a kind message with help lines on the teller's status page (once per story)."""
    require_moderator(moderator)
    story = get_story(story_id)
    if not story.crisis_flagged:
        raise AlreadyHandled("A caring message is only for a story with crisis language.")
    if story.cared_at is not None:
        raise AlreadyHandled("A caring message has already been sent. Nothing was changed.")
    # Not a change to the story itself, so its version stays: open forms remain valid.
    story.cared_at = utcnow()
    audit(moderator, "caring_message", story, "Sent a caring message with help lines", False)
    db.session.commit()
    return story


def operator_approve_story(story_id: int, reason: str = "Approved from the command line") -> Story:
    """Publish a story as the server's operator (the `heard approve` command, for demos).

    Whoever can run commands on the server is trusted already; the audit entry records the
    action with no acting account.
    """
    return _approve_story(None, story_id, reason, None)


def _approve_story(
    actor: User | None, story_id: int, reason: str, seen_version: int | None
) -> Story:
    story = _review_story(story_id, seen_version)
    reason = require_reason(reason)
    lifecycle.approve_story(actor, story, reason)
    supersede_redactions(story)
    db.session.commit()
    return story


def supersede_redactions(story: Story) -> None:
    """Any edit still waiting for the teller no longer applies: the story moved on."""
    db.session.execute(
        update(Redaction)
        .where(Redaction.story_id == story.id, Redaction.state == RedactionState.PROPOSED)
        .values(state=RedactionState.SUPERSEDED, decided_at=utcnow())
    )


def request_changes(
    moderator: User, story_id: int, message: str, seen_version: int | None = None
) -> Story:
    """Send a story back to its teller with a message they will see on their status page."""
    require_moderator(moderator)
    story = _review_story(story_id, seen_version)
    message = require_reason(message, field="message")
    lifecycle.request_changes(moderator, story, message)
    supersede_redactions(story)
    db.session.commit()
    return story


def reject_story(
    moderator: User, story_id: int, reason: str, seen_version: int | None = None
) -> Story:
    """Decline to publish a story, with a reason the teller sees."""
    require_moderator(moderator)
    story = _review_story(story_id, seen_version)
    reason = require_reason(reason)
    lifecycle.reject_story(moderator, story, reason)
    supersede_redactions(story)
    db.session.commit()
    return story


def reply_in_review(reply: Reply) -> bool:
    """Whether a reply waits for a moderator: pre-moderated, or published but unreviewed."""
    return reply.status in REVIEWABLE or (
        reply.status is Status.PUBLISHED and reply.awaiting_review
    )


def _review_reply(moderator: User, reply_id: int, seen_version: int | None) -> Reply:
    require_moderator(moderator)
    reply = get_reply(reply_id)
    check_version(reply, seen_version)
    if not reply_in_review(reply):
        raise AlreadyHandled(lifecycle.REPLY_NOT_IN_REVIEW)
    return reply


def approve_reply(
    moderator: User,
    reply_id: int,
    reason: str = "Meets the community guidelines",
    seen_version: int | None = None,
) -> Reply:
    """Publish a reply in review (or confirm a post-moderated one)."""
    reply = _review_reply(moderator, reply_id, seen_version)
    reason = require_reason(reason)
    lifecycle.approve_reply(moderator, reply, reason)
    db.session.commit()
    return reply


def reject_reply(
    moderator: User, reply_id: int, reason: str, seen_version: int | None = None
) -> Reply:
    """Decline to publish a reply (a post-moderated one comes down)."""
    reply = _review_reply(moderator, reply_id, seen_version)
    reason = require_reason(reason)
    lifecycle.reject_reply(moderator, reply, reason)
    close_reports(reply, "rejected")
    db.session.commit()
    return reply
