"""The moderation item page offers exactly what the lifecycle table allows, in every state.

Over HTTP on each engine: for a story and a reply in every state of the table, the action
forms on the page are the lifecycle's `allowed_actions` for that item (narrowed only by the
page's one named filter, flags on published stories one way), plus the actions that change no
state; and the lists are the ones the page showed before it read the table.
"""

from __future__ import annotations

import re
import secrets

import pytest

from forum.accounts.models import Role
from forum.db import db, utcnow
from forum.stories import lifecycle, responses
from forum.stories import services as stories
from forum.stories.models import Reply, Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import client_as

OFFERED = re.compile(r'<h3 id="action-([a-z_]+)">')
STATUS_OF = {
    "pending": Status.PENDING,
    "changes_requested": Status.CHANGES_REQUESTED,
    "published": Status.PUBLISHED,
    "unreviewed": Status.PUBLISHED,
    "rejected": Status.REJECTED,
    "withdrawn": Status.WITHDRAWN,
    "removed": Status.REMOVED,
    "held": Status.REMOVED,
}
# What a moderator is offered, state by state (flags as in the key), as before the table.
REVIEW = ["approve", "redact", "request_changes", "reject", "tags"]
STORY_PAGE = {
    ("pending", False): REVIEW,
    ("changes_requested", False): REVIEW,
    ("published", False): ["hide", "redact", "tags", "lock", "pin", "feature"],
    ("published", True): ["hide", "redact", "tags", "unlock", "unpin", "unfeature"],
    ("rejected", False): [],
    ("withdrawn", False): [],
    ("removed", False): ["restore"],
    ("removed", True): ["restore"],
    ("held", False): ["restore", "hide"],
}
REPLY_PAGE = {
    "pending": ["approve", "reject"],
    "changes_requested": ["approve", "reject"],
    "published": ["hide"],
    "unreviewed": ["approve", "reject", "hide"],
    "rejected": [],
    "removed": ["restore"],
    "held": ["restore", "hide"],
}
NO_STATE_CHANGE = {"tags", "caring", "ban_poster"}
FLAG_ACTIONS = {"lock", "unlock", "pin", "unpin", "feature", "unfeature"}
# The teller's and the system's actions, never a moderator's button.
NOT_A_MODERATOR_BUTTON = {
    "resubmit",
    "withdraw",
    "erase",
    "accept_redaction",
    "decline_redaction",
    "auto_hide",
}


def _set_state(item: Story | Reply, state: str) -> None:
    item.status = STATUS_OF[state]
    item.published_at = (
        utcnow() if state in {"published", "unreviewed", "removed", "held"} else None
    )
    item.hidden_pending_review = state == "held"
    if isinstance(item, Reply):
        item.awaiting_review = state == "unreviewed"


def _offered(client, kind: str, item_id: int) -> list[str]:
    response = client.get(f"/moderation/{kind}/{item_id}")
    assert response.status_code == 200
    return [a for a in OFFERED.findall(response.get_data(as_text=True)) if a != "ban_poster"]


def _table_allows(item: Story | Reply) -> set[str]:
    """The table's allowed actions a moderator could be offered, through the page filter."""
    allowed = lifecycle.allowed_actions(item) - NOT_A_MODERATOR_BUTTON
    if isinstance(item, Story):
        for action in FLAG_ACTIONS & allowed:
            flag, clears = {
                "lock": ("locked", False),
                "unlock": ("locked", True),
                "pin": ("pinned", False),
                "unpin": ("pinned", True),
                "feature": ("featured", False),
                "unfeature": ("featured", True),
            }[action]
            if item.status is not Status.PUBLISHED or getattr(item, flag) != clears:
                allowed.discard(action)
    return allowed


@pytest.fixture
def site(app):
    """A story in every state (with and without its flags set), and a reply in every state."""
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        story_ids = {}
        for state, flags in STORY_PAGE:
            story = make_story()
            _set_state(story, state)
            story.locked = story.pinned = story.featured = flags
            story_ids[state, flags] = story.id
        parent = make_story(status=Status.PUBLISHED)
        reply_ids = {}
        for state in REPLY_PAGE:
            reply = responses.add_reply(
                parent.id,
                None,
                "Thinking of you",
                secrets.token_urlsafe(24),
                reader_id=secrets.token_hex(8),
                teller=stories.Teller(),
            )
            _set_state(reply, state)
            reply_ids[state] = reply.id
        db.session.commit()
        db.session.remove()
    return story_ids, reply_ids


def test_every_state_is_covered():
    assert {state for state, _ in STORY_PAGE} == set(lifecycle.STORY_STATES)
    assert set(REPLY_PAGE) == set(lifecycle.REPLY_STATES)


def test_the_story_page_offers_what_the_table_allows_in_every_state(app, site):
    story_ids, _ = site
    client = client_as(app, "keeper")
    for key, expected in STORY_PAGE.items():
        offered = _offered(client, "story", story_ids[key])
        assert offered == expected, key
        with app.app_context():
            story = db.session.get(Story, story_ids[key])
            assert set(offered) - NO_STATE_CHANGE == _table_allows(story), key


def test_the_reply_page_offers_what_the_table_allows_in_every_state(app, site):
    _, reply_ids = site
    client = client_as(app, "keeper")
    for state, expected in REPLY_PAGE.items():
        offered = _offered(client, "reply", reply_ids[state])
        assert offered == expected, state
        with app.app_context():
            reply = db.session.get(Reply, reply_ids[state])
            assert set(offered) == _table_allows(reply), state
