"""Moderators respond to crisis posts well, over HTTP: the guidance panel, the content-note
decision before publishing, the caring message on the teller's pages (audited), and how long
a crisis item has waited in the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.governance.models import AuditEntry
from forum.moderation.queue import waited_for
from forum.stories.models import Status, Story
from forum.stories.services import submit_story
from tests.factories import PASSWORD, load_tags, make_draft, make_story, make_user
from tests.moderation.web import act, client_as, post
from tests.web import post_form, sign_in

CRISIS = "Some nights I want to end my life, and nobody in that room noticed."


@pytest.fixture
def site(app):
    """A moderator, a member who told a crisis story, an anonymous crisis story, a plain one."""
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        heron = make_user("heron")
        own = make_story(title="Heron's hard night", body=CRISIS, author=heron)
        sent = submit_story(
            None, make_draft(title="An anonymous hard night", body=CRISIS), "f" * 32
        )
        plain = make_story(title="A plain story")
        for story in (own, sent.story):
            story.crisis_flagged = True
        db.session.commit()
        return SimpleNamespace(
            own=own.id, anonymous=sent.story.id, code=sent.status_token, plain=plain.id
        )


def _story(app, story_id) -> Story:
    with app.app_context():
        story = db.session.get(Story, story_id)
        db.session.expunge_all()
        return story


def _audit(app, story_id) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "story", AuditEntry.target_id == story_id)
            .order_by(AuditEntry.id)
        )
        return [(e.action, e.reason, e.public) for e in rows]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_crisis_item_shows_guidance_and_a_plain_one_does_not(app, site):
    client = client_as(app, "keeper")
    html = _page(client, f"/moderation/story/{site.anonymous}")
    panel = html[html.index('id="crisis-guidance-title"') :]
    for words in ("What to look for", "What to do", "Never argue", "promise", "caring message"):
        assert words in panel, words
    assert "Send a caring message" in html
    assert "does it need a content note?" in html
    plain = _page(client, f"/moderation/story/{site.plain}")
    assert "crisis-guidance" not in plain and "Send a caring message" not in plain
    assert "does it need a content note?" not in plain


def test_publishing_a_crisis_story_asks_for_a_content_note_decision(app, site):
    client = client_as(app, "keeper")
    version = _story(app, site.anonymous).version
    response = act(client, "story", site.anonymous, "approve", version)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose whether to add a content note" in html
    assert _story(app, site.anonymous).status is Status.PENDING

    no_reason = act(client, "story", site.anonymous, "approve", version, note_decision="none")
    assert no_reason.status_code == 400
    assert "Enter a reason" in no_reason.get_data(as_text=True)
    assert _story(app, site.anonymous).status is Status.PENDING

    done = act(client, "story", site.anonymous, "approve", version, note_decision="add")
    assert done.status_code == 303
    story = _story(app, site.anonymous)
    assert story.status is Status.PUBLISHED and "suicide" in story.content_note_slugs
    assert any(a == "approve" and "Content note added" in r for a, r, _ in _audit(app, story.id))


def test_no_content_note_needs_a_reason_that_is_audited(app, site):
    client = client_as(app, "keeper")
    version = _story(app, site.own).version
    response = act(
        client,
        "story",
        site.own,
        "approve",
        version,
        note_decision="none",
        note_reason="It tells of the past, without detail",
    )
    assert response.status_code == 303
    story = _story(app, site.own)
    assert story.status is Status.PUBLISHED and "suicide" not in story.content_note_slugs
    reasons = [r for a, r, _ in _audit(app, site.own) if a == "approve"]
    assert reasons and "No content note needed: It tells of the past" in reasons[0]


def test_a_plain_story_is_published_without_a_note_decision(app, site):
    client = client_as(app, "keeper")
    response = act(client, "story", site.plain, "approve", _story(app, site.plain).version)
    assert response.status_code == 303
    assert _story(app, site.plain).status is Status.PUBLISHED


def test_a_caring_message_reaches_the_anonymous_teller_and_is_audited(app, site):
    keeper = client_as(app, "keeper")
    version = _story(app, site.anonymous).version
    url = f"/moderation/story/{site.anonymous}/caring"
    response = post(keeper, url, {"version": str(version)}, prefix="caring")
    assert response.status_code == 303
    assert _story(app, site.anonymous).cared_at is not None
    assert _story(app, site.anonymous).version == version  # open forms stay valid
    entries = [e for e in _audit(app, site.anonymous) if e[0] == "caring_message"]
    assert entries == [("caring_message", "Sent a caring message with help lines", False)]

    teller = app.test_client()
    assert post_form(teller, "/status", {"code": site.code}).status_code == 303
    html = _page(teller, "/status")
    message = html[html.index("A message from the moderators") :]
    assert "wanted to check in with you" in message
    assert 'href="tel:116123"' in message and 'href="tel:988"' in message
    assert "keeper" not in message  # never the moderator's name

    again = post(keeper, url, {"version": str(version)}, prefix="caring")
    assert again.status_code == 409
    assert len([e for e in _audit(app, site.anonymous) if e[0] == "caring_message"]) == 1


def test_a_caring_message_shows_in_the_tellers_account(app, site):
    keeper = client_as(app, "keeper")
    url = f"/moderation/story/{site.own}/caring"
    assert post(keeper, url, {"version": "1"}, prefix="caring").status_code == 303
    teller = app.test_client()
    sign_in(teller, "heron", PASSWORD)
    html = _page(teller, "/account/stories")
    assert "A message from the moderators" in html and "wanted to check in" in html


def test_a_caring_message_is_only_for_a_crisis_story(app, site):
    keeper = client_as(app, "keeper")
    url = f"/moderation/story/{site.plain}/caring"
    response = post(keeper, url, {"version": "1"}, prefix="caring")
    assert response.status_code == 409
    assert _story(app, site.plain).cared_at is None


def test_only_moderators_may_send_a_caring_message(app, site):
    member = client_as(app, "heron")
    url = f"/moderation/story/{site.anonymous}/caring"
    response = post(member, url, {"version": "1"}, prefix="caring")
    assert response.status_code in (403, 404)
    assert _story(app, site.anonymous).cared_at is None


def test_the_queue_shows_how_long_a_crisis_item_has_waited(app, site):
    with app.app_context():
        story = db.session.get(Story, site.anonymous)
        story.submitted_at = datetime.now(UTC) - timedelta(hours=3, minutes=20)
        story.created_at = story.submitted_at
        db.session.commit()
    html = _page(client_as(app, "keeper"), "/moderation")
    assert "Crisis language, waiting 3 hours 20 minutes" in html
    assert html.count("Crisis language, waiting") == 2  # the two crisis stories, not the plain


def test_waited_for_reads_at_a_glance():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert waited_for(now, now) == "less than a minute"
    assert waited_for(now - timedelta(minutes=1), now) == "1 minute"
    assert waited_for(now - timedelta(hours=2), now) == "2 hours"
    assert waited_for(now - timedelta(days=1, hours=1, minutes=5), now) == "1 day 1 hour"
