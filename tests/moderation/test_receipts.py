"""Moderation receipts: the teller sees a moderator's edit and accepts it or withdraws."""

from __future__ import annotations

import pytest

from forum.db import db
from forum.errors import Invalid, NotFound
from forum.governance import sanctions as sanction_checks
from forum.governance.versions import AlreadyHandled
from forum.moderation import receipts, sanctions, services
from forum.moderation.models import Redaction, RedactionState
from forum.stories import reading
from forum.stories import services as stories
from forum.stories.models import Status
from tests.factories import make_draft, make_story, make_user
from tests.moderation.conftest import entries, published_story

BODY = "My counsellor Jane Smith at Riverside Clinic never listened."
REDACTED = "My counsellor at a private clinic never listened."


def _teller(story):
    return stories.Teller(story_ids=frozenset({story.id}))


def _redact(moderator, story, **kwargs):
    return receipts.redact(
        moderator,
        story.id,
        kwargs.pop("title", story.title),
        kwargs.pop("body", REDACTED),
        "Removed details that could identify someone",
        seen_version=story.version,
        **kwargs,
    )


def test_a_redaction_waits_for_the_teller_then_publishes_when_accepted(moderator):
    story = make_story(body=BODY)
    redaction = _redact(moderator, story)
    assert story.status is Status.CHANGES_REQUESTED and story.body == BODY
    assert receipts.pending_redaction(story) == redaction
    assert (redaction.old_body, redaction.new_body) == (BODY, REDACTED)
    receipts.accept_redaction(_teller(story), story.id)
    assert story.status is Status.PUBLISHED and story.body == REDACTED
    assert "Jane" not in story.body_html and story.published_at is not None
    assert redaction.state is RedactionState.ACCEPTED
    assert [(e.action, e.actor_id) for e in entries()] == [
        ("redact", moderator.id),
        ("accept_redaction", None),
    ]
    assert [s.id for s in reading.published_stories().stories] == [story.id]


def test_declining_withdraws_the_story(moderator):
    story = published_story(body=BODY)
    _redact(moderator, story)
    assert reading.published_stories().stories == []  # out of view while the teller decides
    receipts.decline_redaction(_teller(story), story.id)
    assert story.status is Status.WITHDRAWN and story.body == BODY
    assert story.published_at is None
    with pytest.raises(AlreadyHandled):
        receipts.accept_redaction(_teller(story), story.id)


def test_only_the_teller_can_answer(moderator):
    story = make_story(body=BODY)
    _redact(moderator, story)
    for teller in (stories.Teller(), stories.Teller(story_ids=frozenset({story.id + 1}))):
        with pytest.raises(NotFound):
            receipts.accept_redaction(teller, story.id)
        with pytest.raises(NotFound):
            receipts.decline_redaction(teller, story.id)
    with pytest.raises(NotFound):
        receipts.accept_redaction(_teller(story), 999_999)
    author = make_user("wren")
    own = make_story(author=author, body=BODY)
    _redact(moderator, own)
    with pytest.raises(NotFound):
        receipts.accept_redaction(stories.Teller(user=make_user("other")), own.id)
    receipts.accept_redaction(stories.Teller(user=author), own.id)
    assert own.status is Status.PUBLISHED


def test_a_teller_edit_makes_the_redaction_stale(moderator):
    story = make_story(body=BODY)
    _redact(moderator, story)
    stories.edit_story(_teller(story), story, make_draft(body="Rewritten by me"))
    assert receipts.pending_redaction(story) is None
    with pytest.raises(AlreadyHandled):
        receipts.accept_redaction(_teller(story), story.id)
    assert story.body == "Rewritten by me" and story.status is Status.PENDING


def test_a_second_redaction_supersedes_the_first(moderator):
    story = make_story(body=BODY)
    first = _redact(moderator, story)
    second = _redact(moderator, story, body="My counsellor never listened.")
    assert first.state is RedactionState.SUPERSEDED
    assert receipts.pending_redaction(story) == second


def test_approving_instead_supersedes_the_redaction(moderator):
    story = make_story(body=BODY)
    _redact(moderator, story)
    services.request_changes(moderator, story.id, "Please change it yourself")
    assert receipts.pending_redaction(story) is None
    assert db.session.query(Redaction).one().state is RedactionState.SUPERSEDED


def test_a_banned_teller_cannot_publish_by_accepting(moderator):
    story = make_story(body=BODY)
    story.client_key = "k" * 32
    db.session.commit()
    _redact(moderator, story)
    sanctions.ban_poster(moderator, "story", story.id, 5, "Abuse")
    with pytest.raises(sanction_checks.Sanctioned):
        receipts.accept_redaction(_teller(story), story.id)
    assert story.status is Status.CHANGES_REQUESTED
    receipts.decline_redaction(_teller(story), story.id)  # withdrawing is always possible


def test_answers_and_what_helped_can_be_redacted(moderator):
    story = make_story(
        body=BODY, helped_instead="Dr Smith's group", answers={"affected": "At Riverside Clinic"}
    )
    _redact(
        moderator,
        story,
        body=BODY,
        helped_instead="A peer group",
        answers={"affected": "At a clinic", "unknown": "ignored"},
    )
    [(prompt, old, new)] = receipts.answers_of(receipts.pending_redaction(story))
    assert (prompt, old, new) == ("affected", "At Riverside Clinic", "At a clinic")
    receipts.accept_redaction(_teller(story), story.id)
    assert story.helped_instead == "A peer group"
    assert story.answers[0].body == "At a clinic" and "Riverside" not in story.answers[0].body_html


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", REDACTED, "title"),
        ("x" * 201, REDACTED, "title"),
        ("Nobody listened", "  ", "body"),
        ("Nobody listened", BODY, "body"),
    ],
)
def test_redactions_are_checked(moderator, title, body, field):
    story = make_story(body=BODY)
    with pytest.raises(Invalid) as error:
        receipts.redact(moderator, story.id, title, body, "reason")
    assert error.value.field == field
    assert story.status is Status.PENDING and entries() == []


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.REJECTED, Status.REMOVED])
def test_closed_stories_cannot_be_redacted(moderator, status):
    story = make_story(status=status, body=BODY)
    with pytest.raises(AlreadyHandled):
        _redact(moderator, story)


def test_a_stale_version_is_refused(moderator):
    story = make_story(body=BODY)
    seen = story.version
    services.approve_story(moderator, story.id)
    with pytest.raises(AlreadyHandled):
        receipts.redact(moderator, story.id, story.title, REDACTED, "r", seen_version=seen)
