"""Replies that support, over HTTP: the guidance on the reply form, and the calm check step for
a reply with crisis language or a watched word (the text kept whole; change it or send it)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from forum.db import db
from forum.governance.models import WatchedAction, WatchedWord
from forum.governance.watched_words import word_key
from forum.stories.models import Reply, Status
from tests.factories import load_tags, make_story
from tests.web import post_form

CRISIS = "I read this and I want to die too.\nI have nobody left."
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def story_id(app):
    with app.app_context():
        load_tags()
        db.session.add(WatchedWord(word="quack", key=word_key("quack"), action=WatchedAction.FLAG))
        db.session.add(
            WatchedWord(
                word="lawsuit", key=word_key("lawsuit"), action=WatchedAction.REQUIRE_APPROVAL
            )
        )
        story_id = make_story(status=Status.PUBLISHED).id
        db.session.remove()
        return story_id


def _send(client, story_id: int, body: str, **extra):
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    token = FORM_TOKEN.search(page).group(1)
    data = {"body": body, "form_token": token, **extra}
    return post_form(client, f"/stories/{story_id}/replies", data, page=f"/stories/{story_id}")


def _replies(app) -> list[Reply]:
    with app.app_context():
        rows = list(db.session.scalars(select(Reply).order_by(Reply.id)))
        db.session.expunge_all()
        return rows


def _textarea(html: str) -> str:
    match = re.search(r'<textarea[^>]*name="body"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, "no reply textarea"
    return unescape(match.group(1))


def test_the_reply_form_carries_guidance_and_the_guidelines_link(client, story_id):
    html = client.get(f"/stories/{story_id}").get_data(as_text=True)
    guidance = html[
        html.index('id="reply-guidance-title"') : html.index(
            "</form>", html.index('id="reply-form-title"')
        )
    ]
    for words in (
        "let them know you hear them",
        "what helped you",
        "Do not diagnose",
        "Never tell someone to stop or start a treatment",
        "Point to help",
    ):
        assert words in guidance, words
    assert 'href="/guidelines"' in guidance
    assert client.get("/guidelines").status_code == 200


def test_a_plain_reply_goes_straight_through(app, client, story_id):
    response = _send(client, story_id, "Thank you for sharing this. I hear you.")
    assert response.status_code == 303
    [reply] = _replies(app)
    assert reply.status is Status.PENDING


def test_crisis_language_gets_the_check_step_with_help_and_the_text_kept(app, client, story_id):
    response = _send(client, story_id, CRISIS)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Before you send your reply</h1>" in html
    assert "If you are thinking about ending your life" in html
    assert 'href="tel:' in html
    assert _textarea(html) == CRISIS
    assert "A moderator will read your reply before it appears." in html
    assert _replies(app) == [], "nothing is stored at the check step"
    # Send it as it is: stored whole, held for a moderator, crisis-flagged.
    token = FORM_TOKEN.search(html).group(1)
    data = {"body": _textarea(html), "form_token": token, "action": "send"}
    sent = post_form(client, f"/stories/{story_id}/replies", data, page=f"/stories/{story_id}")
    assert sent.status_code == 303
    [reply] = _replies(app)
    assert reply.body == CRISIS and reply.status is Status.PENDING
    assert reply.crisis_flagged


def test_a_watched_word_is_named_and_the_writer_can_change_it(app, client, story_id):
    response = _send(client, story_id, "Sounds like a quack to me. Talk to a lawsuit person.")
    html = response.get_data(as_text=True)
    assert "Some words a moderator will look at" in html
    assert "<q>quack</q>" in html and "<q>lawsuit</q>" in html
    assert "If you are thinking about ending your life" not in html
    # The writer changes it and checks again: nothing noticed, so it is sent.
    token = FORM_TOKEN.search(html).group(1)
    data = {"body": "That sounds so hard. I hear you.", "form_token": token, "action": "check"}
    sent = post_form(client, f"/stories/{story_id}/replies", data, page=f"/stories/{story_id}")
    assert sent.status_code == 303
    [reply] = _replies(app)
    assert reply.body == "That sounds so hard. I hear you."


def test_a_require_approval_word_sent_anyway_waits_for_review(app, client, story_id):
    html = _send(client, story_id, "Have you thought of a lawsuit?").get_data(as_text=True)
    assert "A moderator will read your reply before it appears." in html
    token = FORM_TOKEN.search(html).group(1)
    data = {"body": "Have you thought of a lawsuit?", "form_token": token, "action": "send"}
    post_form(client, f"/stories/{story_id}/replies", data, page=f"/stories/{story_id}")
    [reply] = _replies(app)
    assert reply.status is Status.PENDING


def test_sending_without_the_csrf_token_stores_nothing_and_keeps_the_text(app, client, story_id):
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    token = FORM_TOKEN.search(page).group(1)
    data = {"body": CRISIS, "form_token": token, "action": "send"}
    response = client.post(f"/stories/{story_id}/replies", data=data)
    assert _replies(app) == []
    assert _textarea(response.get_data(as_text=True)) == CRISIS
