"""Readers' responses to a published story: support reactions and replies.

Responses are only ever accepted on published, unlocked stories; everything fails closed. A
reply's first state (waiting for review, or published at once for a trusted author) is set by
forum/stories/lifecycle.py; the reply policy is forum/stories/reply_policy.py.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.caching import content_changed
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance import watched_words
from forum.safety import crisis
from forum.safety.sanitize import clean_text, render_markdown
from forum.safety.tokens import token_hash
from forum.stories import aliases, lifecycle, reply_policy
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, ThreadAlias
from forum.stories.services import Teller, apply_watched, check_may_post, insert_once


def _live_story(story_id: int) -> Story:
    """A story people may respond to: published and not locked. Fails closed otherwise."""
    story = db.session.get(Story, story_id)
    if story is None or story.status is not Status.PUBLISHED:
        raise NotFound("Story not found.")
    if story.locked:
        raise NotAllowed("This story is closed to new responses.")
    return story


def react(story_id: int, kind: ReactionKind, actor_key: str) -> bool:
    """Add one support reaction; a second of the same kind by the same person adds nothing.

    Returns whether a reaction was added.
    """
    story = _live_story(story_id)
    exists_already = db.session.scalar(
        select(Reaction.id).where(
            Reaction.story_id == story.id, Reaction.kind == kind, Reaction.actor_key == actor_key
        )
    )
    if exists_already is not None:
        return False
    db.session.add(Reaction(story_id=story.id, kind=kind, actor_key=actor_key))
    content_changed()  # the story's counts, on its page and its cards
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _alias_for(story: Story, key: str) -> str:
    """The stable alias of this person in this thread, assigned on first use."""
    if key == story.author_key:
        return aliases.TELLER_ALIAS
    known = db.session.scalar(
        select(ThreadAlias.alias).where(
            ThreadAlias.story_id == story.id, ThreadAlias.author_key == key
        )
    )
    if known:
        return known
    taken = set(
        db.session.scalars(select(ThreadAlias.alias).where(ThreadAlias.story_id == story.id))
    )
    alias = next(name for name in aliases.alias_candidates(key) if name not in taken)
    db.session.add(ThreadAlias(story_id=story.id, author_key=key, alias=alias))
    return alias


def thread_key(story: Story, author: User | None, reader_id: str, teller: Teller) -> str:
    """The keyed hash that stands for this person in this thread."""
    if teller.owns(story):
        return story.author_key
    identity = f"u:{author.id}" if author else f"r:{reader_id}"
    return aliases.author_key(current_app.config["SECRET_KEY"], story.id, identity)


def add_reply(
    story_id: int,
    author: User | None,
    body: str,
    form_token: str,
    *,
    reader_id: str,
    teller: Teller,
    show_handle: bool = False,
    client_key: str | None = None,
) -> Reply:
    """Add a reply under the person's stable alias in this thread.

    Pre-moderated, unless the reply policy (forum/stories/reply_policy.py) trusts the author:
    then it appears at once and waits in the queue for a moderator's look.
    """
    check_may_post(author, client_key)
    if not form_token or len(form_token) < 20:
        raise Invalid("This form is out of date. Check your reply and send it again", field="body")
    digest = token_hash(form_token)
    existing = db.session.scalar(select(Reply).where(Reply.form_token_hash == digest))
    if existing is not None:
        return existing
    story = _live_story(story_id)
    body = clean_text(body)
    if not body:
        raise Invalid("Enter your reply", field="body")
    outcome = apply_watched(body, "body", watched_words.all_words())
    body = outcome.text
    # Any crisis language holds a reply for a moderator; only current risk puts it first.
    kinds = {m.kind for m in crisis.mentions_crisis(body)}
    in_crisis = crisis.Kind.CURRENT in kinds
    review_first = bool(kinds) or outcome.needs_review
    at_once = reply_policy.reply_starts_published(author, needs_review=review_first)
    reply = Reply(
        story_id=story.id,
        body=body,
        body_html=render_markdown(body),
        author_id=author.id if author else None,
        show_handle=bool(show_handle and author),
        alias=_alias_for(story, thread_key(story, author, reader_id, teller)),
        form_token_hash=digest,
        crisis_flagged=in_crisis,
        client_key=client_key,
    )
    return insert_once(lifecycle.submit_reply(reply, at_once), digest)
