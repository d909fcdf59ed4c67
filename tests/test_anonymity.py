"""Nothing identifying at rest: after a whole scenario, no table and no log line holds a
client's address or user agent (issue "Anonymity you can prove", item 2).

Every step goes through HTTP, the only way an address or agent string reaches Heard.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.db import db
from forum.moderation.models import Report
from forum.stories.models import Reaction, Reply, Story
from tests.factories import PASSWORD, load_tags, make_user
from tests.moderation.web import act, post
from tests.sharing.flow import sent_code, share
from tests.web import post_form, sign_in

CLIENTS = {
    "teller": ("198.51.100.71", "ScenarioTeller/1.0 (marker-teller-agent)"),
    "anonymous": ("203.0.113.72", "ScenarioAnon/2.0 (marker-anon-agent)"),
    "reader": ("192.0.2.73", "ScenarioReader/3.0 (marker-reader-agent)"),
    "moderator": ("198.51.100.74", "ScenarioMod/4.0 (marker-mod-agent)"),
}


def _client(app, who):
    client = app.test_client()
    address, agent = CLIENTS[who]
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return client


def _dump(app) -> str:
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                values.extend(str(value) for value in row)
        return "\n".join(values)


def _version(app, model, item_id) -> int:
    with app.app_context():
        return db.session.get(model, item_id).version


def test_a_whole_scenario_leaves_no_address_or_agent_anywhere(app, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)

    teller = _client(app, "teller")
    assert (
        post_form(teller, "/signup", {"handle": "scenario", "password": PASSWORD}).status_code
        == 200
    )
    assert share(teller, title="Signed in story").status_code == 303

    anonymous = _client(app, "anonymous")
    assert (
        share(anonymous, title="Anonymous story", body="No one listened to me.").status_code == 303
    )
    code = sent_code(anonymous)
    assert code
    assert post_form(anonymous, "/status", {"code": code}).status_code == 303

    moderator = _client(app, "moderator")
    assert sign_in(moderator, "keeper", PASSWORD).status_code == 303
    with app.app_context():
        ids = {s.title: s.id for s in db.session.scalars(select(Story))}
    for title in ("Signed in story", "Anonymous story"):
        story_id = ids[title]
        response = act(
            moderator,
            "story",
            story_id,
            "approve",
            _version(app, Story, story_id),
            reason="Meets the guidelines",
        )
        assert response.status_code == 303

    reader = _client(app, "reader")
    story_id = ids["Anonymous story"]
    page = reader.get(f"/stories/{story_id}").get_data(as_text=True)
    assert "Anonymous story" in page
    for kind in ("hear", "me-too"):
        post(reader, f"/stories/{story_id}/reactions", {"kind": kind})
    form_token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]
    post(
        reader,
        f"/stories/{story_id}/replies",
        {"body": "You are not alone.", "form_token": form_token},
    )
    post(reader, f"/stories/{story_id}/report", {"reason": "at-risk", "detail": "Worried for them"})
    with app.app_context():
        reply_id = db.session.scalar(select(Reply.id))
        assert db.session.scalar(select(func.count(Reaction.id))) == 2
        assert db.session.scalar(select(func.count(Report.id))) == 1
    assert reply_id is not None
    act(moderator, "reply", reply_id, "approve", _version(app, Reply, reply_id), reason="Kind")
    teller.get("/account")
    post_form(teller, "/logout", {}, page="/account")

    dump = _dump(app)
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for address, agent in CLIENTS.values():
        for haystack, where in ((dump, "database"), (logs, "logs")):
            assert address not in haystack, f"{address} found in the {where}"
            assert agent not in haystack and agent.split()[0] not in haystack, where
    assert "reactions" in db.metadata.tables  # the dump covered the reaction keys too
    assert re.search(r"c:\d{4}-\d\d-\d\d:[0-9a-f]{32}", dump), "anonymous reactions are keyed"
