"""Fixed pages, the quick exit, crisis help, error pages and the front-end safety contract."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import func, select

from forum.accounts.models import AccountSession
from forum.config import ROOT
from forum.db import db
from forum.errors import ERROR_PAGES
from forum.resources.regions import REGIONS
from tests.conftest import make_test_app
from tests.factories import PASSWORD, make_user
from tests.web import sign_in

PAGES = [
    "/",
    "/about",
    "/guidelines",
    "/privacy",
    "/safety",
    "/help",
    "/help?region=GB",
    "/login",
    "/signup",
    "/recover",
]
HELP_LINES = json.loads((ROOT / "forum" / "data" / "help_lines.json").read_text("utf-8"))
CSS = (ROOT / "static" / "css" / "heard.css").read_text("utf-8")
JS = (ROOT / "static" / "js" / "heard.js").read_text("utf-8")


class Page(HTMLParser):
    """The parts of a page these tests look at, in document order."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []  # every start tag, in order
        self.focusable: list[tuple[str, dict]] = []  # focusable elements after <body>
        self.header_links: list[tuple[dict, str]] = []
        self.inline_scripts = 0
        self._in_body = self._in_header = self._in_script = False
        self._link: dict | None = None
        self._link_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "body":
            self._in_body = True
        elif tag == "header":
            self._in_header = True
        elif tag == "script":
            self._in_script = True
            if not attributes.get("src"):
                self.inline_scripts += 1
        if self._in_body and self._is_focusable(tag, attributes):
            self.focusable.append((tag, attributes))
        if tag == "a" and self._in_header:
            self._link, self._link_text = attributes, []

    def handle_endtag(self, tag):
        if tag == "header":
            self._in_header = False
        elif tag == "script":
            self._in_script = False
        elif tag == "a" and self._link is not None:
            self.header_links.append((self._link, " ".join("".join(self._link_text).split())))
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link_text.append(data)
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def _is_focusable(self, tag: str, attributes: dict) -> bool:
        if "tabindex" in attributes:
            return attributes["tabindex"] != "-1"
        if tag == "a":
            return "href" in attributes
        if tag == "input":
            return attributes.get("type") != "hidden"
        return tag in self.FOCUSABLE


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# Every page: headers -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_page_answers_with_security_and_privacy_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


# Every page: the safety furniture of base.html -----------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_exit_link_sits_above_the_main_content(client, url):
    html = page_html(client, url)
    page = Page(html)
    exits = [attrs for tag, attrs in page.tags if tag == "a" and attrs.get("href") == "/exit"]
    assert len(exits) >= 2  # the button and the skip-style link
    assert all("noreferrer" in attrs.get("rel", "").split() for attrs in exits)
    assert html.index('href="/exit"') < html.index("<main")


@pytest.mark.parametrize("url", PAGES)
def test_skip_link_is_the_first_thing_to_focus_and_the_exit_link_the_second(client, url):
    page = Page(page_html(client, url))
    (first_tag, first), (second_tag, second) = page.focusable[:2]
    assert first_tag == "a"
    assert first["href"] == "#main"
    assert "skip-link" in first["class"].split()
    assert second_tag == "a"
    assert second["href"] == "/exit"
    assert ("main", {"id": "main", "tabindex": "-1"}) in page.tags


@pytest.mark.parametrize("url", PAGES)
def test_get_help_now_is_in_the_header(client, url):
    page = Page(page_html(client, url))
    assert ({"href": "/help", "class": "help-link", "id": "get-help-now"}, "Get help now") in (
        page.header_links
    )


@pytest.mark.parametrize("url", PAGES)
def test_page_has_no_inline_style_or_script_and_no_third_party_assets(client, url):
    html = page_html(client, url)
    page = Page(html)
    assert not [tag for tag, attrs in page.tags if "style" in attrs]
    assert "<style" not in html.lower()
    assert page.inline_scripts == 0
    assets = [
        attrs.get("src") or attrs.get("href", "")
        for tag, attrs in page.tags
        if tag in {"script", "img", "link", "iframe", "source", "video", "audio"}
    ]
    assert assets, "expected at least the stylesheet and the script"
    for address in assets:
        assert address.startswith("/"), address
        assert not address.startswith("//"), address


@pytest.mark.parametrize("url", PAGES)
def test_off_site_links_send_no_referrer(client, url):
    page = Page(page_html(client, url))
    for tag, attrs in page.tags:
        href = attrs.get("href", "")
        if tag == "a" and re.match(r"https?://|//", href):
            assert "noreferrer" in attrs.get("rel", "").split(), href
            assert attrs.get("target") is None, href


# The quick exit -------------------------------------------------------------------------------


def test_exit_redirects_to_the_neutral_site_and_clears_the_session(app, client):
    client.get("/help?region=GB")
    with client.session_transaction() as session:
        assert session["region"] == "GB"
        session["draft"] = "something private"

    response = client.get("/exit")

    assert response.status_code == 303
    assert response.headers["Location"] == app.config["EXIT_URL"]
    assert response.headers["Cache-Control"] == "no-store"
    assert '"cookies"' in response.headers["Clear-Site-Data"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    with client.session_transaction() as session:
        assert "draft" not in session
        assert "region" not in session


def test_exit_ends_a_signed_in_session_on_the_server(app, client):
    with app.app_context():
        make_user(handle="wren")
    assert sign_in(client, "wren", PASSWORD).status_code in {302, 303}
    assert client.get("/account").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 1

    client.get("/exit")

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 0
    assert client.get("/account").status_code == 302


# Get help now ---------------------------------------------------------------------------------


def test_help_in_the_uk_shows_samaritans_and_shout(client):
    html = page_html(client, "/help?region=GB")
    assert "Samaritans" in html
    assert '<a href="tel:116123">Call 116 123</a>' in html
    assert "85258" in html
    assert '<option value="GB" selected>' in html


def test_help_in_the_us_shows_988_and_not_uk_lines(client):
    html = page_html(client, "/help?region=US")
    assert '<a href="tel:988">Call 988</a>' in html
    assert "116 123" not in html


def test_unknown_region_falls_back_to_the_default_lines(client):
    html = page_html(client, "/help?region=ZZ%3Cscript%3E")
    assert "ZZ<script>" not in html and "ZZ&lt;script&gt;" not in html
    assert '<option value="global" selected>' in html
    assert "Find A Helpline" in html
    # No region chosen: the main regions' lines, never only directories (issue 12).
    assert "116 123" in html and "988" in html
    with client.session_transaction() as session:
        assert "region" not in session


def test_region_choice_is_remembered_in_the_session(client):
    page_html(client, "/help?region=AU")
    with client.session_transaction() as session:
        assert session["region"] == "AU"

    html = page_html(client, "/help")
    assert "13 11 14" in html
    assert '<option value="AU" selected>' in html
    # A bad value later does not overwrite a good choice.
    assert "13 11 14" in page_html(client, "/help?region=nowhere")


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_every_region_shows_its_lines_the_global_lines_and_emergency_numbers(client, region):
    html = page_html(client, f"/help?region={region}")
    for line in HELP_LINES["regions"][region] + HELP_LINES["regions"]["global"]:
        assert line["name"].replace("&", "&amp;") in html
    for number in ("999", "112", "911", "000"):
        assert f'<a href="tel:{number}">{number}</a>' in html
    assert "moderators cannot respond to emergencies" in html
    assert '<form method="get" action="/help"' in html
    assert '<label class="label" for="region">' in html


def test_help_lines_data_is_complete_and_consistent():
    regions = HELP_LINES["regions"]
    assert set(regions) == set(REGIONS)
    assert all(regions[code] for code in regions), "every region needs at least one line"
    schemes = {"phone": "tel:", "text": "sms:", "web": "https://"}
    for code, lines in regions.items():
        for line in lines:
            assert {"name", "organisation", "description", "url", "hours", "contacts"} <= set(line)
            assert line["url"] == "" or line["url"].startswith("https://"), line["name"]
            assert line["contacts"], line["name"]
            for contact in line["contacts"]:
                assert contact["href"].startswith(schemes[contact["kind"]]), (code, contact)
                if contact["kind"] in {"phone", "text"}:
                    # The number people see is the number their phone dials.
                    visible = re.sub(r"\D", "", contact["value"])
                    dialled = re.sub(r"\D", "", contact["href"])
                    assert dialled == visible, (code, contact)
                    assert contact["value"] in contact["label"], (code, contact)


# Privacy renders the live settings --------------------------------------------------------------


def test_privacy_states_the_configured_durations(client):
    html = page_html(client, "/privacy")
    assert "<strong>12 hours</strong> without any activity" in html
    assert "<strong>14 days</strong> at most" in html
    assert "your 8 one-time recovery codes" in html
    assert "deleted 48 hours after its day ends" in html
    assert "server for up to <strong>14 days</strong>" in html
    assert "or after <strong>1 hour</strong> if you do not get there" in html
    assert "No email address, ever." in html


def test_privacy_follows_the_settings_when_they_change(app, database_uri):
    other = make_test_app(
        database_uri,
        SESSION_IDLE_MINUTES=45,
        SESSION_ABSOLUTE_DAYS=1,
        RECOVERY_CODE_COUNT=10,
        CLIENT_KEY_RETENTION_HOURS=24,
        TELLER_ACCESS_DAYS=3,
        SENT_CODE_MINUTES=20,
    )
    try:
        html = page_html(other.test_client(), "/privacy")
    finally:
        with other.app_context():
            db.engine.dispose()
    assert "<strong>45 minutes</strong> without any activity" in html
    assert "<strong>1 day</strong> at most" in html
    assert "your 10 one-time recovery codes" in html
    assert "deleted 24 hours after its day ends" in html
    assert "server for up to <strong>3 days</strong>" in html
    assert "or after <strong>20 minutes</strong> if you do not get there" in html
    assert "12 hours" not in html


# Error pages ---------------------------------------------------------------------------------


def assert_kind_error_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.get_data(as_text=True)
    title = ERROR_PAGES[status][0].replace("'", "&#39;")
    assert f"<h1>{title}</h1>" in html
    page = Page(html)
    hrefs = [attrs.get("href") for tag, attrs in page.tags if tag == "a"]
    assert "/exit" in hrefs
    assert hrefs.count("/help") >= 3  # header, the page itself, footer
    assert hrefs.count("/") >= 2  # site name and the page itself
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return html


def test_unknown_url_gets_the_kind_404_page(client):
    assert_kind_error_page(client.get("/no/such/page"), 404)


def test_wrong_method_gets_the_kind_405_page(client):
    response = client.get("/logout")
    assert_kind_error_page(response, 405)
    assert "POST" in response.headers["Allow"]


def test_too_large_a_post_gets_the_kind_413_page(client):
    body = "story=" + "a" * (1024 * 1024 + 1)  # one byte over MAX_CONTENT_LENGTH
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert_kind_error_page(response, 413)


@pytest.fixture
def failing_app(app, database_uri):
    """An app with routes that fail on purpose, added before its first request."""
    application = make_test_app(database_uri)

    @application.get("/test-only/abort/<int:status>")
    def abort_with(status: int):
        abort(status)

    @application.get("/test-only/crash")
    def crash():
        raise RuntimeError("secret-detail: password=hunter2 at /srv/heard/forum/x.py")

    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("status", sorted(ERROR_PAGES))
def test_every_error_status_has_a_kind_page(failing_app, status):
    response = failing_app.test_client().get(f"/test-only/abort/{status}")
    assert_kind_error_page(response, status)


def test_unexpected_error_leaks_nothing(failing_app):
    response = failing_app.test_client().get("/test-only/crash")
    html = assert_kind_error_page(response, 500)
    for leak in ("secret-detail", "hunter2", "RuntimeError", "Traceback", "/srv/heard", ".py"):
        assert leak not in html


# Safe messaging --------------------------------------------------------------------------------

UNSAFE_PHRASES = re.compile(r"\bcommit(?:ted|s|ting)?\s+suicide\b|\bsuccessful\s+suicide\b", re.I)


def test_unsafe_phrase_pattern_catches_what_it_should():
    for phrase in ("Commit suicide", "committed  suicide", "a successful suicide"):
        assert UNSAFE_PHRASES.search(phrase)
    assert not UNSAFE_PHRASES.search("died by suicide; took their own life")


def test_templates_and_data_follow_safe_messaging_language():
    files = sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "forum" / "data").glob("*.json")
    )
    assert len(files) > 10
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in files
        for match in UNSAFE_PHRASES.finditer(path.read_text("utf-8"))
    ]
    assert found == []


# Static assets: contrast, motion, storage ------------------------------------------------------


def _declarations(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", block))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _block_bounds(css: str, start: int) -> tuple[int, int]:
    """The positions of the braces that open and close the rule starting at `start`."""
    opening = css.index("{", start)
    depth = 0
    for index in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[index], 0)
        if depth == 0:
            return opening, index
    raise AssertionError("unbalanced braces in heard.css")


def _block_after(css: str, start: int) -> str:
    opening, closing = _block_bounds(css, start)
    return css[opening + 1 : closing]


TEXT_PAIRS = [
    ("--text", "--bg"),
    ("--muted", "--bg"),
    ("--link", "--bg"),
    ("--link-visited", "--bg"),
    ("--link-hover", "--bg"),
    ("--error", "--bg"),
    ("--success", "--bg"),
    ("--text", "--panel"),
    ("--muted", "--panel"),
    ("--link", "--panel"),
    ("--link-visited", "--panel"),
    ("--link-hover", "--panel"),
    ("--error", "--panel"),
    ("--text", "--notice"),
    ("--link", "--notice"),
    ("--text", "--input-bg"),
    ("--button-text", "--button"),
    ("--button-text", "--button-hover"),
    ("--text", "--button-secondary"),
    ("--text", "--button-secondary-hover"),
    ("--exit-text", "--exit"),
    ("--exit-text", "--exit-hover"),
    ("--header-text", "--header"),
    ("--tag-text", "--tag-bg"),
    ("--focus-text", "--focus"),
]


def test_contrast_sanity_check():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#777777", "#ffffff") < 4.5


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_pair_passes_wcag_aa(scheme):
    light = _declarations(_block_after(CSS, CSS.index(":root")))
    palette = dict(light)
    if scheme == "dark":
        media = CSS.index("@media (prefers-color-scheme: dark)")
        dark = _declarations(_block_after(CSS, media))
        assert set(dark) == set(light), "the dark palette must set every colour"
        palette.update(dark)
    failures = [
        f"{fg} on {bg}: {contrast(palette[fg], palette[bg]):.2f}"
        for fg, bg in TEXT_PAIRS
        if contrast(palette[fg], palette[bg]) < 4.5
    ]
    assert failures == []


def test_motion_only_for_those_who_have_not_asked_for_less():
    css = CSS
    media = "@media (prefers-reduced-motion: no-preference)"
    assert media in css
    while media in css:
        start = css.index(media)
        css = css[:start] + css[_block_bounds(css, start)[1] + 1 :]
    assert "prefers-reduced-motion" not in css
    assert not re.search(r"\b(transition|animation)\s*:", css)


def test_css_makes_no_third_party_request_and_never_fixes_the_exit_button():
    assert "@import" not in CSS
    assert "@font-face" not in CSS
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)
    exit_rules = re.findall(r"\.exit-button[^{]*\{([^}]*)\}", CSS)
    assert exit_rules
    assert not any("fixed" in rule or "sticky" in rule for rule in exit_rules)
    # The wrapper is sticky (in the flow at rest, so it covers nothing), never fixed.
    wrapper = re.findall(r"(?m)^\s*\.exit-this-page\s*\{([^}]*)\}", CSS)
    assert any("position: sticky" in rule and "top: 0" in rule for rule in wrapper)
    assert "position: fixed" not in CSS
    assert re.search(r"scroll-padding-top:\s*[1-9]", CSS), "focus could hide under the exit"


def test_script_stores_nothing_and_replaces_the_history_entry():
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", JS, flags=re.S)
    for api in ("localStorage", "sessionStorage", "document.cookie", "indexedDB", "eval("):
        assert api not in code
    assert "location.replace(" in code
    assert "Shift, press " in code and "Exit this page expired." in code
    assert "pageshow" in code


def test_static_assets_are_served(client):
    for path, kind in (
        ("/static/css/heard.css", "text/css"),
        ("/static/js/heard.js", "javascript"),
        ("/static/img/favicon.svg", "image/svg+xml"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["Content-Type"], path
    location = client.get("/favicon.ico").headers["Location"]
    assert location.split("?v=")[0].endswith("/static/img/favicon.svg"), location


def test_data_readme_names_every_data_file():
    readme = (ROOT / "forum" / "data" / "README.md").read_text("utf-8")
    for path in Path(ROOT / "forum" / "data").iterdir():
        if path.name != "README.md":
            assert f"## {path.name}" in readme
