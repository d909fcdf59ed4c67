"""Moderation services: approve, request changes, reject — each with its audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.models import AppendOnlyError, AuditEntry
from forum.governance.versions import AlreadyHandled
from forum.moderation import services
from forum.stories import lifecycle, reading, responses
from forum.stories import services as stories
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user


@pytest.fixture
def tags(ctx):
    load_tags()


@pytest.fixture
def moderator(tags):
    return make_user("keeper", role=Role.MODERATOR)


def _entries():
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_approving_publishes_and_writes_one_audit_entry(moderator):
    story = make_story()
    services.approve_story(moderator, story.id, "Kind and de-identified")
    assert story.status is Status.PUBLISHED and story.published_at is not None
    [entry] = _entries()
    assert (entry.action, entry.target_type, entry.target_id) == ("approve", "story", story.id)
    assert entry.actor_id == moderator.id and entry.reason == "Kind and de-identified"
    assert [s.id for s in reading.published_stories().stories] == [story.id]


@pytest.mark.parametrize("role", [Role.MEMBER, None])
def test_only_moderators_can_act(tags, role):
    story = make_story()
    actor = make_user("someone", role=role) if role else None
    for action in (
        lambda: services.approve_story(actor, story.id),
        lambda: services.request_changes(actor, story.id, "Please remove the name"),
        lambda: services.reject_story(actor, story.id, "Not a story"),
    ):
        with pytest.raises(NotAllowed):
            action()
    assert story.status is Status.PENDING and _entries() == []


def test_a_banned_moderator_cannot_act(tags):
    banned = make_user("keeper", role=Role.MODERATOR, banned=True)
    with pytest.raises(NotAllowed):
        services.approve_story(banned, make_story().id)


def test_request_changes_carries_a_message_the_teller_sees(moderator):
    story = make_story()
    services.request_changes(moderator, story.id, "Please take out the clinic's name")
    assert story.status is Status.CHANGES_REQUESTED
    assert story.moderator_message == "Please take out the clinic's name"
    assert _entries()[0].public is False


def test_reject_needs_a_reason(moderator):
    story = make_story()
    with pytest.raises(Invalid) as error:
        services.reject_story(moderator, story.id, "   ")
    assert error.value.field == "reason"
    services.reject_story(moderator, story.id, "Names a practitioner")
    assert story.status is Status.REJECTED and _entries()[0].reason == "Names a practitioner"


def test_the_second_moderator_is_told_it_was_already_handled(moderator):
    other = make_user("warden", role=Role.MODERATOR)
    story = make_story()
    seen = story.version
    services.approve_story(moderator, story.id, seen_version=seen)
    with pytest.raises(AlreadyHandled):
        services.reject_story(other, story.id, "Too late", seen_version=seen)
    with pytest.raises(AlreadyHandled):
        services.approve_story(other, story.id)
    assert story.status is Status.PUBLISHED and len(_entries()) == 1


def test_missing_items_are_not_found(moderator):
    with pytest.raises(NotFound):
        services.approve_story(moderator, 999_999)
    with pytest.raises(NotFound):
        services.approve_reply(moderator, 999_999)


def test_an_action_and_its_audit_entry_commit_together(moderator, monkeypatch):
    story = make_story()

    def broken_audit(actor, action, target, reason="", public=True):
        db.session.add(AuditEntry(action=action, target_type="story", target_id=None))

    monkeypatch.setattr(lifecycle, "audit", broken_audit)  # the lifecycle writes the entry
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the broken entry
        services.approve_story(moderator, story.id)
    db.session.rollback()
    assert db.session.get(Story, story.id).status is Status.PENDING
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_audit_entries_cannot_be_changed_or_deleted(moderator):
    services.approve_story(moderator, make_story().id)
    [entry] = _entries()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason != "rewritten"


def test_replies_are_approved_and_rejected_with_entries(moderator):
    story = make_story(status=Status.PUBLISHED)

    def reply(token):
        return responses.add_reply(
            story.id, None, "Thinking of you", token * 32, reader_id="r", teller=stories.Teller()
        )

    good, bad = reply("a"), reply("b")
    services.approve_reply(moderator, good.id)
    services.reject_reply(moderator, bad.id, "Gives advice to stop treatment")
    assert [r.id for r in reading.published_replies(story)] == [good.id]
    assert [(e.action, e.target_type) for e in _entries()] == [
        ("approve", "reply"),
        ("reject", "reply"),
    ]


def test_the_approve_command_publishes_a_story(app, moderator):
    story_id = make_story().id
    result = app.test_cli_runner().invoke(args=["heard", "approve", str(story_id)])
    assert result.exit_code == 0, result.output
    assert f"Published story {story_id}" in result.output
    assert db.session.get(Story, story_id).status is Status.PUBLISHED
    again = app.test_cli_runner().invoke(args=["heard", "approve", str(story_id)])
    assert again.exit_code != 0 and "not waiting for review" in again.output
