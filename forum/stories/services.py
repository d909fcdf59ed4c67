"""Story rules: submitting, and the teller's own actions.

What readers see (published listings, counts, keyset pages) is in forum/stories/reading.py;
what they send back (replies and support reactions) is in forum/stories/responses.py.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance import sanctions, watched_words
from forum.safety import crisis, pii
from forum.safety.sanitize import clean_text, render_markdown
from forum.safety.tokens import status_code_candidates, status_code_from, token_hash
from forum.stories import lifecycle
from forum.stories.content import CONTENT_NOTES, PROMPTS
from forum.stories.drafts import StoryDraft
from forum.stories.models import (
    Reply,
    Story,
    StoryAnswer,
    StoryChange,
    StoryKind,
    StoryTag,
)
from forum.taxonomy.models import ProblemKind, Tag

# --- Submitting -------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """The stored story, and for tellers without an account, their status token."""

    story: Story
    status_token: str | None


@dataclass(frozen=True)
class Checks:
    """What the check step found: possible identifiers, and whether crisis help should show."""

    identifiers: list[pii.Finding]
    crisis: bool  # crisis language of any kind: the teller sees calm help
    # The teller may be at risk now (not past, denied or someone else's): moderators see it first.
    current_risk: bool = False


def check_draft(draft: StoryDraft) -> Checks:
    """Run the de-identification and crisis-language checks over every field of a draft."""
    return check_texts(draft.texts())


def check_texts(texts: list[str]) -> Checks:
    """The same checks over any teller's texts (a story's fields, an update, a revision)."""
    found: list[pii.Finding] = []
    kinds: set[crisis.Kind] = set()
    for text in texts:
        if text:
            found.extend(pii.find_identifiers(text))
            kinds.update(m.kind for m in crisis.mentions_crisis(text))
    return Checks(identifiers=found, crisis=bool(kinds), current_risk=crisis.Kind.CURRENT in kinds)


def _status_token(form_token: str) -> str:
    """The teller's secret status token, derived from their one-time form token.

    Deriving it (HMAC under the app secret) means a repeated submit of the same form shows
    the same token again, while the database holds only hashes of both.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"status-token:{form_token}".encode(), hashlib.sha256).digest()
    return status_code_from(digest)


def check_may_post(author: User | None, client_key: str | None = None) -> None:
    if author is not None and not author.is_active:
        raise NotAllowed("This account cannot post at the moment.")
    # Moderators' sanctions: suspended or banned accounts, and anonymous-posting bans by key.
    sanctions.check_may_post(author, client_key)


def apply_watched(text: str, field: str, words) -> watched_words.Outcome:
    """Watched words (forum/moderation): a blocked word keeps the text and asks for a change."""
    outcome = watched_words.apply_watched_words(text, words)
    if outcome.blocked:
        raise Invalid(watched_words.BLOCKED_MESSAGE, field=field)
    return outcome


def _tags_for(draft: StoryDraft) -> list[tuple[Tag, int | None]]:
    """Resolve and check the chosen tags; every rule failure names its field."""
    slugs = [*draft.harm_tags, *draft.practice_tags]
    found = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    chosen: list[tuple[Tag, int | None]] = []
    for field, kind, wanted in (
        ("harm_tags", "harm", draft.harm_tags),
        ("practice_tags", "practice", draft.practice_tags),
    ):
        for slug in dict.fromkeys(wanted):
            tag = found.get(slug)
            if tag is None or tag.retired or tag.kind != kind:
                raise Invalid("Choose from the list", field=field)
            impact = draft.impacts.get(slug) if kind == "harm" else None
            if impact is not None and not 0 <= impact <= 4:
                raise Invalid("Choose how much it affected you, from 0 to 4", field="impacts")
            chosen.append((tag, impact))
    if draft.kind is StoryKind.EXPERIENCE and not draft.harm_tags:
        raise Invalid("Choose at least one thing that went wrong", field="harm_tags")
    if draft.kind is StoryKind.PRACTICE and not draft.practice_tags:
        raise Invalid("Choose at least one thing that helped", field="practice_tags")
    return chosen


def _problem_kind(slug: str | None) -> ProblemKind | None:
    if not slug:
        return None
    kind = db.session.scalar(select(ProblemKind).where(ProblemKind.slug == slug))
    if kind is None:
        raise Invalid("Choose from the list", field="problem_kind")
    return kind


# Column sizes, checked here too so no caller can reach the database with a longer value.
TEXT_LIMITS = {"title": 200, "therapy_kind": 120, "roughly_when": 60}


def _check_fields(draft: StoryDraft) -> None:
    if not clean_text(draft.title):
        raise Invalid("Enter a title", field="title")
    for field, limit in TEXT_LIMITS.items():
        if len(clean_text(getattr(draft, field))) > limit:
            raise Invalid(f"Must be {limit} characters or fewer", field=field)
    if not draft.body.strip():
        raise Invalid("Enter your story", field="body")
    if unknown := set(draft.content_notes) - set(CONTENT_NOTES):
        raise Invalid(f"Unknown content note: {sorted(unknown)[0]}", field="content_notes")
    if set(draft.answers) - set(PROMPTS):
        raise Invalid("Unknown question", field="body")


def _apply_draft(story: Story, draft: StoryDraft) -> None:
    """Copy a checked draft onto a story, rendering every Markdown field through the gate."""
    tags = _tags_for(draft)
    _check_fields(draft)
    checks = check_draft(draft)
    words = watched_words.all_words()

    def watched(text: str, field: str) -> str:
        return apply_watched(text, field, words).text

    story.kind = draft.kind
    story.title = watched(clean_text(draft.title), "title")
    # clean_text drops NUL and other control characters (PostgreSQL refuses NUL outright).
    story.body = watched(clean_text(draft.body), "body")
    story.body_html = render_markdown(story.body)
    story.helped_instead = watched(clean_text(draft.helped_instead), "helped_instead")
    story.helped_instead_html = render_markdown(story.helped_instead)
    story.therapy_kind = watched(clean_text(draft.therapy_kind), "therapy_kind")
    story.setting = draft.setting
    story.format = draft.format
    story.roughly_when = clean_text(draft.roughly_when)
    story.problem_kind = _problem_kind(draft.problem_kind)
    story.attribution = draft.attribution
    story.content_notes = " ".join(n for n in CONTENT_NOTES if n in draft.content_notes)
    story.show_handle = draft.show_handle and story.author_id is not None
    story.crisis_flagged = checks.current_risk
    story.identifier_kinds = " ".join(sorted({f.kind.value for f in checks.identifiers}))
    story.story_tags = [
        StoryTag(tag=tag, impact=impact, position=i) for i, (tag, impact) in enumerate(tags)
    ]
    order = list(PROMPTS)
    answers = {key: watched(clean_text(text), "body") for key, text in draft.answers.items()}
    story.answers = [
        StoryAnswer(
            prompt=key, position=order.index(key), body=text, body_html=render_markdown(text)
        )
        for key, text in answers.items()
        if text
    ]


def submit_story(
    author: User | None, draft: StoryDraft, form_token: str, *, client_key: str | None = None
) -> Submitted:
    """Store a story for review. The same form token always yields the same one story.

    `client_key` is the submitter's ban key (forum.safety.client_key.request_ban_key): checked
    against anonymous-posting bans and kept on the story for the retention window.
    """
    if not form_token or len(form_token) < 20:
        raise Invalid("This form is out of date. Check your story and send it again", field="title")
    check_may_post(author, client_key)
    digest = token_hash(form_token)
    existing = db.session.scalar(select(Story).where(Story.form_token_hash == digest))
    if existing is not None:
        return _submitted(existing, form_token)
    identity = f"u:{author.id}" if author else f"t:{digest}"
    story = Story(
        author_id=author.id if author else None,
        form_token_hash=digest,
        author_key=hashlib.sha256(f"story-author:{identity}".encode()).hexdigest(),
        submitted_at=utcnow(),
        client_key=client_key,
    )
    lifecycle.submit_story(story)
    _apply_draft(story, draft)
    if author is None:
        story.status_token_hash = token_hash(_status_token(form_token))
    return _submitted(insert_once(story, digest), form_token)


_Item = TypeVar("_Item", Story, Reply, StoryChange)


def insert_once(item: _Item, digest: str) -> _Item:
    """Commit a new story, reply or teller's change; if a concurrent submit of the same form
    won, return that one.

    The unique form-token hash is what makes a double submit produce one row.
    """
    db.session.add(item)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        model = type(item)
        existing = db.session.scalar(select(model).where(model.form_token_hash == digest))
        if existing is None:
            raise
        return existing
    return item


def _submitted(story: Story, form_token: str) -> Submitted:
    token = _status_token(form_token) if story.author_id is None else None
    return Submitted(story=story, status_token=token)


# --- The teller's own actions --------------------------------------------------------------


@dataclass(frozen=True)
class Teller:
    """Who is acting on their own stories: an account, and/or stories opened by status token."""

    user: User | None = None
    story_ids: frozenset[int] = frozenset()

    def owns(self, story: Story) -> bool:
        """Whether this teller wrote the story; fails closed on anything unknown."""
        if story is None or story.id is None:
            return False
        if story.author_id is not None:
            user = self.user
            return user is not None and user.is_active and story.author_id == user.id
        return story.id in self.story_ids


def open_with_status_token(token: str) -> Story:
    """The story a status token belongs to; every failure is the same NotFound."""
    if not token or len(token) > 200:
        raise NotFound("That status code was not recognised.")
    # A code as issued today (any case, grouped or not) or as issued before (exact).
    hashes = [token_hash(code) for code in status_code_candidates(token)]
    story = db.session.scalar(select(Story).where(Story.status_token_hash.in_(hashes)))
    if story is None:
        raise NotFound("That status code was not recognised.")
    return story


def get_own_story(teller: Teller, story_id: int) -> Story:
    """One of the teller's stories, in any state; NotFound for anyone else's."""
    story = db.session.get(Story, story_id)
    if story is None or not teller.owns(story):
        raise NotFound("Story not found.")
    return story


def list_own_stories(user: User) -> list[Story]:
    """An account's stories, newest first, with their tags loaded."""
    return list(
        db.session.scalars(
            select(Story)
            .where(Story.author_id == user.id)
            .options(selectinload(Story.story_tags))
            .order_by(Story.submitted_at.desc(), Story.id.desc())
        )
    )


def edit_story(teller: Teller, story: Story, draft: StoryDraft) -> Story:
    """Change a story still in review; it goes back to the moderators' queue."""
    if not teller.owns(story):
        raise NotFound("Story not found.")
    if not lifecycle.allows(story, "resubmit"):
        raise NotAllowed(lifecycle.NOT_EDITABLE)
    check_may_post(teller.user if story.author_id else None, story.client_key)
    _apply_draft(story, draft)
    lifecycle.resubmit_story(story)
    db.session.commit()
    return story


def withdraw_story(teller: Teller, story: Story) -> Story:
    """Take a story down (or out of review). Doing it twice changes nothing more."""
    if not teller.owns(story):
        raise NotFound("Story not found.")
    if lifecycle.allows(story, "withdraw"):
        lifecycle.withdraw_story(story)
        db.session.commit()
    return story


def erase_story(teller: Teller, story: Story) -> None:
    """Delete a story and everything written under it; only the audit trail's actions stay."""
    if not teller.owns(story):
        raise NotFound("Story not found.")
    lifecycle.erase_story(story)
    db.session.commit()


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def story_record(story: Story) -> dict:
    """A story as its teller may download it: every field they wrote, nothing else."""
    return {
        "id": story.id,
        "kind": story.kind.value,
        "status": story.status.value,
        "title": story.title,
        "body": story.body,
        "answers": {a.prompt: a.body for a in story.answers},
        "what_helped_instead": story.helped_instead,
        "harm_tags": {st.tag.slug: st.impact for st in story.story_tags if st.tag.kind == "harm"},
        "practice_tags": [st.tag.slug for st in story.story_tags if st.tag.kind == "practice"],
        "content_notes": story.content_note_slugs,
        "context": {
            "kind_of_therapy": story.therapy_kind,
            "setting": story.setting.value if story.setting else None,
            "format": story.format.value if story.format else None,
            "roughly_when": story.roughly_when,
            "kind_of_problem": story.problem_kind.slug if story.problem_kind else None,
            "who_caused_it": story.attribution.value if story.attribution else None,
        },
        "show_handle": story.show_handle,
        "message_from_moderators": story.moderator_message,
        "submitted_at": _iso(story.submitted_at),
        "published_at": _iso(story.published_at),
        "updates_and_edits": [
            {
                "kind": change.kind.value,
                "status": change.status.value,
                "title": change.title,
                "body": change.body,
                "message_from_moderators": change.moderator_message,
                "sent_at": _iso(change.created_at),
            }
            for change in db.session.scalars(
                select(StoryChange).where(StoryChange.story_id == story.id).order_by(StoryChange.id)
            )
        ],
    }


def export_story(teller: Teller, story_id: int) -> dict:
    """One story as a download for its teller (with or without an account)."""
    return story_record(get_own_story(teller, story_id))


# --- Sharing: checks before submitting, and a browser's opened stories ----------------------


def check_draft_fields(draft: StoryDraft) -> None:
    """Check a draft's fields, tags and problem kind as submit_story does, storing nothing.

    Raises Invalid(field=…). Watched words and sanctions are not checked here: they depend on
    the words as sent and on who sends them, so submit_story applies them when the story is sent.
    """
    _tags_for(draft)
    _check_fields(draft)
    _problem_kind(draft.problem_kind)


def list_teller_stories(teller: Teller) -> list[Story]:
    """The stories a teller opened with status codes, newest first, in one query."""
    if not teller.story_ids:
        return []
    stories = db.session.scalars(
        select(Story)
        .where(Story.id.in_(sorted(teller.story_ids)))
        .order_by(Story.submitted_at.desc(), Story.id.desc())
    )
    return [story for story in stories if teller.owns(story)]
