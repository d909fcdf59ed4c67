"""The admin page for tags: add, rename, describe, retire, bring back — admins only, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.governance.models import AuditEntry
from forum.taxonomy.models import Tag
from tests.factories import PASSWORD, load_tags, make_user
from tests.web import post_form, sign_in


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        load_tags()
        make_user("steward", role=Role.ADMIN)
    sign_in(client, "steward", PASSWORD)
    return client


def _tag(app, slug):
    with app.app_context():
        return db.session.scalar(select(Tag).where(Tag.slug == slug))


def _actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_admin_sees_every_tag_including_retired_ones(app, admin_client):
    with app.app_context():
        db.session.scalar(select(Tag).where(Tag.slug == "dependency")).retired = True
        db.session.commit()
    html = admin_client.get("/admin/tags").get_data(as_text=True)
    assert "Not heard" in html and "(dependency)" in html and "Retired" in html


def test_renaming_and_describing_in_one_save(app, admin_client):
    response = post_form(
        admin_client,
        "/admin/tags/not-heard",
        {"name": "Not listened to", "description": "My voice did not count."},
    )
    assert response.status_code == 303
    tag = _tag(app, "not-heard")
    assert (tag.name, tag.description) == ("Not listened to", "My voice did not count.")
    assert _actions(app) == ["tag_renamed", "tag_described"]


def test_a_name_already_used_comes_back_with_the_text_kept(app, admin_client):
    response = post_form(admin_client, "/admin/tags/not-heard", {"name": "Invalidated"})
    html = response.get_data(as_text=True)
    assert "Another tag already has that name" in html and 'value="Invalidated"' in html
    assert _tag(app, "not-heard").name != "Invalidated"


def test_adding_a_harm_tag_to_a_group(app, admin_client):
    response = post_form(
        admin_client,
        "/admin/tags",
        {
            "kind": "harm",
            "name": "Rushed",
            "slug": "rushed",
            "description": "Sessions felt rushed.",
            "group": "the-relationship",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        tag = db.session.scalar(select(Tag).where(Tag.slug == "rushed"))
        assert tag.kind == "harm" and tag.group.slug == "the-relationship"
    assert _actions(app) == ["tag_added"]


def test_adding_a_suicide_tag_is_refused_kindly(app, admin_client):
    response = post_form(
        admin_client,
        "/admin/tags",
        {
            "kind": "harm",
            "name": "Suicidal thoughts",
            "slug": "suicidal-thoughts",
            "group": "effects-on-me",
        },
    )
    assert response.status_code == 200
    assert _tag(app, "suicidal-thoughts") is None
    assert 'value="Suicidal thoughts"' in response.get_data(as_text=True)


def test_retiring_and_bringing_back(app, admin_client):
    post_form(admin_client, "/admin/tags/no-say/retire", {}, page="/admin/tags")
    assert _tag(app, "no-say").retired
    assert admin_client.get("/tags/no-say").status_code == 404
    post_form(admin_client, "/admin/tags/no-say/restore", {}, page="/admin/tags")
    assert not _tag(app, "no-say").retired
    assert _actions(app) == ["tag_retired", "tag_restored"]


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.MODERATOR])
def test_only_admins_may_change_tags(app, client, role):
    with app.app_context():
        load_tags()
        if role:
            make_user("someone", role=role)
    if role:
        sign_in(client, "someone", PASSWORD)
    app.config["WTF_CSRF_ENABLED"] = False
    for url, data in (
        ("/admin/tags", {"kind": "practice", "name": "Singing", "slug": "singing"}),
        ("/admin/tags/not-heard", {"name": "Changed"}),
        ("/admin/tags/not-heard/retire", {}),
        ("/admin/tags/no-such-tag", {"name": "x"}),
    ):
        response = client.post(url, data=data)
        assert response.status_code in ((302,) if role is None else (403,)), url
    assert _tag(app, "singing") is None and _tag(app, "not-heard").name == "Not heard"
    assert not _tag(app, "not-heard").retired
