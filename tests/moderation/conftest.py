"""Shared fixtures for moderation tests: the taxonomy, staff accounts, items to moderate."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.governance.models import AuditEntry
from forum.stories import responses
from forum.stories import services as stories
from forum.stories.models import Reply, Status
from tests.factories import load_tags, make_story, make_user


@pytest.fixture
def tags(ctx):
    load_tags()


@pytest.fixture
def moderator(tags):
    return make_user("keeper", role=Role.MODERATOR)


@pytest.fixture
def admin(tags):
    return make_user("steward", role=Role.ADMIN)


@pytest.fixture
def member(tags):
    return make_user("heron")


def entries() -> list[AuditEntry]:
    """Every audit entry, oldest first."""
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def published_story(**fields):
    """A published story (tags must be loaded)."""
    return make_story(status=Status.PUBLISHED, **fields)


def make_reply(story, body="Thinking of you", author=None, status=None, **fields) -> Reply:
    """A reply under story, stored through the stories service, then set as asked."""
    reply = responses.add_reply(
        story.id,
        author,
        body,
        secrets.token_urlsafe(24),
        reader_id=secrets.token_hex(8),
        teller=stories.Teller(),
    )
    if status is not None:
        reply.status = status
        if status is Status.PUBLISHED:
            reply.published_at = reply.created_at
    for name, value in fields.items():
        setattr(reply, name, value)
    db.session.commit()
    return reply
