"""Mass assignment (SECURITY.md §2, CVE-2026-28219, NodeBB CVE-2020-15149): every moderation
form is posted with extra fields — status, pinned, role, author_id, actor_id… — both plain
and with the form's prefix; the action still works and none of the extras is applied."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.governance.models import AuditEntry, Sanction
from forum.moderation import receipts, sanctions
from forum.moderation.models import ModeratorNote, Report
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.web import client_as, post

EXTRAS = {
    "status": "published",
    "pinned": "1",
    "featured": "1",
    "locked": "1",
    "role": "admin",
    "author_id": "{attacker}",
    "actor_id": "{attacker}",
    "user_id": "{attacker}",
    "created_by_id": "{attacker}",
    "moderator_id": "{attacker}",
    "version": "1",
    "hidden_pending_review": "0",
    "reporter_key": "forged",
    "resolved_at": "2020-01-01",
    "public": "0",
    "banned": "1",
    "title": "Forged title",
}


@pytest.fixture
def world(app):
    with app.app_context():
        load_tags()
        heron = make_user("heron")
        wren = make_user("wren")
        keeper = make_user("keeper", role=Role.MODERATOR)
        make_user("steward", role=Role.ADMIN)
        pending = make_story(title="Pending", author=heron)
        published = make_story(title="Published", status=Status.PUBLISHED)
        reply = make_reply(published)
        owned = make_story(title="Owned", author=heron, body="Dr Smith")
        receipts.redact(keeper, owned.id, "Owned", "My psychologist", "Removed a name")
        warning = sanctions.suspend(keeper, wren.id, 2, "Cooling off")
        return {
            "heron": heron.id,
            "wren": wren.id,
            "keeper": keeper.id,
            "pending": pending.id,
            "published": published.id,
            "reply": reply.id,
            "owned": owned.id,
            "sanction": warning.id,
        }


def _version(app, story_id):
    with app.app_context():
        return db.session.get(Story, story_id).version


CASES = [
    ("keeper", "/moderation/story/{pending}/approve", "approve", {"reason": "Fine"}),
    ("keeper", "/moderation/story/{pending}/reject", "reject", {"reason": "No"}),
    (
        "keeper",
        "/moderation/story/{pending}/redact",
        "redact",
        {"reason": "Redacted", "body": "New words", "helped_instead": ""},
    ),
    (
        "keeper",
        "/moderation/story/{pending}/tags",
        "tags",
        {"reason": "Tags", "harm_tags": "invalidated"},
    ),
    ("keeper", "/moderation/story/{published}/hide", "hide", {"reason": "Hide"}),
    ("keeper", "/moderation/story/{published}/lock", "lock", {"reason": "Pause"}),
    ("keeper", "/moderation/reply/{reply}/approve", "approve", {"reason": "Fine"}),
    ("keeper", "/moderation/accounts/{heron}/notes", "note", {"body": "A note"}),
    (
        "keeper",
        "/moderation/accounts/{heron}/sanctions",
        "sanction",
        {"kind": "warn", "reason": "Be kind"},
    ),
    ("keeper", "/moderation/sanctions/{sanction}/lift", "lift", {"reason": "Appeal"}),
    (
        "steward",
        "/moderation/roles",
        None,
        {"handle": "heron", "role": "moderator", "reason": "Trained"},
    ),
    ("steward", "/moderation/watched-words", None, {"word": "idiot", "action": "flag"}),
    ("steward", "/moderation/reasons", None, {"action": "hide", "label": "L", "text": "T"}),
    (None, "/stories/{published}/report", None, {"reason": "spam"}),
    ("heron", "/status/{owned}/moderator-edit", None, {"decision": "accept"}),
]


@pytest.mark.parametrize(("who", "url", "prefix", "data"), CASES, ids=[c[1] for c in CASES])
def test_extra_fields_are_never_applied(app, world, who, url, prefix, data):
    attacker = str(world["wren"])
    url = url.format(**world)
    fields = dict(data)
    if prefix not in (None, "note", "sanction", "lift"):
        fields["version"] = str(
            _version(app, world["pending" if "pending" in url else "published"])
            if "/story/" in url
            else 1
        )
    extras = {k: v.replace("{attacker}", attacker) for k, v in EXTRAS.items() if k not in fields}
    payload = {**extras, **{f"{prefix}-{k}" if prefix else k: v for k, v in fields.items()}}
    if prefix:
        payload.update({f"{prefix}-{k}": v for k, v in extras.items()})
    client = client_as(app, who)
    with app.app_context():
        roles_before = {u.id: u.role for u in db.session.scalars(select(User))}
        authors_before = {s.id: s.author_id for s in db.session.scalars(select(Story))}
    response = post(client, url, payload)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    with app.app_context():
        actor = db.session.scalar(select(User.id).where(User.handle == who)) if who else None
        roles = {u.id: u.role for u in db.session.scalars(select(User))}
        if "/roles" in url:
            roles_before[world["heron"]] = Role.MODERATOR
        assert roles == roles_before
        assert not db.session.get(User, world["wren"]).banned
        for story in db.session.scalars(select(Story)):
            assert story.author_id == authors_before[story.id]
            assert not story.pinned and not story.featured
            assert story.locked == ("/lock" in url and story.id == world["published"])
            assert story.title != "Forged title"
        for entry in db.session.scalars(select(AuditEntry)):
            assert entry.actor_id in (None, world["keeper"], actor)
            assert entry.actor_id != int(attacker)
        for note in db.session.scalars(select(ModeratorNote)):
            assert note.author_id == actor and note.user_id == world["heron"]
        for sanction in db.session.scalars(select(Sanction)):
            assert sanction.created_by_id == world["keeper"]
        for report in db.session.scalars(select(Report)):
            assert report.reporter_key.startswith("c:") and report.resolved_at is None
        if "/report" in url:
            assert db.session.get(Story, world["published"]).status is Status.PUBLISHED
            assert db.session.query(Report).count() == 1
        if "/moderator-edit" in url:
            owned = db.session.get(Story, world["owned"])
            assert owned.status is Status.PUBLISHED and owned.body == "My psychologist"
            assert owned.title == "Owned"
        if url.endswith("/lift"):
            assert not db.session.get(User, world["wren"]).is_suspended()
        if "/approve" in url and "/story/" in url:
            assert db.session.get(Story, world["pending"]).status is Status.PUBLISHED
