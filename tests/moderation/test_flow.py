"""A moderator clears a realistic queue through the UI (issue 4, "Done when"): an "at risk"
report first, an approval, a redaction the teller accepts, a rejection with a reason, an
abusive account suspended — each in the audit log and, without names, in the public log."""

from __future__ import annotations

import re

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.governance.models import AuditEntry
from forum.stories.models import Reply, Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.web import act, client_as, post


def _version(app, model, item_id):
    with app.app_context():
        return db.session.get(model, item_id).version


def _status(app, model, item_id):
    with app.app_context():
        return db.session.get(model, item_id).status


def test_a_moderator_clears_a_realistic_queue(app):
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("steward", role=Role.ADMIN)
        teller = make_user("heron")
        troll = make_user("bramble")
        identifying = make_story(
            title="The counsellor who stopped listening",
            body="My counsellor Jane Smith at Riverside Clinic ignored me for a year.",
            author=teller,
        )
        fine = make_story(title="Finding a peer group", body="A peer group helped me.")
        abusive = make_story(
            title="Everyone here is pathetic", body="You are all pathetic.", author=troll
        )
        worrying = make_story(
            title="Still here", body="Most days are hard.", status=Status.PUBLISHED
        )
        nasty_reply = make_reply(worrying, body="Nobody cares about you", author=troll)
        ids = {
            "identifying": identifying.id,
            "fine": fine.id,
            "abusive": abusive.id,
            "worrying": worrying.id,
            "reply": nasty_reply.id,
            "troll": troll.id,
        }

    # A reader worries about the writer of a published story.
    reader = app.test_client()
    post(
        reader,
        f"/stories/{ids['worrying']}/report",
        {"reason": "at-risk", "detail": "They sound very low"},
    )

    moderator = client_as(app, "keeper")
    queue = moderator.get("/moderation").get_data(as_text=True)
    titles = re.findall(r'<h2 class="queue__title">\s*<a [^>]+>\s*(.*?)\s*</a>', queue, re.S)
    assert titles[0] == "Still here"  # the "at risk" report comes first
    assert "They sound very low" in queue and "5 waiting" in queue

    # 1. The at-risk report: keep the story up, close the report, say why.
    response = act(
        moderator,
        "story",
        ids["worrying"],
        "dismiss_reports",
        _version(app, Story, ids["worrying"]),
        reason="Reviewed: kept up; crisis lines are shown with every story",
    )
    assert response.status_code == 303

    # 2. Approve the story that is fine.
    assert (
        act(moderator, "story", ids["fine"], "approve", 1, reason="", template="s0").status_code
        == 303
    )

    # 3. Redact the identifying story; its teller accepts the edit.
    response = act(
        moderator,
        "story",
        ids["identifying"],
        "redact",
        1,
        reason="",
        template="s0",
        title="The counsellor who stopped listening",
        body="My counsellor at a private clinic ignored me for a year.",
        helped_instead="",
    )
    assert response.status_code == 303
    assert _status(app, Story, ids["identifying"]) is Status.CHANGES_REQUESTED
    teller = client_as(app, "heron")
    receipt = teller.get(f"/status/{ids['identifying']}/moderator-edit").get_data(as_text=True)
    assert "<del>Jane" in receipt or "<del>Jane Smith" in receipt
    post(teller, f"/status/{ids['identifying']}/moderator-edit", {"decision": "accept"})
    with app.app_context():
        story = db.session.get(Story, ids["identifying"])
        assert story.status is Status.PUBLISHED and "Jane" not in story.body_html
    page = app.test_client().get(f"/stories/{ids['identifying']}")
    assert page.status_code == 200 and "private clinic" in page.get_data(as_text=True)
    assert "Jane" not in page.get_data(as_text=True)

    # 4. Reject the abusive story and its author's reply, with reasons.
    assert (
        act(
            moderator, "story", ids["abusive"], "reject", 1, reason="Unkind to other members"
        ).status_code
        == 303
    )
    assert (
        act(
            moderator, "reply", ids["reply"], "reject", 1, reason="Unkind to the writer"
        ).status_code
        == 303
    )

    # 5. Suspend the abusive account for a week.
    response = post(
        moderator,
        f"/moderation/accounts/{ids['troll']}/sanctions",
        {"kind": "suspend", "days": "7", "reason": "Abusive to members"},
        prefix="sanction",
    )
    assert response.status_code == 303
    assert "0 waiting" in moderator.get("/moderation").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, ids["troll"]).is_suspended()
        assert db.session.get(Reply, ids["reply"]).status is Status.REJECTED
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "dismiss_reports",
        "approve",
        "redact",
        "accept_redaction",
        "reject",
        "reject",
        "suspend",
    ]

    # Every action is in the admins' audit log, with who did it...
    log = client_as(app, "steward").get("/moderation/log").get_data(as_text=True)
    for action in set(actions):
        assert f"<td>{action}</td>" in log
    assert log.count("<td>keeper</td>") == 6
    # ...and in the public log without names or content.
    public = app.test_client().get("/moderation-log").get_data(as_text=True)
    for line in (
        "Reviewed after reports and kept",
        "Approved",
        "Edited to protect privacy",
        "Published after the writer accepted an edit",
        "Not published",
        "Account suspended",
        "Unkind to other members",
        "7 days: Abusive to members",
    ):
        assert line in public, line
    for secret in (
        "keeper",
        "heron",
        "bramble",
        "Jane",
        "Riverside",
        "pathetic",
        "Still here",
        "Nobody cares",
    ):
        assert secret not in public, secret
