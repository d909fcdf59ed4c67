"""Moderation receipts: a moderator's edit that the teller accepts or refuses before it appears.

A moderator proposes new words (usually to de-identify); the story goes back to "changes
requested" and out of public view. The teller sees the old and new text side by side and
either accepts — the new text is published at once, since a moderator already wrote it — or
withdraws the story. Any other change to the story makes the proposal stale (version check).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotFound
from forum.governance.permissions import require_moderator
from forum.governance.sanctions import check_may_post
from forum.governance.versions import AlreadyHandled, check_version
from forum.moderation.models import Redaction, RedactionState
from forum.moderation.services import get_story, require_reason, supersede_redactions
from forum.safety.sanitize import clean_text, render_markdown
from forum.stories import lifecycle
from forum.stories.models import Status, Story
from forum.stories.services import Teller

STALE = "These changes no longer apply: the story has changed since. Nothing was changed."


def redact(
    moderator: User,
    story_id: int,
    title: str,
    body: str,
    reason: str,
    helped_instead: str | None = None,
    answers: dict[str, str] | None = None,
    seen_version: int | None = None,
) -> Redaction:
    """Propose an edit of a story's words; the teller accepts it or withdraws the story."""
    require_moderator(moderator)
    story = get_story(story_id)
    check_version(story, seen_version)
    if not lifecycle.allows(story, "redact"):
        raise AlreadyHandled(lifecycle.NOT_REDACTABLE)
    reason = require_reason(reason)
    title = clean_text(title if isinstance(title, str) else "", single_line=True)
    body = body if isinstance(body, str) else ""
    if not title or len(title) > 200:
        raise Invalid("Enter a title of up to 200 characters", field="title")
    if not body.strip():
        raise Invalid("Enter the story", field="body")
    helped = story.helped_instead if helped_instead is None else helped_instead
    old_answers = {a.prompt: a.body for a in story.answers}
    new_answers = {k: v for k, v in (answers or {}).items() if k in old_answers}
    new_answers = {**old_answers, **new_answers}
    unchanged = (title, body, helped, new_answers) == (
        story.title,
        story.body,
        story.helped_instead,
        old_answers,
    )
    if unchanged:
        raise Invalid("Change something before sending the edit to the teller", field="body")
    supersede_redactions(story)
    old_title, old_body, old_helped = story.title, story.body, story.helped_instead
    lifecycle.propose_redaction(moderator, story, reason)
    redaction = Redaction(
        story_id=story.id,
        moderator_id=moderator.id,
        reason=reason,
        old_title=old_title,
        new_title=title,
        old_body=old_body,
        new_body=body,
        old_helped_instead=old_helped,
        new_helped_instead=helped,
        old_answers=json.dumps(old_answers),
        new_answers=json.dumps(new_answers),
        story_version=story.version,
    )
    db.session.add(redaction)
    db.session.commit()
    return redaction


def pending_redaction(story: Story | None) -> Redaction | None:
    """The edit waiting for this story's teller, if one still applies."""
    if story is None or story.id is None or story.status is not Status.CHANGES_REQUESTED:
        return None
    return db.session.scalar(
        select(Redaction)
        .where(
            Redaction.story_id == story.id,
            Redaction.state == RedactionState.PROPOSED,
            Redaction.story_version == story.version,
        )
        .order_by(Redaction.id.desc())
        .limit(1)
    )


def _own_pending(teller: Teller, story_id: int) -> tuple[Story, Redaction]:
    story = db.session.get(Story, story_id) if isinstance(story_id, int) else None
    if story is None or not teller.owns(story):
        raise NotFound("Story not found.")
    redaction = pending_redaction(story)
    if redaction is None:
        raise AlreadyHandled(STALE)
    return story, redaction


def accept_redaction(teller: Teller, story_id: int, client_key: str | None = None) -> Story:
    """The teller accepts the moderator's edit: the new words are published."""
    story, redaction = _own_pending(teller, story_id)
    check_may_post(story.author, story.client_key)
    check_may_post(None, client_key)
    story.title = redaction.new_title
    story.body = redaction.new_body
    story.body_html = render_markdown(redaction.new_body)
    story.helped_instead = redaction.new_helped_instead
    story.helped_instead_html = render_markdown(redaction.new_helped_instead)
    answers = json.loads(redaction.new_answers or "{}")
    for answer in story.answers:
        if answer.prompt in answers:
            answer.body = answers[answer.prompt]
            answer.body_html = render_markdown(answer.body)
    lifecycle.accept_redaction(story)
    redaction.state = RedactionState.ACCEPTED
    redaction.decided_at = utcnow()
    db.session.commit()
    return story


def decline_redaction(teller: Teller, story_id: int) -> Story:
    """The teller does not want the edit: the story is withdrawn and nobody else sees it."""
    story, redaction = _own_pending(teller, story_id)
    lifecycle.decline_redaction(story)
    redaction.state = RedactionState.DECLINED
    redaction.decided_at = utcnow()
    db.session.commit()
    return story


def answers_of(redaction: Redaction) -> list[tuple[str, str, str]]:
    """(prompt, old, new) for each guided answer of a redaction, in the old order."""
    old = json.loads(redaction.old_answers or "{}")
    new = json.loads(redaction.new_answers or "{}")
    return [(prompt, text, new.get(prompt, text)) for prompt, text in old.items()]
