"""Helpers for following tests: a published story, its teller, a reader's reply, a moderator."""

from __future__ import annotations

import re

from forum.accounts.models import Role
from forum.db import db
from forum.moderation.services import approve_story
from forum.stories.models import Reply, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import act, client_as, post

NEWS = re.compile(r'<section class="since".*?</section>', re.S)
FOLLOWING = re.compile(r'<section class="following".*?</section>', re.S)


def seed(app, author: str | None = None) -> int:
    """Tags, a moderator "keeper", a member "heron", a reader account "wren", and a
    published story (by `author` when named); the story's id."""
    with app.app_context():
        load_tags()
        keeper = make_user("keeper", role=Role.MODERATOR)
        make_user("heron")
        make_user("wren")
        teller = make_user(author) if author else None
        story = make_story(title="Nobody listened to me", author=teller)
        approve_story(keeper, story.id)
        return story.id


def news_of(html: str) -> str:
    """The "Since you last looked" section of a page."""
    found = NEWS.search(html)
    assert found, "no news section on the page"
    return found.group(0)


def following_of(html: str) -> str:
    """The account page's "Stories you follow" section."""
    found = FOLLOWING.search(html)
    assert found, "no following section on the page"
    return found.group(0)


def reply_and_approve(app, story_id: int, body: str = "I hear you, and I believe you.") -> int:
    """A reader (wren) replies over HTTP and the moderator approves it over HTTP; its id."""
    reader = client_as(app, "wren")
    response = post(
        reader,
        f"/stories/{story_id}/replies",
        {"body": body, "form_token": f"token-{body[:8]}-{story_id}-abcdefghijklmnop"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        reply = db.session.query(Reply).filter_by(body=body).one()
        reply_id, version = reply.id, reply.version
    keeper = client_as(app, "keeper")
    assert act(keeper, "reply", reply_id, "approve", version).status_code == 303
    return reply_id


def story_version(app, story_id: int) -> int:
    """The story's version now (moderation forms carry it)."""
    with app.app_context():
        return db.session.get(Story, story_id).version
