"""The new pages run a bounded number of SQL statements: measured with one update, edit and
draft, then with many more; the count must not grow and stays under the pinned ceiling."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.stories import changes, saved_drafts
from forum.stories.models import Status
from forum.stories.services import Teller
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.stories.test_queries import counting
from tests.web import sign_in

# Statements on SQLite (BEGIN counts), signed in as the member or the moderator: the session
# check, the account and its recovery codes and the header's news count (forum/following)
# come first (4), then each page's own.
CEILINGS = {
    "/account/stories": 7,  # + the stories and their tags, their changes (one query)
    "/status/{story}/update": 5,  # + the story
    "/status/{story}/revise": 6,  # + the story, the revision waiting
    "/share/drafts": 5,  # + the account's draft
    "/moderation": 10,  # the queue as before, + the count of updates and edits waiting
    "/moderation/changes": 6,  # + the changes with their stories (one join)
    "/moderation/changes/{change}": 7,  # + the change, then its story (for the diff)
}
MEMBER_PAGES = ("/account/stories", "/status/{story}/update", "/status/{story}/revise")


def _add(app, teller_story: int, count: int) -> int:
    """`count` updates waiting on a member's story, and more published stories with edits."""
    with app.app_context():
        heron = db.session.scalar(select(User).where(User.handle == "heron"))
        teller = Teller(user=heron)
        last = 0
        for _ in range(count):
            sent = changes.add_update(teller, teller_story, "A year on", secrets.token_urlsafe(24))
            other = make_story(status=Status.PUBLISHED, author=heron, title="Another")
            changes.propose_revision(
                teller, other.id, "Another, changed", "New words", secrets.token_urlsafe(24)
            )
            last = sent.change.id
        saved_drafts.save(
            heron, secrets.token_urlsafe(24), {"title": "Later"}, frozenset({"title"})
        )
        db.session.remove()
        return last


@pytest.fixture
def seeded(app):
    with app.app_context():
        load_tags()
        heron = make_user("heron")
        make_user("keeper", role=Role.MODERATOR)
        story_id = make_story(status=Status.PUBLISHED, author=heron, title="Mine").id
        db.session.remove()
    return story_id


def _count(app, client, path: str) -> int:
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_new_pages_run_a_bounded_number_of_queries(app, seeded):
    member, moderator = app.test_client(), app.test_client()
    sign_in(member, "heron", PASSWORD)
    sign_in(moderator, "keeper", PASSWORD)
    counts: dict[str, list[int]] = {}
    for amount in (1, 12):
        change_id = _add(app, seeded, amount)
        for pattern in CEILINGS:
            path = pattern.format(story=seeded, change=change_id)
            client = member if pattern in MEMBER_PAGES or pattern == "/share/drafts" else moderator
            counts.setdefault(pattern, []).append(_count(app, client, path))
    for pattern, (few, many) in counts.items():
        assert many == few, f"{pattern}: {few} statements with little data, {many} with more"
        assert many <= CEILINGS[pattern], f"{pattern}: {many} statements"
