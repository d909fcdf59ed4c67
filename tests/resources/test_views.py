"""The resource pages over HTTP: directory, finder, guides, curation, /help, the CLI."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import render_template, render_template_string, session
from sqlalchemy import func, select

from forum.db import db
from forum.governance.models import AuditEntry
from forum.resources import links
from forum.resources.models import Category, Resource, ResourceStatus
from forum.stories.models import Status, Story
from tests.factories import PASSWORD, make_story
from tests.payloads import XSS
from tests.resources.conftest import count_queries, local_resolver, make_resource
from tests.web import csrf_token, post_form, sign_in

XSS_QUICK = XSS / "xss_payloads_quick.txt"


class Links(HTMLParser):
    """Every link in <main>, with its attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[dict, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self._open: dict | None = None
        self._text: list[str] = []
        self._in_main = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "main":
            self._in_main = True
        if self._in_main:
            self.tags.append((tag, attributes))
        if tag == "a" and self._in_main:
            self._open, self._text = attributes, []

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        if tag == "a" and self._open is not None:
            self.links.append((self._open, " ".join("".join(self._text).split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# The directory.


def test_the_directory_lists_the_starter_set_by_category(loaded, client):
    html = html_of(client, "/resources")
    for category in Category:
        assert f'id="category-{category.value}"' in html
    assert f"The directory: {db.session.query(Resource).count()} resources" in html
    assert '<a href="tel:116123">Call 116 123</a>' in html


def test_off_site_links_are_labelled_and_send_no_referrer(loaded, client):
    page = Links(html_of(client, "/resources"))
    external = [(a, text) for a, text in page.links if re.match(r"https?://|//", a["href"])]
    assert len(external) >= db.session.query(Resource).count()
    for attributes, text in external:
        assert {"noopener", "noreferrer"} <= set(attributes.get("rel", "").split()), attributes
        assert text.endswith("(external site)"), text
        assert links.is_valid_resource_url(attributes["href"])
    assert not [t for t, _ in page.tags if t in {"iframe", "embed", "object", "img"}]


def test_filters_narrow_the_list_and_survive_nonsense(loaded, client):
    complain = html_of(client, "/resources?category=complain&region=all")
    assert "Professional Conduct Procedure" in complain
    assert "Samaritans" not in main_of(complain).split('id="directory"')[1]
    us = html_of(client, "/resources?region=US&tag=boundary-violation")
    directory = main_of(us).split('id="directory"')[1]
    assert "Sexual exploitation by helping professionals" in directory
    assert "BACP" not in directory
    assert '<option value="US" selected>' in us
    assert '<option value="boundary-violation" selected>' in us
    for nonsense in ("category=%3Cscript%3E", "region=ZZ", "tag=../../etc", "tag=" + "a" * 500):
        html = html_of(client, f"/resources?{nonsense}")
        assert "<script>" not in main_of(html)


def test_the_region_choice_is_shared_with_help(loaded, client):
    html_of(client, "/resources?region=AU")
    with client.session_transaction() as session:
        assert session["region"] == "AU"
    assert "13 11 14" in html_of(client, "/help")
    # The directory then defaults to that region.
    directory = main_of(html_of(client, "/resources")).split('id="directory"')[1]
    assert "Lifeline Australia" in directory and "Samaritans" not in directory


def test_resources_page_query_count_does_not_grow_with_the_data(tags, client):
    for i in range(5):
        make_resource(f"Small {i}", tags=("not-heard",), contacts=(("phone", "111", "Call 111"),))
    html_of(client, "/resources?region=GB")  # the first request of the day makes its secret
    with count_queries() as small:
        html_of(client, "/resources?region=GB")
    for i in range(45):
        make_resource(f"Large {i}", tags=("no-say",), contacts=(("text", "85258", "Text"),))
    with count_queries() as large:
        html = html_of(client, "/resources?region=GB")
    assert "The directory: 50 resources" in html
    assert len(small) == len(large)


# Untrusted text and addresses on the page.


def test_payloads_as_titles_and_urls_are_escaped_or_never_linked(tags, client):
    raw = XSS_QUICK.read_text("utf-8").splitlines()
    lines = list(dict.fromkeys(line for line in raw if line.strip()))
    for i, line in enumerate(lines):
        # Straight into the database, as if validation had been bypassed: the page must cope.
        make_resource(f"Item {i}", url=line if i % 2 else f"https://ok{i}.example.org/")
        resource = db.session.scalar(select(Resource).where(Resource.title == f"Item {i}"))
        resource.title = line
        resource.description = line
        db.session.commit()
    html = main_of(html_of(client, "/resources"))
    page = Links(html)
    for tag, attributes in page.tags:
        assert tag not in {"script", "svg", "img", "iframe", "video", "audio", "input", "marquee"}
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
    for attributes, _text in page.links:
        assert not attributes["href"].lower().startswith(("javascript", "data", "//"))
    for i, line in enumerate(lines):
        if i % 2:  # the payload was the address: shown, if at all, only as escaped text
            assert f'href="{line}"' not in html


# The complaint-route finder.


def test_finder_answers_uk_bacp_member(loaded, client):
    html = html_of(client, "/resources?country=GB&practitioner=bacp-member")
    answer = main_of(html).split('class="panel finder-answer"')[1]
    assert "British Association for Counselling and Psychotherapy (BACP)" in answer
    assert "BACP must receive your complaint within three years of the event." in answer
    assert "What it cannot do" in answer
    assert (
        'href="https://www.bacp.co.uk/about-us/protecting-the-public/professional-conduct/"'
        in answer
    )


def test_finder_is_a_two_step_form_without_javascript(loaded, client):
    first = html_of(client, "/resources")
    assert '<select id="country" name="country">' in first
    assert 'name="practitioner"' not in first
    second = html_of(client, "/resources?country=US")
    assert 'value="licensed-psychologist"' in second and "finder-answer" not in second
    # A practitioner left over from another country shows the choices again, not an answer.
    again = html_of(client, "/resources?country=US&practitioner=bacp-member")
    assert "finder-answer" not in again and 'value="licensed-psychologist"' in again


@pytest.mark.parametrize("query", ["country=elsewhere", "country=GB&practitioner=other"])
def test_finder_says_kindly_when_it_does_not_know(loaded, client, query):
    html = html_of(client, f"/resources?{query}")
    assert "We don&#39;t know this one yet" in html or "We don't know this one yet" in html
    assert "Raising it with your therapist" in html


# Guides.


@pytest.mark.parametrize(
    "slug",
    [
        "raising-it-with-your-therapist",
        "finding-a-therapist-who-fits",
        "questions-to-ask-before-you-start",
        "if-you-want-to-stop-or-switch",
    ],
)
def test_each_guide_has_a_page_with_matching_resources(loaded, client, slug):
    html = html_of(client, f"/resources/guides/{slug}")
    assert "<h1>" in html and "<h2>" in main_of(html)
    assert 'id="guide-resources"' in html
    assert "(external site)" in main_of(html).split('id="guide-resources"')[1]
    assert "/resources/guides/" not in html or "edit" not in html.split("guide-resources")[1]


def test_guides_never_tell_anyone_to_stop_therapy_and_follow_safe_messaging(loaded, client):
    for path in sorted((Path(__file__).parents[2] / "forum" / "data" / "guides").glob("*.md")):
        text = path.read_text("utf-8").lower()
        assert "commit suicide" not in text and "committed suicide" not in text
        assert "successful suicide" not in text
        assert "you should stop therapy" not in text and "stop therapy now" not in text


def test_an_unknown_guide_is_a_404(loaded, client):
    assert client.get("/resources/guides/no-such-guide").status_code == 404
    assert client.get("/resources/guides/..%2Fetc").status_code == 404


# Curation over HTTP: roles, forms, audit.

MANAGE_PAGES = [
    "/resources/manage",
    "/resources/manage/new",
    "/resources/manage/1/edit",
    "/resources/manage/1/retire",
    "/resources/manage/1/restore",
]


@pytest.mark.parametrize("url", MANAGE_PAGES)
def test_anonymous_readers_are_sent_to_sign_in(loaded, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.post(url, data={"reason": "x"}).status_code in {302, 400, 405}


@pytest.mark.parametrize("url", MANAGE_PAGES)
def test_members_get_403(loaded, client, member, url):
    sign_in(client, member.handle, PASSWORD)
    assert client.get(url).status_code == 403


def test_members_cannot_post_changes_even_with_a_valid_token(loaded, client, member):
    sign_in(client, member.handle, PASSWORD)
    token = csrf_token(client, "/resources")  # the sign-out form's token: valid for this session
    response = client.post("/resources/manage/1/retire", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    # With a missing or expired token the answer is still a refusal, never a server error.
    assert client.post("/resources/manage/1/retire", data={"reason": "x"}).status_code == 403
    assert client.post("/resources/manage/new", data={"title": "x"}).status_code == 403
    assert db.session.get(Resource, 1).status is ResourceStatus.ACTIVE
    assert db.session.query(AuditEntry).count() == 0


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_and_admins_see_the_curation_pages(loaded, client, request, who):
    user = request.getfixturevalue(who)
    sign_in(client, user.handle, PASSWORD)
    for url in MANAGE_PAGES[:4]:
        assert client.get(url).status_code == 200, url
    manage = html_of(client, "/resources/manage")
    assert "November 2026" in manage and "Never checked" not in manage


def new_resource_form(**changes) -> dict:
    data = {
        "title": "Peer support in Leeds",
        "url": "https://peer-support.example.org/leeds",
        "organisation": "A charity",
        "description": "A weekly peer group.",
        "category": "peer-support",
        "regions": ["GB-ENG"],
        "harm_tags": ["not-heard"],
        "practice_tags": ["peer-support-group"],
        "contacts": "phone | 0113 000 0000 | Call the group\ntext | 85258",
        "reason": "Checked the page today",
    }
    data.update(changes)
    return data


def test_a_moderator_adds_a_resource_through_the_form(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    response = post_form(client, "/resources/manage/new", new_resource_form())
    assert response.status_code == 303
    resource = db.session.scalar(select(Resource).where(Resource.title == "Peer support in Leeds"))
    assert [c.label for c in resource.contacts] == ["Call the group", "Text 85258"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resource_add"))
    assert entry.target_id == resource.id and entry.actor_id == moderator.id
    html = html_of(client, "/resources?region=GB")
    assert "Peer support in Leeds" in html and "England only" in html


def test_a_bad_address_comes_back_with_a_gov_uk_error_and_values_kept(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    before = db.session.scalar(select(func.count()).select_from(Resource))
    response = post_form(
        client, "/resources/manage/new", new_resource_form(url="https://user:pw@evil.example/")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert '<a href="#url">The address cannot contain a user name or password' in html
    assert 'value="Peer support in Leeds"' in html
    assert db.session.scalar(select(func.count()).select_from(Resource)) == before


def test_a_badly_shaped_contacts_line_is_a_field_error(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    response = post_form(client, "/resources/manage/new", new_resource_form(contacts="116 123"))
    assert "Line 1 should start with phone or text" in response.get_data(as_text=True)


def test_extra_fields_cannot_set_status_or_check_results(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    data = new_resource_form(
        status="retired", last_check_ok="1", last_check_result="fake", position="-5", id="1"
    )
    assert post_form(client, "/resources/manage/new", data).status_code == 303
    resource = db.session.scalar(select(Resource).where(Resource.title == "Peer support in Leeds"))
    assert resource.status is ResourceStatus.ACTIVE
    assert resource.last_check_ok is None and resource.last_check_result == ""
    assert resource.id != 1


def test_a_moderator_edits_then_retires_a_resource(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    resource = db.session.scalar(select(Resource).where(Resource.title == "Shout 85258"))
    form = html_of(client, f"/resources/manage/{resource.id}/edit")
    assert "text | 85258 | Text SHOUT to 85258" in form  # current values are pre-filled
    edited = new_resource_form(
        title="Shout",
        url=resource.url,
        category="crisis",
        regions=["GB"],
        harm_tags=[],
        practice_tags=[],
        contacts="text | 85258 | Text SHOUT to 85258",
        show_on_help="y",
        reason="Shorter name",
    )
    response = post_form(client, f"/resources/manage/{resource.id}/edit", edited)
    assert response.status_code == 303
    assert (
        "Shout"
        in [
            line
            for line in html_of(client, "/help?region=GB").split("\n")
            if "help-line__name" in line
        ][1]
    )

    response = post_form(
        client, f"/resources/manage/{resource.id}/retire", {"reason": "Checking the number"}
    )
    assert response.status_code == 303
    assert "85258" not in html_of(client, "/help?region=GB")
    assert "Text SHOUT" not in html_of(client, "/resources?region=all")
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["resource_edit", "resource_retire"]


def test_retiring_without_a_reason_is_an_error(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    response = post_form(client, "/resources/manage/1/retire", {"reason": ""})
    assert response.status_code == 200
    assert "Enter a reason for this change" in response.get_data(as_text=True)
    assert db.session.get(Resource, 1).status is ResourceStatus.ACTIVE


def test_editing_a_missing_resource_is_a_404(loaded, client, moderator):
    sign_in(client, moderator.handle, PASSWORD)
    assert client.get("/resources/manage/99999/edit").status_code == 404


def test_an_admin_edits_a_guide_and_a_moderator_cannot(loaded, client, admin, moderator):
    url = "/resources/guides/raising-it-with-your-therapist/edit"
    sign_in(client, moderator.handle, PASSWORD)
    assert client.get(url).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/resources")})
    sign_in(client, admin.handle, PASSWORD)
    assert "Edit this guide" in html_of(client, "/resources/guides/raising-it-with-your-therapist")
    response = post_form(
        client,
        url,
        {
            "title": "Raising it with your therapist",
            "summary": "S",
            "body": "## Start here\n\nSay it plainly.",
            "reason": "Tighter opening",
        },
    )
    assert response.status_code == 303
    html = html_of(client, "/resources/guides/raising-it-with-your-therapist")
    assert "<h2>Start here</h2>" in html
    assert db.session.scalar(select(AuditEntry.action)) == "guide_edit"


# /help reads the resources data.


def test_help_still_shows_samaritans_for_gb_and_988_for_us(loaded, client):
    gb = html_of(client, "/help?region=GB")
    assert "Samaritans" in gb and '<a href="tel:116123">Call 116 123</a>' in gb
    us = html_of(client, "/help?region=US")
    assert '<a href="tel:988">Call 988</a>' in us and "116 123" not in us


def test_help_works_before_the_resources_are_loaded(client):
    gb = html_of(client, "/help?region=GB")
    assert '<a href="tel:116123">Call 116 123</a>' in gb and "85258" in gb


# The story panel's contents.


def render_panel(app, story_id: int, region: str) -> str:
    """The panel for a story, rendered as the story page would, in its own request."""
    db.session.rollback()  # the request below must not wait on this test's transaction
    with app.test_request_context("/"):
        session["region"] = region
        story = db.session.get(Story, story_id)
        return render_template("resources/_panel.html", story=story)


def test_the_panel_puts_crisis_help_first_for_a_suicide_note(loaded, app):
    story = make_story(status=Status.PUBLISHED, harm_tags=["not-heard"], content_notes=["suicide"])
    html = render_panel(app, story.id, "GB")
    assert html.index("If you need to talk to someone now") < html.index("For what this story")
    assert '<a href="tel:116123">Call 116 123</a>' in html
    assert 'href="/help"' in html and 'href="/resources"' in html


def test_the_panel_leads_with_matched_help_otherwise(loaded, app):
    story = make_story(status=Status.PUBLISHED, harm_tags=["boundary-violation"])
    html = render_panel(app, story.id, "GB")
    assert html.index("For what this story") < html.index("If you need to talk to someone now")
    assert "(external site)" in html
    assert "Samaritans" in html and "988" not in html


def test_the_tag_page_partial_lists_resources_for_the_tag(loaded, app):
    db.session.rollback()
    with app.test_request_context("/tags/boundary-violation"):
        session["region"] = "US"
        html = render_template_string(
            '{% with resources = resources_for_tag("boundary-violation") %}'
            '{% include "resources/_list.html" %}{% endwith %}'
        )
    assert "Sexual exploitation by helping professionals" in html
    assert "BACP" not in html  # a US reader gets US and global help
    assert html.count('class="resource"') == 6
    assert 'href="/resources"' in html


# The commands.


def test_load_resources_command_reports_counts(tags, app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["heard", "load-resources"])
    assert first.exit_code == 0
    assert "Created 64 resources and 4 guides." in first.output
    second = runner.invoke(args=["heard", "load-resources"])
    assert "Created 0 resources and 0 guides. Kept 64 resources and 4 guides" in second.output


def test_check_links_command_records_results_and_lists_failures(
    tags, app, link_server, monkeypatch
):
    monkeypatch.setattr(links, "system_resolver", local_resolver)
    app.config["RESOURCE_CHECK_ALLOW_PRIVATE"] = True
    ok = make_resource("Works", url=link_server("/ok"))
    gone = make_resource("Gone", url=link_server("/missing"))
    loop = make_resource("Loops", url=link_server("/loop"))
    slow = make_resource("Slow", url=link_server("/slow"))
    retired = make_resource("Retired", url=link_server("/missing?retired"))
    retired.status = ResourceStatus.RETIRED
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["heard", "check-links", "--timeout", "0.3"])
    assert result.exit_code == 1
    assert "Checked 4 links: 1 answered, 3 failed." in result.output
    assert f"FAILED  #{gone.id} Gone" in result.output and "404" in result.output
    assert "Too many redirects" in result.output and "No answer within 0.3 seconds" in result.output
    assert "Works" not in result.output and "Retired" not in result.output
    db.session.expire_all()
    assert ok.last_check_ok is True and ok.last_check_result.startswith("200")
    assert (
        gone.last_check_ok is False and loop.last_check_ok is False and slow.last_check_ok is False
    )
    assert ok.last_checked_at is not None and retired.last_checked_at is None


def test_check_links_refuses_private_addresses_by_default(tags, app, link_server, monkeypatch):
    monkeypatch.setattr(links, "system_resolver", local_resolver)
    resource = make_resource("Internal", url=link_server("/ok"))
    result = app.test_cli_runner().invoke(args=["heard", "check-links"])
    assert "The address is not on the public internet" in result.output
    db.session.expire_all()
    assert resource.last_check_ok is False
