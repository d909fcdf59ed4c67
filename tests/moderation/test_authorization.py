"""Authorization matrix generated from the app's URL map (SECURITY.md §2, ASVS 8.2.1).

Every moderation route, and every admin route elsewhere, is requested with every method it
accepts, as anonymous, a member, another member, a moderator and an admin. A route missing
from EXPECTED is treated as moderators-only, so a new route without a check fails here; a
route with a URL argument this file does not know fails too, until someone decides.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.moderation import reasons, receipts, sanctions, views, watched_words
from forum.moderation.models import ReasonTemplate
from forum.stories.models import ChangeKind, Status, StoryChange
from tests.conftest import make_test_app
from tests.factories import PASSWORD, load_tags, make_story, make_user

EXPECTED = {
    "moderation.public_log": "public",
    "moderation.report": "public",
    "moderation.receipt": "owner",
    "moderation.audit_log": "admin",
    "moderation.roles": "admin",
    "moderation.watched": "admin",
    "moderation.unwatch": "admin",
    "moderation.reason_templates": "admin",
    "moderation.edit_reason": "admin",
    "moderation.delete_reason": "admin",
    "moderation.save_suggested": "admin",
}
ADMIN_ELSEWHERE = re.compile(r"/(manage|admin)\b|/guides/<[^>]+>/edit")
# Staff pages kept by another blueprint (tellers' updates and edits) are checked here too.
STAFF_PATH = re.compile(r"^/moderation(/|$)")
ROLES = ["anonymous", "member", "other member", "moderator", "admin"]
HANDLES = {"member": "heron", "other member": "wren", "moderator": "keeper", "admin": "steward"}
ALLOWED = {200, 303, 400, 409}


def _rules():
    app = make_test_app("sqlite://")
    found = []
    for rule in app.url_map.iter_rules():
        staff = rule.endpoint.startswith("moderation.") or STAFF_PATH.match(rule.rule)
        if staff or ADMIN_ELSEWHERE.search(rule.rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append(
                    pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}")
                )
    return found


RULES = _rules()


def test_the_public_routes_are_exactly_the_ones_expected():
    public = {e for e, kind in EXPECTED.items() if kind in ("public", "owner")}
    assert public == views.PUBLIC
    endpoints = {p.values[0] for p in RULES}
    assert set(EXPECTED) <= endpoints, "EXPECTED names a route that no longer exists"


@pytest.fixture
def world(app):
    """Accounts in every role, and one of each object a route can name."""
    app.config["WTF_CSRF_ENABLED"] = False  # reach the authorization checks themselves
    with app.app_context():
        load_tags()
        heron = make_user("heron")
        wren = make_user("wren")
        keeper = make_user("keeper", role=Role.MODERATOR)
        steward = make_user("steward", role=Role.ADMIN)
        pending = make_story(title="Pending")
        published = make_story(title="Published", status=Status.PUBLISHED)
        owned = make_story(title="Owned", author=heron, body="Dr Smith")
        receipts.redact(keeper, owned.id, "Owned", "My psychologist", "Removed a name")
        sanction = sanctions.warn(keeper, wren.id, "Be kind")
        word = watched_words.add_word(steward, "idiot", "flag")
        reasons.save_suggestions(steward)
        template_id = db.session.scalar(select(ReasonTemplate.id).limit(1))
        change = StoryChange(
            story_id=published.id,
            kind=ChangeKind.UPDATE,
            status=Status.PENDING,
            title="",
            body="What happened next",
            body_html="<p>What happened next</p>",
            form_token_hash="0" * 64,
        )
        db.session.add(change)
        db.session.commit()
        return {
            "by_endpoint": {
                "moderation.report": {"kind": "stories", "item_id": published.id},
                "moderation.item": {"kind": "story", "item_id": pending.id},
                "moderation.act": {"kind": "story", "item_id": pending.id, "action": "approve"},
                "moderation.claim": {"kind": "story", "item_id": pending.id},
                "moderation.receipt": {"story_id": owned.id},
                "taxonomy.edit": {"slug": "not-heard"},
                "taxonomy.retire": {"slug": "not-heard", "change": "retire"},
            },
            "user_id": wren.id,
            "sanction_id": sanction.id,
            "word_id": word.id,
            "change_id": change.id,
            "template_id": template_id,
            "story_id": owned.id,
            "resource_id": 1,
            "slug": "x",
            "change": "retire",
            "ids": (heron.id, keeper.id, steward.id),
        }


def _url(app, endpoint, rule, world):
    values = dict(world["by_endpoint"].get(endpoint, {}))
    for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule):
        if name not in values:
            assert name in world, f"add a value for <{name}> of {rule} to this test"
            values[name] = world[name]
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    return url + ("?handle=heron" if endpoint == "moderation.find_account" else "")


def _kind(endpoint: str) -> str:
    if not endpoint.startswith("moderation."):
        return "admin elsewhere"
    return EXPECTED.get(endpoint, "staff")


def _expected_allowed(kind: str, role: str) -> bool:
    return {
        "public": True,
        "owner": role == "member",
        "staff": role in ("moderator", "admin"),
        "admin": role == "admin",
        "admin elsewhere": role == "admin",
    }[kind]


@pytest.mark.parametrize(("endpoint", "rule", "method"), RULES)
def test_authorization_matrix(app, world, endpoint, rule, method):
    kind = _kind(endpoint)
    url = _url(app, endpoint, rule, world)
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            signed = client.post("/login", data={"handle": HANDLES[role], "password": PASSWORD})
            assert signed.status_code == 303
        response = client.open(url, method=method, data={})
        status, where = response.status_code, response.headers.get("Location", "")
        label = f"{method} {url} as {role}"
        if kind == "admin elsewhere" and role == "moderator":
            continue  # their owners decide (resources: moderators curate, admins edit guides)
        if _expected_allowed(kind, role):
            if kind == "admin elsewhere":
                assert status != 403 and "/login" not in where, label
            else:
                assert status in ALLOWED, f"{label}: {status}"
                assert "/login" not in where, label
            continue
        if kind == "owner":
            assert status == 404, f"{label}: {status}"
        elif role == "anonymous":
            assert status in (302, 401, 403, 404), f"{label}: {status}"
            if status == 302:
                assert "/login" in where, label
        else:
            assert status == 403, f"{label}: {status}"


def test_a_new_route_without_a_check_would_fail(tmp_path):
    """The matrix's default really is "staff only": an unguarded route is caught."""
    probe = make_test_app(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    with probe.app_context():
        db.create_all()

    @probe.get("/moderation/probe")
    def probe_view():
        return "open to all"

    client = probe.test_client()
    assert _kind("moderation.probe") == "staff"
    assert client.get("/moderation/probe").status_code == 200  # unguarded, so a member
    assert not _expected_allowed("staff", "member")  # getting 200 fails the matrix
