"""A story page shows its replies 50 at a time (keyset), with links to the earlier, later and
newest ones; story cards on /stories, the front page and tag pages show reply and support counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.stories.models import Status
from forum.stories.reading import REPLY_PAGE_SIZE
from tests.factories import load_tags, make_story, make_user
from tests.stories.test_queries import add_replies


@pytest.fixture
def story_id(app):
    with app.app_context():
        load_tags()
        make_user("mod", role=Role.MODERATOR)
        make_user("teller")
        story = make_story(status=Status.PUBLISHED, title="Many replies")
        story_id = story.id
        db.session.remove()
    add_replies(app, story_id, REPLY_PAGE_SIZE + 5)
    return story_id


def _replies(html: str) -> list[str]:
    return re.findall(r"<p>(Reply \d+)</p>", html)


def test_replies_page_by_keyset_with_a_link_to_the_newest(client, story_id):
    first = client.get(f"/stories/{story_id}").get_data(as_text=True)
    total = REPLY_PAGE_SIZE + 5
    assert f"Replies ({total})" in first
    assert _replies(first) == [f"Reply {n}" for n in range(REPLY_PAGE_SIZE)]
    later = re.search(r'href="([^"]*replies_after=[^"#]*)', first).group(1)
    assert "replies=newest" in first and "Earlier replies" not in first
    second = client.get(later.replace("&amp;", "&")).get_data(as_text=True)
    assert _replies(second) == [f"Reply {n}" for n in range(REPLY_PAGE_SIZE, total)]
    assert "Earlier replies" in second and "Later replies" not in second
    newest = client.get(f"/stories/{story_id}?replies=newest").get_data(as_text=True)
    assert _replies(newest) == [f"Reply {n}" for n in range(5, total)]
    earlier = re.search(r'href="([^"]*replies_before=[^"#]*)', newest).group(1)
    back = client.get(earlier.replace("&amp;", "&")).get_data(as_text=True)
    assert _replies(back) == [f"Reply {n}" for n in range(5)]
    assert client.get(f"/stories/{story_id}?replies_after=junk").status_code == 200


def test_cards_count_replies_and_support(client, story_id, app):
    html = client.get("/stories").get_data(as_text=True)
    total = REPLY_PAGE_SIZE + 5
    assert f"{total} replies" in html
    assert f"Me too: {total}" in html and f"I hear you: {total}" in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 2


@pytest.mark.parametrize("path", ["/", "/tags/not-heard"])
def test_home_and_tag_cards_count_replies_and_support(client, story_id, path):
    """The front page's recent stories and a tag's page show the same counts as /stories."""
    html = client.get(path).get_data(as_text=True)
    total = REPLY_PAGE_SIZE + 5
    assert "Many replies" in html
    assert f"{total} replies" in html
    assert f"Me too: {total}" in html and f"I hear you: {total}" in html
