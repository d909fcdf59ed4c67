"""Hide, restore, lock, pin, feature, tags: each one transaction with its audit entry."""

from __future__ import annotations

import pytest

from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.versions import AlreadyHandled
from forum.moderation import actions, reports, services
from forum.moderation.models import Report
from forum.stories import reading, responses
from forum.stories import services as stories
from forum.stories.models import ReactionKind, Status, StoryKind
from tests.factories import make_story, make_user
from tests.moderation.conftest import entries, make_reply, published_story


def test_hiding_takes_a_story_out_of_every_reader_view(moderator):
    story = published_story()
    actions.hide(moderator, "story", story.id, "Breaks the guidelines", story.version)
    assert story.status is Status.REMOVED
    assert reading.published_stories().stories == []
    assert reading.tag_counts() == {}
    with pytest.raises(NotFound):
        reading.get_published_story(story.id)
    [entry] = entries()
    assert (entry.action, entry.reason, entry.public) == ("hide", "Breaks the guidelines", True)


def test_restore_brings_it_back_and_closes_reports(app, moderator):
    app.config["REPORTS_TO_HIDE"] = 1
    story = published_story()
    reports.file_report(None, "c:a", "story", story.id, "unkind")
    assert story.hidden_pending_review
    actions.restore(moderator, "story", story.id, "Reviewed: fine")
    assert story.status is Status.PUBLISHED and not story.hidden_pending_review
    assert db.session.query(Report).filter(Report.resolved_at.is_(None)).count() == 0
    assert [s.id for s in reading.published_stories().stories] == [story.id]


def test_hiding_an_item_hidden_by_reports_confirms_it(app, moderator):
    app.config["REPORTS_TO_HIDE"] = 1
    story = published_story()
    reports.file_report(None, "c:a", "story", story.id, "unkind")
    actions.hide(moderator, "story", story.id, "Confirmed")
    assert story.status is Status.REMOVED and not story.hidden_pending_review
    with pytest.raises(AlreadyHandled):
        actions.hide(moderator, "story", story.id, "Again")


@pytest.mark.parametrize("status", [Status.PENDING, Status.WITHDRAWN, Status.REJECTED])
def test_only_published_items_can_be_hidden_and_only_hidden_ones_restored(moderator, status):
    story = make_story(status=status)
    with pytest.raises(AlreadyHandled):
        actions.hide(moderator, "story", story.id, "x")
    with pytest.raises(AlreadyHandled):
        actions.restore(moderator, "story", story.id, "x")
    assert story.status is status and entries() == []


def test_a_reply_is_not_restored_under_a_story_readers_cannot_see(moderator):
    story = published_story()
    reply = make_reply(story, status=Status.PUBLISHED)
    actions.hide(moderator, "reply", reply.id, "Unkind")
    story.status = Status.WITHDRAWN
    db.session.commit()
    with pytest.raises(AlreadyHandled):
        actions.restore(moderator, "reply", reply.id, "Fine")
    assert reply.status is Status.REMOVED


def test_actions_on_missing_or_erased_items_are_not_found(moderator):
    story = published_story()
    story_id, reply_id = story.id, make_reply(story, status=Status.PUBLISHED).id
    stories.erase_story(stories.Teller(story_ids=frozenset({story.id})), story)
    for call in (
        lambda: actions.hide(moderator, "story", story_id, "x"),
        lambda: actions.hide(moderator, "reply", reply_id, "x"),
        lambda: actions.set_flag(moderator, story_id, "locked", True, "x"),
        lambda: actions.adjust_tags(moderator, story_id, ["not-heard"], [], [], "x"),
        lambda: services.approve_reply(moderator, reply_id),
    ):
        with pytest.raises(NotFound):
            call()


def test_flags_lock_pin_and_feature(moderator):
    story = published_story()
    actions.set_flag(moderator, story.id, "locked", True, "Needs a pause")
    with pytest.raises(NotAllowed):
        responses.react(story.id, ReactionKind.HEAR, "u:1")
    actions.set_flag(moderator, story.id, "pinned", True, "Important")
    actions.set_flag(moderator, story.id, "featured", True, "A good example")
    assert (story.locked, story.pinned, story.featured) == (True, True, True)
    assert [s.id for s in reading.published_stories(featured_only=True).stories] == [story.id]
    with pytest.raises(AlreadyHandled):
        actions.set_flag(moderator, story.id, "featured", True, "Again")
    actions.set_flag(moderator, story.id, "locked", False, "Open again")
    assert [e.action for e in entries()] == ["lock", "pin", "feature", "unlock"]
    with pytest.raises(Invalid):
        actions.set_flag(moderator, story.id, "status", True, "x")


def test_pending_stories_cannot_be_featured(moderator):
    story = make_story()
    with pytest.raises(AlreadyHandled):
        actions.set_flag(moderator, story.id, "featured", True, "x")
    assert not story.featured


def test_tags_and_content_notes_are_adjusted_and_impacts_kept(moderator):
    story = make_story(harm_tags=["not-heard"], impacts={"not-heard": 3})
    actions.adjust_tags(
        moderator,
        story.id,
        ["invalidated", "not-heard"],
        ["peer-support-group"],
        ["self-harm"],
        "Tags fit better",
        seen_version=story.version,
    )
    assert [t.slug for t in story.harm_tags] == ["invalidated", "not-heard"]
    assert [t.slug for t in story.practice_tags] == ["peer-support-group"]
    assert {st.tag.slug: st.impact for st in story.story_tags}["not-heard"] == 3
    assert story.content_notes == "self-harm"
    assert entries()[-1].action == "adjust_tags"


@pytest.mark.parametrize(
    ("harm", "practice", "notes", "field"),
    [
        ([], [], [], "harm_tags"),
        (["no-such-tag"], [], [], "harm_tags"),
        (["peer-support-group"], [], [], "harm_tags"),
        (["not-heard"], ["not-heard"], [], "practice_tags"),
        (["not-heard"], [], ["gore"], "content_notes"),
    ],
)
def test_tag_adjustments_are_checked(moderator, harm, practice, notes, field):
    story = make_story()
    with pytest.raises(Invalid) as error:
        actions.adjust_tags(moderator, story.id, harm, practice, notes, "x")
    assert error.value.field == field
    assert [t.slug for t in story.harm_tags] == ["not-heard"] and entries() == []


def test_practice_stories_need_a_practice_tag(moderator):
    story = make_story(kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"])
    with pytest.raises(Invalid) as error:
        actions.adjust_tags(moderator, story.id, [], [], [], "x")
    assert error.value.field == "practice_tags"


def test_dismissing_reports_keeps_the_item(moderator):
    story = published_story()
    with pytest.raises(AlreadyHandled):
        actions.dismiss_reports(moderator, "story", story.id, "Nothing to dismiss")
    reports.file_report(None, "c:a", "story", story.id, "spam")
    actions.dismiss_reports(moderator, "story", story.id, "Not spam")
    assert story.status is Status.PUBLISHED
    assert entries()[-1].action == "dismiss_reports" and entries()[-1].public is True


def test_the_second_moderator_is_told_and_nothing_is_applied_twice(moderator):
    other = make_user("warden", role=moderator.role)
    story = published_story()
    seen = story.version
    actions.hide(moderator, "story", story.id, "First", seen)
    with pytest.raises(AlreadyHandled):
        actions.set_flag(other, story.id, "featured", True, "Second", seen)
    with pytest.raises(AlreadyHandled):
        actions.hide(other, "story", story.id, "Second", seen)
    assert not story.featured and len(entries()) == 1


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 2001, ["a list"]])
def test_every_action_needs_a_reason(moderator, reason):
    story = published_story()
    with pytest.raises(Invalid):
        actions.hide(moderator, "story", story.id, reason)
    with pytest.raises(Invalid):
        actions.set_flag(moderator, story.id, "locked", True, reason)
    assert story.status is Status.PUBLISHED and not story.locked and entries() == []


def test_members_and_anonymous_cannot_act(member):
    story = published_story()
    for actor in (member, None):
        with pytest.raises(NotAllowed):
            actions.hide(actor, "story", story.id, "x")
        with pytest.raises(NotAllowed):
            actions.set_flag(actor, story.id, "pinned", True, "x")
        with pytest.raises(NotAllowed):
            actions.adjust_tags(actor, story.id, ["not-heard"], [], [], "x")
    assert story.status is Status.PUBLISHED and entries() == []


def test_post_moderated_replies_are_confirmed_or_taken_down(moderator):
    story = published_story()
    good = make_reply(story, status=Status.PUBLISHED, awaiting_review=True)
    bad = make_reply(story, status=Status.PUBLISHED, awaiting_review=True)
    services.approve_reply(moderator, good.id, "Fine")
    services.reject_reply(moderator, bad.id, "Gives advice to stop therapy")
    assert not good.awaiting_review and good.status is Status.PUBLISHED
    assert bad.status is Status.REJECTED and bad.published_at is None
    assert [r.id for r in reading.published_replies(story)] == [good.id]


def test_a_pending_reply_under_a_withdrawn_story_is_not_approved(moderator):
    story = published_story()
    reply = make_reply(story)
    story.status = Status.WITHDRAWN
    db.session.commit()
    with pytest.raises(AlreadyHandled):
        services.approve_reply(moderator, reply.id)
    assert reply.status is Status.PENDING
    services.reject_reply(moderator, reply.id, "The story was withdrawn")
