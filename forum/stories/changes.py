"""A teller's own additions to a published story: "What happened next" updates and proposed
revisions. Both wait for a moderator (forum/moderation/changes.py decides them through
forum/stories/lifecycle.py); the published story stays as it is until then.

One open revision per story: a second proposal replaces the words of the one still waiting
(the teller's latest wish is what the moderator should read), audited as "amend"; a moderator
who opened the old words is stopped by the version check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance import sanctions, watched_words
from forum.safety.sanitize import clean_text, render_markdown
from forum.safety.tokens import token_hash
from forum.stories import lifecycle
from forum.stories.models import ChangeKind, Status, Story, StoryChange
from forum.stories.services import Checks, Teller, check_texts, get_own_story, insert_once

UPDATE_MAX = 10_000
TITLE_MAX = 200
BODY_MAX = 30_000
NOT_PUBLISHED = "You can add to a story once it is published."
NOTHING_CHANGED = "Your new version is the same as the published one. Change something first"


@dataclass(frozen=True)
class Sent:
    """A stored change, or the checks that should be shown before it is sent."""

    change: StoryChange | None
    checks: Checks


def _published_own(teller: Teller, story_id: int, client_key: str | None) -> Story:
    """The teller's published story, if they may post now (sanctions, by account or ban key)."""
    story = get_own_story(teller, story_id)
    if story.status is not Status.PUBLISHED:
        raise NotAllowed(NOT_PUBLISHED)
    if teller.user is not None and not teller.user.is_active:
        raise NotAllowed("This account cannot post at the moment.")
    sanctions.check_may_post(teller.user if story.author_id else None, client_key)
    return story


def _text(value: str, field: str, limit: int, empty: str) -> str:
    text = clean_text(value or "")
    if not text.strip():
        raise Invalid(empty, field=field)
    if len(text) > limit:
        raise Invalid(f"This must be {limit:,} characters or fewer", field=field)
    outcome = watched_words.apply_watched_words(text, watched_words.all_words())
    if outcome.blocked:
        raise Invalid(watched_words.BLOCKED_MESSAGE, field=field)
    return outcome.text


def _token(form_token: str) -> str:
    if not form_token or not 20 <= len(form_token) <= 100:
        raise Invalid(
            "This form is out of date. Check what you wrote and send it again", field="body"
        )
    return token_hash(form_token)


def _existing(digest: str) -> StoryChange | None:
    return db.session.scalar(select(StoryChange).where(StoryChange.form_token_hash == digest))


def _flags(change: StoryChange, checks: Checks) -> None:
    change.crisis_flagged = checks.current_risk
    change.identifier_kinds = " ".join(sorted({f.kind.value for f in checks.identifiers}))


def add_update(
    teller: Teller,
    story_id: int,
    body: str,
    form_token: str,
    *,
    checked: bool = False,
    client_key: str | None = None,
) -> Sent:
    """Send a "What happened next" for review. Unless `checked` (the teller saw the check
    step), possible identifiers or crisis language return the checks and store nothing.
    The same form token always yields the same one update. `client_key`: the request's ban
    key (forum.safety.client_key.request_ban_key), checked against anonymous-posting bans."""
    digest = _token(form_token)
    story = _published_own(teller, story_id, client_key)
    if (existing := _existing(digest)) is not None:
        return Sent(existing, check_texts([existing.body]))
    text = _text(body, "body", UPDATE_MAX, "Enter what happened next")
    checks = check_texts([text])
    if not checked and (checks.identifiers or checks.crisis):
        return Sent(None, checks)
    change = StoryChange(
        story_id=story.id,
        kind=ChangeKind.UPDATE,
        body=text,
        body_html=render_markdown(text),
        base_version=story.version,
        form_token_hash=digest,
    )
    _flags(change, checks)
    return Sent(insert_once(change, digest), checks)


def open_revision(story: Story) -> StoryChange | None:
    """The revision of this story still waiting for a moderator, if there is one."""
    return db.session.scalar(
        select(StoryChange).where(
            StoryChange.story_id == story.id,
            StoryChange.kind == ChangeKind.REVISION,
            StoryChange.status == Status.PENDING,
        )
    )


def propose_revision(
    teller: Teller,
    story_id: int,
    title: str,
    body: str,
    form_token: str,
    *,
    checked: bool = False,
    client_key: str | None = None,
) -> Sent:
    """Send a new title and text for review while the published story stays up; a second
    proposal replaces the one still waiting. Checks and bans as for an update."""
    digest = _token(form_token)
    story = _published_own(teller, story_id, client_key)
    if (existing := _existing(digest)) is not None:
        return Sent(existing, check_texts([existing.title, existing.body]))
    new_title = _text(title, "title", TITLE_MAX, "Enter a title")
    new_body = _text(body, "body", BODY_MAX, "Enter your story")
    if new_title == story.title and new_body == story.body:
        raise Invalid(NOTHING_CHANGED, field="body")
    checks = check_texts([new_title, new_body])
    if not checked and (checks.identifiers or checks.crisis):
        return Sent(None, checks)
    change = open_revision(story)
    if change is not None:
        change.title, change.body, change.body_html = new_title, new_body, render_markdown(new_body)
        change.base_version = story.version
        change.form_token_hash = digest
        _flags(change, checks)
        lifecycle.amend_change(change)
        db.session.commit()
        return Sent(change, checks)
    change = StoryChange(
        story_id=story.id,
        kind=ChangeKind.REVISION,
        title=new_title,
        body=new_body,
        body_html=render_markdown(new_body),
        base_version=story.version,
        form_token_hash=digest,
    )
    _flags(change, checks)
    return Sent(insert_once(change, digest), checks)


def shown_updates(story_id: int) -> list[StoryChange]:
    """A story's approved updates, oldest first (one query), for its page."""
    return list(
        db.session.scalars(
            select(StoryChange)
            .where(
                StoryChange.story_id == story_id,
                StoryChange.kind == ChangeKind.UPDATE,
                StoryChange.status == Status.PUBLISHED,
            )
            .order_by(StoryChange.published_at, StoryChange.id)
        )
    )


def changes_for(story_ids: list[int]) -> dict[int, list[StoryChange]]:
    """Every update and revision of these stories, newest first, by story (one query): what
    the teller's status page and account page show with the moderators' reasons."""
    found: dict[int, list[StoryChange]] = {story_id: [] for story_id in story_ids}
    if not story_ids:
        return found
    rows = db.session.scalars(
        select(StoryChange)
        .where(StoryChange.story_id.in_(story_ids))
        .order_by(StoryChange.created_at.desc(), StoryChange.id.desc())
    )
    for change in rows:
        found[change.story_id].append(change)
    return found


def own_published_story(teller: Teller, story_id: int) -> Story:
    """One of the teller's published stories (for the update and revision forms)."""
    story = get_own_story(teller, story_id)
    if story.status is not Status.PUBLISHED:
        raise NotFound("Story not found.")
    return story
