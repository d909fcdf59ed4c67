"""Moderation wired into the other features: sanctions and watched words on every way in,
the reply policy, report links on the story page, the receipt link on the status page."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.db import db, utcnow
from forum.errors import Invalid
from forum.governance import sanctions as sanction_checks
from forum.governance.models import Sanction, SanctionKind
from forum.moderation import queue, receipts, sanctions, watched_words
from forum.safety.client_key import ban_key
from forum.stories import reading, responses
from forum.stories import services as stories
from forum.stories.models import Reply, Status, Story
from tests.factories import load_tags, make_draft, make_story, make_user
from tests.moderation.conftest import published_story
from tests.moderation.web import client_as, post

KEY = "k" * 32


def _reply(story, author=None, body="Thinking of you", client_key=None):
    return responses.add_reply(
        story.id,
        author,
        body,
        secrets.token_urlsafe(24),
        reader_id="r" * 16,
        teller=stories.Teller(),
        client_key=client_key,
    )


def _ban(key: str, days: int = 3) -> None:
    db.session.add(
        Sanction(
            kind=SanctionKind.BAN,
            client_key=key,
            reason="Abuse",
            ends_at=utcnow() + timedelta(days=days),
        )
    )
    db.session.commit()


def test_a_key_ban_stops_stories_replies_and_status_edits(tags):
    story = stories.submit_story(None, make_draft(), secrets.token_urlsafe(24), client_key=KEY)
    assert story.story.client_key == KEY
    live = published_story()
    _ban(KEY)
    with pytest.raises(sanction_checks.Sanctioned):
        stories.submit_story(None, make_draft(), secrets.token_urlsafe(24), client_key=KEY)
    with pytest.raises(sanction_checks.Sanctioned):
        _reply(live, client_key=KEY)
    teller = stories.Teller(story_ids=frozenset({story.story.id}))
    with pytest.raises(sanction_checks.Sanctioned):
        stories.edit_story(teller, story.story, make_draft(body="Changed"))
    stories.withdraw_story(teller, story.story)  # withdrawing stays possible
    stories.submit_story(None, make_draft(), secrets.token_urlsafe(24), client_key="other")


def test_an_expired_key_ban_no_longer_applies(tags):
    _ban(KEY, days=1)
    db.session.scalar(select(Sanction)).ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    stories.submit_story(None, make_draft(), secrets.token_urlsafe(24), client_key=KEY)


def test_watched_words_on_submitted_stories_replies_and_handles(admin):
    watched_words.add_word(admin, "idiot", "block")
    watched_words.add_word(admin, "darn", "replace", "[removed]")
    with pytest.raises(Invalid) as error:
        stories.submit_story(None, make_draft(body="My therapist called me an 1d10t"), "t" * 24)
    assert error.value.field == "body" and "still here" in error.value.message
    with pytest.raises(Invalid) as error:
        stories.submit_story(None, make_draft(title="What an IDIOT"), "u" * 24)
    assert error.value.field == "title"
    assert db.session.query(Story).count() == 0
    sent = stories.submit_story(None, make_draft(body="Well, d4rn it."), "v" * 24).story
    assert sent.body == "Well, [removed] it." and "d4rn" not in sent.body_html
    live = published_story()
    with pytest.raises(Invalid):
        _reply(live, body="You idiot")
    assert _reply(live, body="Darn.").body == "[removed]."
    with pytest.raises(Invalid) as error:
        accounts.sign_up("the_1d10t", "a calm river at dusk")
    assert error.value.field == "handle"


def test_the_reply_policy(app, admin, moderator):
    app.config["TRUSTED_MEMBER_APPROVED_POSTS"] = 1
    trusted = make_user("wren")
    new = make_user("finch")
    published_story(author=trusted)
    live = published_story(title="Thread")
    at_once = _reply(live, author=trusted)
    assert at_once.status is Status.PUBLISHED and at_once.awaiting_review
    assert at_once.id in [r.id for r in reading.published_replies(live)]
    items, _ = queue.load_queue()
    assert ("reply", at_once.id) in [(q.kind, q.item.id) for q in items]
    assert _reply(live, author=new).status is Status.PENDING
    assert _reply(live).status is Status.PENDING
    assert _reply(live, author=trusted, body="I want to die too").status is Status.PENDING
    watched_words.add_word(admin, "clinic", "require-approval")
    assert _reply(live, author=trusted, body="Which clinic?").status is Status.PENDING
    sanctions.warn(moderator, trusted.id, "Be gentle")
    assert _reply(live, author=trusted).status is Status.PENDING


@pytest.fixture
def site(app):
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        story = make_story(status=Status.PUBLISHED, title="A story")
        return story.id


def test_a_banned_reader_sees_a_kind_message_when_replying(app, site):
    with app.app_context():
        _ban(ban_key(app.config["SECRET_KEY"], "127.0.0.1"))
    reader = app.test_client()
    page = reader.get(f"/stories/{site}").get_data(as_text=True)
    assert f'href="/stories/{site}/report"' in page
    response = post(reader, f"/stories/{site}/replies", {"body": "Hello", "form_token": "f" * 32})
    assert response.status_code == 200
    assert "Posting from here has been paused" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Reply).count() == 0


def test_replies_keep_the_ban_key_and_show_a_report_link(app, site):
    reader = app.test_client()
    post(reader, f"/stories/{site}/replies", {"body": "Hello", "form_token": "g" * 32})
    with app.app_context():
        reply = db.session.scalar(select(Reply))
        assert reply.client_key == ban_key(app.config["SECRET_KEY"], "127.0.0.1")
        reply.status, reply.published_at = Status.PUBLISHED, utcnow()
        db.session.commit()
        reply_id = reply.id
    page = reader.get(f"/stories/{site}").get_data(as_text=True)
    assert f'href="/replies/{reply_id}/report"' in page


def test_the_status_page_links_to_a_waiting_edit(app, site):
    with app.app_context():
        teller = make_user("heron")
        story = make_story(author=teller, title="Mine", body="Dr Smith")
        keeper = db.session.scalar(select(User).where(User.handle == "keeper"))
        receipts.redact(keeper, story.id, "Mine", "My psychologist", "Removed a name")
        story_id = story.id
    page = client_as(app, "heron").get("/account/stories").get_data(as_text=True)
    assert f'href="/status/{story_id}/moderator-edit"' in page
