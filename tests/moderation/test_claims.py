"""Claiming a queue item, over HTTP with two moderators: the claim is shown to the other in the
queue and on the item page, they can still act or take it over, and any action or the expiry
ends it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.accounts.models import Role, User
from forum.db import db, utcnow
from forum.errors import NotAllowed
from forum.moderation import claims
from forum.moderation.models import QueueClaim
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import act, client_as, post

UNTIL = r"\(until \d\d:\d\d UTC\)"


@pytest.fixture
def story(app):
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("warden", role=Role.MODERATOR)
        make_user("heron")
        story = make_story(title="Waiting for a look")
        ids = (story.id, story.version)
        db.session.remove()
        return ids


def _claim(client, story_id: int, decision: str = "claim"):
    return post(client, f"/moderation/story/{story_id}/claim", {"decision": decision})


def _claims(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        rows = db.session.scalars(select(QueueClaim).order_by(QueueClaim.id))
        found = [(c.target_type, c.target_id, c.moderator.handle) for c in rows]
        db.session.remove()
        return found


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_two_moderators_see_the_claim_and_any_action_releases_it(app, story):
    story_id, version = story
    a, b = client_as(app, "keeper"), client_as(app, "warden")
    assert "Nobody has claimed this yet." in _text(a.get(f"/moderation/story/{story_id}"))
    assert _claim(a, story_id).status_code == 303
    assert _claims(app) == [("story", story_id, "keeper")]

    assert re.search("You are reviewing this " + UNTIL, _text(a.get("/moderation")))
    assert re.search("Being reviewed by keeper " + UNTIL, _text(b.get("/moderation")))
    item = _text(b.get(f"/moderation/story/{story_id}"))
    assert re.search("Being reviewed by keeper " + UNTIL, item)
    assert "You can still act on it." in item and "Take over the review" in item

    # B cannot claim it quietly: the page says who has it, and nothing changes.
    refused = _claim(b, story_id)
    assert refused.status_code == 409
    assert "Being reviewed by keeper" in _text(refused)
    assert _claims(app) == [("story", story_id, "keeper")]

    # B acts anyway (a soft lock): the action releases the claim, in the same transaction.
    assert act(b, "story", story_id, "approve", version, "Fine to publish").status_code == 303
    assert _claims(app) == []
    assert "Nobody has claimed this yet." in _text(a.get(f"/moderation/story/{story_id}"))


def test_taking_over_and_releasing_are_explicit(app, story):
    story_id, _ = story
    a, b = client_as(app, "keeper"), client_as(app, "warden")
    _claim(a, story_id)
    assert _claim(b, story_id, "take_over").status_code == 303
    assert _claims(app) == [("story", story_id, "warden")]
    assert re.search("Being reviewed by warden " + UNTIL, _text(a.get("/moderation")))
    # A cannot release B's claim; B can release their own.
    _claim(a, story_id, "release")
    assert _claims(app) == [("story", story_id, "warden")]
    _claim(b, story_id, "release")
    assert _claims(app) == []


def test_an_expired_claim_is_not_shown_and_can_be_claimed_again(app, story):
    story_id, _ = story
    a, b = client_as(app, "keeper"), client_as(app, "warden")
    _claim(a, story_id)
    with app.app_context():
        db.session.execute(update(QueueClaim).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "Being reviewed" not in _text(b.get("/moderation"))
    assert "Nobody has claimed this yet." in _text(b.get(f"/moderation/story/{story_id}"))
    assert _claim(b, story_id).status_code == 303
    assert _claims(app) == [("story", story_id, "warden")]


def test_the_claim_lasts_the_setting(app, story):
    story_id, _ = story
    app.config["MODERATION_CLAIM_MINUTES"] = 5
    _claim(client_as(app, "keeper"), story_id)
    with app.app_context():
        claim = db.session.scalar(select(QueueClaim))
        assert timedelta(minutes=4) < claim.expires_at - utcnow() <= timedelta(minutes=5)


def test_members_cannot_claim(app, story):
    story_id, _ = story
    assert _claim(client_as(app, "heron"), story_id).status_code == 403
    with app.app_context():
        heron = db.session.scalar(select(User).filter_by(handle="heron"))
        with pytest.raises(NotAllowed):
            claims.claim(heron, "story", story_id)
    assert _claims(app) == []
