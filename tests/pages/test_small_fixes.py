"""The small fixes of issue 12, each checked over HTTP: unique ids and landmark names, an
audit log that is not an error, a check page whose title and heading agree, a description on
every page, no HTML `required` (GOV.UK validates on the server), and a line of hope."""

from __future__ import annotations

import re

import pytest

from forum.accounts.models import Role
from forum.db import db
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.sharing.flow import step, valid_story
from tests.web import hold_stories, post_form, sign_in

CRISIS = "Some nights I want to end my life, and nobody in that room noticed."
PUBLIC = [
    "/",
    "/about",
    "/guidelines",
    "/privacy",
    "/safety",
    "/help",
    "/stories",
    "/share",
    "/status",
    "/login",
    "/signup",
    "/recover",
    "/resources",
    "/tags",
]
FORMS = ["/share", "/status", "/login", "/signup", "/recover", "/stories/preferences"]


@pytest.fixture
def site(app):
    with app.app_context():
        load_tags()
        make_user("steward", role=Role.ADMIN)
        db.session.remove()


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _admin(app):
    client = app.test_client()
    assert sign_in(client, "steward", PASSWORD).status_code == 303
    return client


def test_the_status_page_has_one_csrf_token_id(app, client, site):
    with app.app_context():
        story_id = make_story(title="A story this browser sent").id
        db.session.remove()
    hold_stories(app, client, story_id)
    html = _html(client, "/status")
    assert "A story this browser sent" in html and html.count("<form") >= 2
    assert html.count('id="csrf_token"') <= 1


def test_the_reasons_page_has_one_csrf_token_id(app, site):
    client = _admin(app)
    assert post_form(client, "/moderation/reasons/suggested", {}, page="/moderation/reasons")
    html = _html(client, "/moderation/reasons")
    assert html.count("<form") >= 3
    assert html.count('id="csrf_token"') <= 1


def test_the_audit_log_is_not_an_error_when_unfiltered(app, site):
    html = _html(_admin(app), "/moderation/log")
    assert "<title>Audit log" in html and "<title>Error" not in html


def test_the_crisis_only_check_page_title_matches_its_heading(client, site):
    html = step(client, "check", valid_story(body=CRISIS)).get_data(as_text=True)
    heading = re.search(r"<h1>([^<]+)</h1>", html)[1]
    assert heading == "Before you carry on"
    assert f"<title>{heading} – " in html
    assert "found a way through" in html  # the line of hope


def test_admin_tags_names_each_table_region_once(app, site):
    html = _html(_admin(app), "/admin/tags")
    labels = re.findall(r'role="region" aria-label="([^"]+)"', html)
    assert len(labels) >= 2 and len(labels) == len(set(labels)), labels


@pytest.mark.parametrize("url", PUBLIC)
def test_every_page_has_a_meta_description(client, site, url):
    html = _html(client, url)
    found = re.findall(r'<meta name="description" content="([^"]+)">', html)
    assert len(found) == 1 and len(found[0]) > 40, found


def test_help_has_its_own_description(client, site):
    assert 'content="Helplines you can call or text now' in _html(client, "/help")


@pytest.mark.parametrize("url", FORMS)
def test_no_input_carries_the_html_required_attribute(client, site, url):
    html = _html(client, url)
    fields = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    assert fields
    assert not [f for f in fields if re.search(r"\srequired(?:[\s=>])", f)]


def test_server_side_validation_still_refuses_an_empty_form(client, site):
    response = post_form(client, "/login", {"handle": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "There is a problem" in html
