"""Builders for test data; each creates exactly what a test asks for, in the current context."""

from __future__ import annotations

import secrets
from functools import cache

from forum.accounts import passwords
from forum.accounts.models import RecoveryCode, Role, User
from forum.accounts.services import handle_key
from forum.caching import content_changed
from forum.db import db
from forum.safety.tokens import new_recovery_code, normalise_recovery_code, token_hash
from forum.stories import counters
from forum.stories.drafts import StoryDraft
from forum.stories.models import Status, StoryKind
from forum.stories.services import submit_story
from forum.taxonomy.services import load_taxonomy

PASSWORD = "a calm river at dusk"


@cache
def _hash_of(password: str) -> str:
    # Hashing at ASVS parameters takes ~0.1 s; tests reuse one hash per password.
    return passwords.hash_password(password)


def make_user(
    handle: str = "heron",
    password: str = PASSWORD,
    role: Role = Role.MEMBER,
    codes: int = 0,
    **fields,
) -> User | tuple[User, list[str]]:
    """An account that can sign in with `password`; with codes=N, also its recovery codes."""
    user = User(
        handle=handle,
        handle_key=handle_key(handle),
        password_hash=_hash_of(password),
        role=role,
        **fields,
    )
    plain = [new_recovery_code() for _ in range(codes)]
    for code in plain:
        user.recovery_codes.append(
            RecoveryCode(code_hash=token_hash(normalise_recovery_code(code)))
        )
    db.session.add(user)
    db.session.commit()
    return (user, plain) if codes else user


def load_tags() -> None:
    """Load the starting taxonomy (groups, harm and practice tags, problem kinds)."""
    load_taxonomy()


def make_draft(**fields):
    """A valid "What happened" draft; override any field."""
    values = {
        "kind": StoryKind.EXPERIENCE,
        "title": "Nobody listened",
        "body": "For two years I talked and **nobody** listened.",
        "harm_tags": ["not-heard"],
    }
    values.update(fields)
    return StoryDraft(**values)


def make_story(status=None, author=None, published_at=None, form_token=None, **fields):
    """A submitted story (tags must be loaded); with status=PUBLISHED, published too."""
    story = submit_story(
        author, make_draft(**fields), form_token or secrets.token_urlsafe(24)
    ).story
    if status is not None:
        story.status = status
        if status is Status.PUBLISHED:
            story.published_at = published_at or story.submitted_at
        counters.story_changed(None, story)  # as the lifecycle does when it publishes
        content_changed()  # as forum/stories/lifecycle.py would: cached pages must not miss it
        db.session.commit()
    return story
