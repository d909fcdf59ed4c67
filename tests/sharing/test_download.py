"""A teller without an account downloads and erases their story with the status code alone."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.db import db
from forum.stories.models import Status, Story
from tests.factories import load_tags
from tests.sharing.flow import sent_code, share
from tests.web import post_form


def _opened_story(app, client) -> int:
    with app.app_context():
        load_tags()
    share(client, title="Mine to keep", body="Words only I wrote.")
    code = sent_code(client)
    other = app.test_client()
    post_form(other, "/status", {"code": code})
    with app.app_context():
        return db.session.scalar(select(Story.id)), other


def test_the_code_holder_downloads_everything_they_wrote(app, client):
    story_id, holder = _opened_story(app, client)
    response = holder.get(f"/status/{story_id}/download")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["title"] == "Mine to keep" and data["body"] == "Words only I wrote."
    assert data["harm_tags"] == {"not-heard": None}


def test_nobody_else_can_download_it(app, client):
    story_id, _holder = _opened_story(app, client)
    assert app.test_client().get(f"/status/{story_id}/download").status_code == 404


def test_the_code_holder_erases_it_and_twice_is_harmless(app, client):
    story_id, holder = _opened_story(app, client)
    assert post_form(holder, f"/status/{story_id}/erase", {}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Story.id))) == 0
    assert holder.get(f"/status/{story_id}/erase").status_code == 404


def test_a_story_hidden_by_reports_says_so_to_its_teller(app, client):
    story_id, holder = _opened_story(app, client)
    with app.app_context():
        story = db.session.get(Story, story_id)
        story.status, story.hidden_pending_review = Status.REMOVED, True
        db.session.commit()
    html = holder.get("/status").get_data(as_text=True)
    assert "Hidden while a moderator looks at reports about it" in html
