""" "What happened since" keeps nothing about the teller beyond what Heard already held: the
new tables have only a story id and times, the mark is the time of the newest thing shown
(never of a visit), and a teller's visits write no follow and nothing of their browser."""

from __future__ import annotations

from sqlalchemy import inspect, select

from forum.db import db
from forum.following.models import StoryFollow, StoryLastSeen
from forum.governance.teller_access import TellerAccess
from forum.stories.models import Reply, Story
from tests.following.web import reply_and_approve, seed, story_version
from tests.moderation.web import act, client_as
from tests.sharing.flow import sent_code, share
from tests.web import post_form

ADDRESS, AGENT = "198.51.100.91", "SinceTeller/1.0 (marker-since-agent)"


def test_the_new_tables_hold_only_story_ids_times_and_a_members_own_follows(app):
    with app.app_context():
        columns = {
            table: {c["name"] for c in inspect(db.engine).get_columns(table)}
            for table in ("story_last_seen", "story_follows")
        }
    assert columns["story_last_seen"] == {"story_id", "seen_until"}
    # A follow is the member's own choice, on their account; nothing else about them.
    assert columns["story_follows"] == {"user_id", "story_id", "followed_at", "seen_until"}


def test_a_tellers_visits_leave_only_the_newest_shown_time_on_the_story(app):
    seed(app)  # the moderator and readers
    teller = app.test_client()
    teller.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    assert share(teller, title="Told without an account").status_code == 303
    code = sent_code(teller)
    assert post_form(teller, "/status", {"code": code}).status_code == 303
    with app.app_context():
        story_id = db.session.scalar(select(Story.id).where(Story.title.like("Told%")))
    keeper = client_as(app, "keeper")
    version = story_version(app, story_id)
    assert act(keeper, "story", story_id, "approve", version, template="s0").status_code == 303
    for _ in range(2):
        teller.get("/status")
    reply_id = reply_and_approve(app, story_id)
    teller.get("/status")

    with app.app_context():
        marks = list(db.session.execute(select(StoryLastSeen.story_id, StoryLastSeen.seen_until)))
        newest = db.session.get(Reply, reply_id).published_at
        handles = set(db.session.scalars(select(TellerAccess.handle_hash)))
        follows = db.session.scalars(select(StoryFollow)).all()
    assert marks == [(story_id, newest)]
    assert follows == []
    stored = " ".join(str(value) for row in marks for value in row)
    for secret in (ADDRESS, AGENT, code, *handles):
        assert secret not in stored
