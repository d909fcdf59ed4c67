"""Moderation pages over HTTP: the queue, item pages and actions, accounts, reports, receipts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from forum.accounts.models import AccountSession, Role, User
from forum.db import db
from forum.governance.models import AuditEntry, WatchedWord
from forum.moderation.models import ModeratorNote, Report
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.web import act, client_as, post
from tests.web import hold_stories


@pytest.fixture
def site(app):
    """Staff, two members and a few items; returns their ids."""
    with app.app_context():
        load_tags()
        make_user("steward", role=Role.ADMIN)
        make_user("keeper", role=Role.MODERATOR)
        heron = make_user("heron")
        wren = make_user("wren")
        pending = make_story(title="Waiting story", author=heron)
        published = make_story(title="Published story", status=Status.PUBLISHED)
        reply = make_reply(published, body="Sending care")
        return SimpleNamespace(
            heron=heron.id,
            wren=wren.id,
            pending=pending.id,
            published=published.id,
            reply=reply.id,
        )


def _story(app, story_id) -> Story:
    with app.app_context():
        story = db.session.get(Story, story_id)
        db.session.expunge_all()
        return story


def _entries(app) -> list[tuple]:
    with app.app_context():
        return [
            (e.action, e.target_type, e.target_id, e.public)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_the_queue_lists_items_with_why_and_a_count_in_the_header(app, site):
    client = client_as(app, "keeper")
    html = client.get("/moderation").get_data(as_text=True)
    assert "2 waiting" in html
    assert "Waiting story" in html and "Reply to “Published story”" in html
    assert 'Moderation <span class="count">(2' in html
    assert html.index("Waiting story") < html.index("Reply to")  # the oldest first


def test_members_see_no_queue_count(app, site):
    html = client_as(app, "heron").get("/").get_data(as_text=True)
    assert 'class="count"' not in html and "/moderation-log" in html


def test_approve_through_the_item_page(app, site):
    client = client_as(app, "keeper")
    page = client.get(f"/moderation/story/{site.pending}")
    assert page.status_code == 200 and "Approve and publish" in page.get_data(as_text=True)
    response = act(client, "story", site.pending, "approve", 1, reason="Kind and careful")
    assert response.status_code == 303 and response.headers["Location"].endswith("/moderation")
    assert _story(app, site.pending).status is Status.PUBLISHED
    assert _entries(app) == [("approve", "story", site.pending, True)]


def test_a_template_can_stand_for_the_reason(app, site):
    client = client_as(app, "keeper")
    response = act(client, "story", site.pending, "reject", 1, reason="", template="s0")
    assert response.status_code == 303
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry)).all()
        assert entry.reason.startswith("This isn't about an experience of therapy")


def test_a_missing_reason_comes_back_as_a_gov_uk_error(app, site):
    client = client_as(app, "keeper")
    response = act(client, "story", site.pending, "reject", 1, reason="  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: " in html and "There is a problem" in html
    assert 'href="#reject-reason"' in html and "Enter a reason, or choose one" in html
    assert _story(app, site.pending).status is Status.PENDING and _entries(app) == []


def test_the_second_moderator_is_told_it_was_already_handled(app, site):
    first, second = client_as(app, "keeper"), client_as(app, "steward")
    assert act(first, "story", site.pending, "approve", 1).status_code == 303
    response = act(second, "story", site.pending, "reject", 1, reason="Too late")
    assert response.status_code == 409
    assert "already dealt with this" in response.get_data(as_text=True)
    assert _story(app, site.pending).status is Status.PUBLISHED and len(_entries(app)) == 1


def test_an_action_no_longer_offered_after_another_moderator_acted_is_a_kind_409(app, site):
    first, second = client_as(app, "keeper"), client_as(app, "steward")
    assert act(first, "story", site.published, "hide", 1).status_code == 303
    # The second moderator's page was opened before the hide; "lock" is not offered on a
    # hidden story, and the form comes back without a reason.
    response = act(second, "story", site.published, "lock", 1, reason="")
    assert response.status_code == 409
    assert "no longer offered" in response.get_data(as_text=True)
    assert _story(app, site.published).locked is False


def test_unknown_actions_and_missing_items_are_404(app, site):
    client = client_as(app, "keeper")
    assert act(client, "story", site.pending, "publish", 1).status_code == 404
    assert act(client, "reply", site.reply, "pin", 1).status_code == 404
    assert client.get("/moderation/story/999999").status_code == 404
    assert act(client, "story", 999_999, "approve", 1).status_code == 404
    assert client.get("/moderation/thread/1").status_code == 404


def test_posting_without_a_csrf_token_changes_nothing(app, site):
    client = client_as(app, "keeper")
    response = client.post(
        f"/moderation/story/{site.pending}/approve",
        data={"approve-version": "1", "approve-reason": "x"},
    )
    assert response.status_code == 400 and _entries(app) == []


def test_redaction_receipt_accepted_by_the_account_holder(app, site):
    moderator, teller = client_as(app, "keeper"), client_as(app, "heron")
    response = act(
        moderator,
        "story",
        site.pending,
        "redact",
        1,
        reason="Removed a name",
        title="Waiting story",
        body="My counsellor never listened.",
        helped_instead="",
    )
    assert response.status_code == 303
    page = teller.get(f"/status/{site.pending}/moderator-edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<ins>" in html and "Removed a name" in html
    assert client_as(app, "wren").get(f"/status/{site.pending}/moderator-edit").status_code == 404
    done = post(teller, f"/status/{site.pending}/moderator-edit", {"decision": "accept"})
    assert done.status_code == 303
    story = _story(app, site.pending)
    assert story.status is Status.PUBLISHED and story.body == "My counsellor never listened."


def test_an_anonymous_teller_answers_through_the_status_grant(app, site):
    with app.app_context():
        story = make_story(title="Anonymous one", body="Dr Smith was cruel")
        story_id = story.id
    act(
        client_as(app, "keeper"),
        "story",
        story_id,
        "redact",
        1,
        reason="Removed a name",
        title="Anonymous one",
        body="My psychologist was cruel",
    )
    teller = app.test_client()
    assert teller.get(f"/status/{story_id}/moderator-edit").status_code == 404
    hold_stories(app, teller, story_id)
    assert teller.get(f"/status/{story_id}/moderator-edit").status_code == 200
    post(teller, f"/status/{story_id}/moderator-edit", {"decision": "withdraw"})
    assert _story(app, story_id).status is Status.WITHDRAWN


def test_reports_from_readers_and_at_risk_help(app, site):
    reader = app.test_client()
    form = reader.get(f"/stories/{site.published}/report")
    assert form.status_code == 200 and "This person may be at risk" in form.get_data(as_text=True)
    done = post(reader, f"/stories/{site.published}/report", {"reason": "at-risk"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Find crisis lines near you" in html
    assert 'href="/help"' in html
    bad = post(reader, f"/stories/{site.published}/report", {"reason": "other"})
    assert bad.status_code == 200 and "Tell us what is wrong" in bad.get_data(as_text=True)
    assert reader.get(f"/stories/{site.pending}/report").status_code == 404
    assert reader.get("/replies/999999/report").status_code == 404
    with app.app_context():
        [report] = db.session.scalars(select(Report)).all()
        assert report.reason.value == "at-risk" and report.reporter_key.startswith("c:")
        assert "127.0.0.1" not in report.reporter_key


def test_reports_are_rate_limited(site, database_uri):
    from tests.conftest import make_test_app

    app = make_test_app(database_uri, RATELIMIT_ENABLED=True, LIMIT_REPORT="2 per hour")
    reader = app.test_client()
    codes = [
        post(reader, f"/stories/{site.published}/report", {"reason": "spam"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_account_page_notes_and_sanctions(app, site):
    client = client_as(app, "keeper")
    member = client_as(app, "heron")
    assert client.get("/moderation/accounts?handle=HERON").status_code == 303
    assert client.get("/moderation/accounts?handle=nobody").status_code == 404
    note = post(
        client,
        f"/moderation/accounts/{site.heron}/notes",
        {"body": "Gentle reminder"},
        prefix="note",
    )
    assert note.status_code == 303
    empty = post(
        client,
        f"/moderation/accounts/{site.heron}/sanctions",
        {"kind": "suspend", "reason": "x"},
        prefix="sanction",
    )
    assert empty.status_code == 400 and "Enter a number of days" in empty.get_data(as_text=True)
    assert "<title>Error: " in empty.get_data(as_text=True)
    done = post(
        client,
        f"/moderation/accounts/{site.heron}/sanctions",
        {"kind": "suspend", "days": "3", "reason": "Abusive"},
        prefix="sanction",
    )
    assert done.status_code == 303
    assert member.get("/account").status_code == 302  # its session ended at once
    page = client.get(f"/moderation/accounts/{site.heron}").get_data(as_text=True)
    assert "Gentle reminder" in page and "Suspended until" in page and "Abusive" in page
    with app.app_context():
        user = db.session.get(User, site.heron)
        assert user.is_suspended() and db.session.query(ModeratorNote).count() == 1
        assert db.session.query(AccountSession).filter_by(user_id=user.id).count() == 0


def test_admin_pages_roles_watched_words_and_reasons(app, site):
    admin = client_as(app, "steward")
    assert (
        post(
            admin, "/moderation/roles", {"handle": "wren", "role": "moderator", "reason": "Trained"}
        ).status_code
        == 303
    )
    assert "wren" in admin.get("/moderation/roles").get_data(as_text=True)
    bad = post(admin, "/moderation/roles", {"handle": "ghost", "role": "moderator", "reason": "x"})
    assert bad.status_code == 400 and "No account has that handle" in bad.get_data(as_text=True)
    assert (
        post(admin, "/moderation/watched-words", {"word": "idiot", "action": "block"}).status_code
        == 303
    )
    with app.app_context():
        word_id = db.session.scalar(select(WatchedWord.id))
    assert "idiot" in admin.get("/moderation/watched-words").get_data(as_text=True)
    assert post(admin, f"/moderation/watched-words/{word_id}/delete").status_code == 303
    assert post(admin, "/moderation/reasons/suggested").status_code == 303
    page = admin.get("/moderation/reasons").get_data(as_text=True)
    assert "Meets the guidelines" in page
    assert (
        post(
            admin, "/moderation/reasons", {"action": "hide", "label": "Spam", "text": "Spam."}
        ).status_code
        == 303
    )
    log = admin.get("/moderation/log?action=set_role").get_data(as_text=True)
    assert "steward" in log and "member to moderator: Trained" in log
    assert admin.get("/moderation/log?since=not-a-date").status_code == 200


def test_the_public_log_shows_no_names(app, site):
    act(client_as(app, "keeper"), "story", site.pending, "approve", 1, reason="Careful and kind")
    html = app.test_client().get("/moderation-log").get_data(as_text=True)
    assert "Careful and kind" in html and "Approved" in html
    assert "keeper" not in html and "Waiting story" not in html and "heron" not in html
