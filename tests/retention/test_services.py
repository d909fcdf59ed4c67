"""Purge: each retention window is enforced, and running it twice removes nothing more."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.accounts.models import AccountSession
from forum.db import db, utcnow
from forum.governance.models import AuditEntry
from forum.retention import services as retention
from forum.retention.services import RETENTION_REASON, purge
from forum.safety import client_key as ck
from forum.safety.models import DaySecret
from forum.stories.models import Reply, Status, Story
from tests.conftest import make_test_app
from tests.factories import load_tags, make_story, make_user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_purge_removes_old_day_secrets_and_expired_sessions(app, ctx):
    now = utcnow()
    for days_ago in range(4):
        ck.secret_of_the_day((now - timedelta(days=days_ago)).date())
    user = make_user()
    live = accounts.start_session(user)
    accounts.start_session(user)
    stale = db.session.scalars(select(AccountSession).order_by(AccountSession.id)).all()[1]
    stale.last_seen_at = now - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 5)
    db.session.commit()
    report = purge(now)
    assert report.day_secrets == 1 and _count(DaySecret) == 3
    assert report.sessions == 1
    assert accounts.load_session(str(user.id), live) == user


def test_purge_deletes_long_closed_stories_with_everything_under_them(app, ctx):
    load_tags()
    now = utcnow()
    old = make_story(status=Status.WITHDRAWN)
    recent = make_story(status=Status.REJECTED)
    published = make_story(status=Status.PUBLISHED)
    old.updated_at = now - timedelta(days=app.config["CLOSED_STORY_RETENTION_DAYS"] + 1)
    db.session.commit()
    assert purge(now).closed_stories == 1
    assert db.session.get(Story, old.id) is None
    assert {s.id for s in db.session.scalars(select(Story))} == {recent.id, published.id}
    # Erased through the lifecycle: one private audit entry, by no one, naming the window.
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.target_id, entry.actor_id, entry.public) == (
        "erase",
        old.id,
        None,
        False,
    )
    assert entry.reason == RETENTION_REASON


def test_purge_erases_at_most_a_batch_per_run(app, ctx, monkeypatch):
    load_tags()
    long_ago = utcnow() - timedelta(days=app.config["CLOSED_STORY_RETENTION_DAYS"] + 1)
    for status in (Status.WITHDRAWN, Status.REJECTED, Status.WITHDRAWN):
        make_story(status=status).updated_at = long_ago
    db.session.commit()
    monkeypatch.setattr(retention, "PURGE_BATCH", 2)
    assert purge().closed_stories == 2
    assert purge().closed_stories == 1
    assert _count(Story) == 0


def test_purge_clears_ban_keys_on_posts_after_the_window(app, ctx):
    load_tags()
    now = utcnow()
    old = make_story(status=Status.PUBLISHED)
    new = make_story()
    old.client_key, new.client_key = "a" * 32, "b" * 32
    old.submitted_at = now - timedelta(hours=app.config["CLIENT_KEY_RETENTION_HOURS"] + 1)
    db.session.commit()
    assert purge(now).client_keys == 1
    assert old.client_key is None and new.client_key == "b" * 32


def test_running_purge_twice_removes_nothing_more(app, ctx):
    load_tags()
    make_story(status=Status.WITHDRAWN).updated_at = utcnow() - timedelta(days=400)
    db.session.commit()
    purge()
    second = purge()
    assert (second.day_secrets, second.sessions, second.closed_stories, second.client_keys) == (
        0,
        0,
        0,
        0,
    )
    assert _count(Reply) == 0


def test_the_purge_command_reports_what_it_did(app):
    result = app.test_cli_runner().invoke(args=["heard", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 day secrets" in result.output


def test_the_privacy_page_states_the_windows_the_purge_uses(database_uri):
    app = make_test_app(database_uri, CLOSED_STORY_RETENTION_DAYS=11, CLIENT_KEY_RETENTION_HOURS=7)
    with app.app_context():
        db.create_all()
    html = app.test_client().get("/privacy").get_data(as_text=True)
    assert "11 days after they were closed" in html
    assert "deleted 7 hours after its day ends" in html
