"""The teller's access list: bounded, expiring, purged by the retention job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.db import db, utcnow
from forum.governance import teller_access
from forum.governance.teller_access import MAX_STORIES, TellerAccess
from forum.retention.services import purge
from forum.stories.models import Story
from tests.factories import load_tags, make_story


def _count() -> int:
    return db.session.scalar(select(func.count(TellerAccess.id)))


def _stories(n: int) -> list[int]:
    load_tags()
    return [make_story(title=f"Story {i}").id for i in range(n)]


def test_a_grant_moves_the_list_to_a_new_handle(ctx):
    first, second = _stories(2)
    old = teller_access.grant(None, first)
    new = teller_access.grant(old, second)
    assert new != old
    assert teller_access.stories_for(new) == {first, second}
    assert teller_access.stories_for(old) == frozenset()


def test_granting_the_same_story_twice_keeps_one_row(ctx):
    (story_id,) = _stories(1)
    handle = teller_access.grant(teller_access.grant(None, story_id), story_id)
    assert teller_access.stories_for(handle) == {story_id} and _count() == 1


def test_the_list_keeps_only_the_newest_stories(ctx):
    ids = _stories(MAX_STORIES + 3)
    handle = None
    for story_id in ids:
        handle = teller_access.grant(handle, story_id)
    assert teller_access.stories_for(handle) == set(ids[-MAX_STORIES:])
    assert _count() == MAX_STORIES


def test_revoking_one_story_or_all(ctx):
    first, second = _stories(2)
    handle = teller_access.grant(teller_access.grant(None, first), second)
    teller_access.revoke(handle, first)
    assert teller_access.stories_for(handle) == {second}
    teller_access.revoke(handle)
    assert teller_access.stories_for(handle) == frozenset() and _count() == 0


def test_access_expires_and_the_retention_job_purges_it(app, ctx):
    old, fresh = _stories(2)
    handle = teller_access.grant(teller_access.grant(None, old), fresh)
    row = db.session.scalar(select(TellerAccess).where(TellerAccess.story_id == old))
    days = app.config["TELLER_ACCESS_DAYS"]
    row.granted_at = utcnow() - timedelta(days=days, minutes=1)
    db.session.commit()
    assert teller_access.stories_for(handle) == {fresh}
    report = purge()
    assert report.teller_access == 1 and _count() == 1
    assert "1 expired story access records" in report.summary()
    assert purge().teller_access == 0


def test_deleting_a_story_deletes_its_access_rows(ctx):
    (story_id,) = _stories(1)
    handle = teller_access.grant(None, story_id)
    db.session.delete(db.session.get(Story, story_id))
    db.session.commit()
    assert _count() == 0 and teller_access.stories_for(handle) == frozenset()
