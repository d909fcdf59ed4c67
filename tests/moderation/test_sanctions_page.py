"""The sanctions page over HTTP: what is in force (pauses by an opaque reference, never the key),
and "Lift early" with a required reason, audited, for moderators only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.errors import NotAllowed
from forum.governance.models import AuditEntry, Sanction
from forum.governance.sanctions import POSTING_PAUSED
from forum.moderation import sanctions
from forum.stories.models import Reply, Status
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import act, client_as, post

FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


def _setup(app) -> int:
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("heron")
        story_id = make_story(status=Status.PUBLISHED).id
        db.session.remove()
        return story_id


def _reply(client, story_id: int, body: str):
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    token = FORM_TOKEN.search(page).group(1)
    return post(client, f"/stories/{story_id}/replies", {"body": body, "form_token": token})


def _lift(client, sanction_id: int, reason: str):
    url = f"/moderation/sanctions/{sanction_id}/lift-early"
    return post(client, url, {"reason": reason}, prefix=f"lift-{sanction_id}")


def _one(app, model, **where):
    with app.app_context():
        row = db.session.scalars(select(model).filter_by(**where).order_by(model.id.desc())).first()
        db.session.expunge_all()
        return row


def test_lifting_a_pause_restores_posting_from_that_client(app):
    story_id = _setup(app)
    writer = app.test_client()
    assert _reply(writer, story_id, "You are not alone.").status_code == 303
    reply = _one(app, Reply)
    assert reply.client_key

    keeper = client_as(app, "keeper")
    paused = act(keeper, "reply", reply.id, "ban_poster", reply.version, "Abusive", days="3")
    assert paused.status_code == 303
    # The paused client gets the kind "paused" answer, and nothing is stored.
    refused = _reply(writer, story_id, "Another reply.")
    assert POSTING_PAUSED in refused.get_data(as_text=True).replace("&#39;", "'")
    assert _one(app, Reply).id == reply.id

    page = keeper.get("/moderation/sanctions").get_data(as_text=True)
    sanction = _one(app, Sanction)
    with app.app_context():
        reference = sanctions.pause_reference(sanction.client_key)
    assert f'Anonymous posting paused: <span class="reference">{reference}</span>' in page
    assert sanction.client_key not in page
    assert "keeper" in page and "Abusive" in page

    # A reason is required: the page comes back with a GOV.UK error summary.
    empty = _lift(keeper, sanction.id, " ")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert 'class="error-summary"' in html
    assert (
        f'href="#lift-{sanction.id}-reason"' in html
        and "Enter a reason for lifting it early" in html
    )
    assert _one(app, Sanction).lifted_at is None

    lifted = _lift(keeper, sanction.id, "Appeal accepted")
    assert lifted.status_code == 303
    assert _one(app, Sanction).lifted_at is not None
    entry = _one(app, AuditEntry, action="lift")
    assert (entry.target_type, entry.target_id, entry.reason) == (
        "sanction",
        sanction.id,
        "Appeal accepted",
    )
    assert "No sanctions are in force." in keeper.get("/moderation/sanctions").get_data(
        as_text=True
    )

    assert _reply(writer, story_id, "Posting again.").status_code == 303
    assert _one(app, Reply).body == "Posting again."


def test_account_suspensions_and_bans_are_listed_with_who_and_until(app):
    _setup(app)
    with app.app_context():
        keeper = db.session.scalar(select(User).filter_by(handle="keeper"))
        heron = db.session.scalar(select(User).filter_by(handle="heron"))
        wren = make_user("wren")
        sanctions.suspend(keeper, heron.id, 7, "Cooling off")
        sanctions.ban(keeper, wren.id, "Spam")
        sanctions.warn(keeper, wren.id, "A warning is not listed")
        db.session.remove()
    page = client_as(app, "keeper").get("/moderation/sanctions").get_data(as_text=True)
    assert re.search(r"Suspension: <a href=\"/moderation/accounts/\d+\">heron</a>", page)
    assert re.search(r"Ban: <a href=\"/moderation/accounts/\d+\">wren</a>", page)
    assert "Cooling off" in page and "Spam" in page
    assert "No end date: until it is lifted" in page
    assert "A warning is not listed" not in page
    assert page.index("heron") < page.index("wren"), "the one that ends soonest comes first"


def test_members_cannot_see_or_lift_sanctions(app):
    _setup(app)
    with app.app_context():
        keeper = db.session.scalar(select(User).filter_by(handle="keeper"))
        heron = db.session.scalar(select(User).filter_by(handle="heron"))
        wren = make_user("wren")
        sanction = sanctions.suspend(keeper, wren.id, 7, "Cooling off")
        sanction_id = sanction.id
        with pytest.raises(NotAllowed):  # the service fails closed, whatever calls it
            sanctions.lift(heron, sanction_id, "Because")
        with pytest.raises(NotAllowed):
            sanctions.active_sanctions(heron)
        db.session.remove()
    member = client_as(app, "heron")
    assert member.get("/moderation/sanctions").status_code == 403
    refused = _lift(member, sanction_id, "x")
    assert refused.status_code == 403
    assert _one(app, Sanction).lifted_at is None
    assert app.test_client().get("/moderation/sanctions").status_code in (302, 303)
