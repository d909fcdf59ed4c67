"""Reports: reasons, one per person, hiding after enough, "at risk" never hides."""

from __future__ import annotations

import pytest

from forum.db import db
from forum.errors import Invalid, NotFound
from forum.moderation import actions, reports
from forum.moderation.models import Report
from forum.stories import reading
from forum.stories import services as stories
from forum.stories.models import Status
from tests.factories import make_story, make_user
from tests.moderation.conftest import entries, make_reply, published_story


def _report(item, who, reason="unkind", kind="story", detail=""):
    return reports.file_report(None, f"c:day:{who}", kind, item.id, reason, detail)


def test_a_report_is_recorded_with_its_reason(tags):
    story = published_story()
    filed = _report(story, "a", "identifies", detail="Names the clinic")
    [report] = db.session.query(Report).all()
    assert (report.target, report.reason.value, report.detail) == (
        f"story:{story.id}",
        "identifies",
        "Names the clinic",
    )
    assert report.resolved_at is None and not filed.hidden and not filed.at_risk


def test_enough_reports_hide_the_story_from_every_reader_view(app, tags):
    app.config["REPORTS_TO_HIDE"] = 3
    story = published_story()
    for who in ("a", "b"):
        assert not _report(story, who).hidden
    assert [s.id for s in reading.published_stories().stories] == [story.id]
    assert _report(story, "c").hidden
    assert story.status is Status.REMOVED and story.hidden_pending_review
    assert reading.published_stories().stories == []
    assert reading.count_published_stories() == reading.Total(0)
    assert reading.tag_counts() == {}
    with pytest.raises(NotFound):
        reading.get_published_story(story.id)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.public) == ("auto_hide", None, True)


def test_one_person_reporting_many_times_counts_once(app, tags):
    app.config["REPORTS_TO_HIDE"] = 2
    story = published_story()
    for _ in range(5):
        _report(story, "same")
    assert db.session.query(Report).count() == 1
    assert story.status is Status.PUBLISHED


def test_an_account_reports_under_its_own_key(app, tags):
    app.config["REPORTS_TO_HIDE"] = 2
    story = published_story()
    member = make_user("wren")
    reports.file_report(member, "c:day:x", "story", story.id, "unkind")
    reports.file_report(member, "c:day:y", "story", story.id, "unkind")
    assert db.session.query(Report).count() == 1 and story.status is Status.PUBLISHED


def test_at_risk_reports_never_hide(app, tags):
    app.config["REPORTS_TO_HIDE"] = 1
    story = published_story()
    filed = _report(story, "a", "at-risk")
    assert filed.at_risk and not filed.hidden and story.status is Status.PUBLISHED


def test_replies_hide_alone_and_keep_their_story(app, tags):
    app.config["REPORTS_TO_HIDE"] = 1
    story = published_story()
    reply = make_reply(story, status=Status.PUBLISHED)
    assert _report(reply, "a", kind="reply").hidden
    assert reply.status is Status.REMOVED and story.status is Status.PUBLISHED
    assert reading.published_replies(story) == []


@pytest.mark.parametrize("status", [Status.PENDING, Status.WITHDRAWN, Status.REMOVED])
def test_only_published_items_can_be_reported(tags, status):
    story = make_story(status=status)
    with pytest.raises(NotFound):
        _report(story, "a")
    with pytest.raises(NotFound):
        reports.file_report(None, "c:x", "story", 999_999, "unkind")
    with pytest.raises(NotFound):
        reports.file_report(None, "c:x", "thread", story.id, "unkind")


def test_a_reply_under_a_story_no_longer_published_cannot_be_reported(tags):
    story = published_story()
    reply = make_reply(story, status=Status.PUBLISHED)
    story.status = Status.WITHDRAWN
    db.session.commit()
    with pytest.raises(NotFound):
        _report(reply, "a", kind="reply")


@pytest.mark.parametrize(
    ("reason", "detail", "field"),
    [
        ("nonsense", "", "reason"),
        (["unkind"], "", "reason"),
        ("other", "", "detail"),
        ("unkind", "x" * 1001, "detail"),
    ],
)
def test_reasons_and_details_are_checked(tags, reason, detail, field):
    story = published_story()
    with pytest.raises(Invalid) as error:
        reports.file_report(None, "c:x", "story", story.id, reason, detail)
    assert error.value.field == field


def test_the_hide_is_rechecked_when_it_runs(app, moderator):
    """A moderator restored the item and closed its reports: old reports do not count again."""
    app.config["REPORTS_TO_HIDE"] = 2
    story = published_story()
    _report(story, "a")
    _report(story, "b")
    actions.restore(moderator, "story", story.id, "Reviewed: fine")
    assert story.status is Status.PUBLISHED
    assert not _report(story, "c").hidden
    assert story.status is Status.PUBLISHED
    assert _report(story, "d").hidden


def test_erasing_a_story_takes_its_reports_with_it(tags):
    story = published_story()
    _report(story, "a")
    teller = stories.Teller(story_ids=frozenset({story.id}))
    stories.erase_story(teller, story)
    assert db.session.query(Report).count() == 0
