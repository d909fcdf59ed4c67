"""Hostile input on every form and every GET parameter: no 5xx, no traceback, text kept.

The forms are found, not listed: for each kind of visitor (anonymous, a teller holding a
status code, a member, a moderator, an admin) the test walks the site from a few pages,
following links (one page per route), and reads every <form method="post"> it meets. Each
POST route in app.url_map must be reached by some form, or be in NO_FORM with a reason, so a
new form is covered without touching this file. Hypothesis then sends each form a few
examples: real choices, whitespace, unknown values, naughty strings, XSS and SQL payloads,
very long text, repeated and missing fields, always with a valid CSRF token. A rejected /share
form must give the teller's words back.

Examples are few and derandomised (the same each run) to keep `make test` quick; set
HEARD_FUZZ_EXAMPLES (for example 200) and HEARD_FUZZ_RANDOM=1 to search harder locally.
"""

from __future__ import annotations

import os
import re
import secrets
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import render_template_string, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from markupsafe import escape
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from forum.accounts.models import Role
from forum.db import db
from forum.moderation import reasons, receipts, sanctions, watched_words
from forum.moderation.models import ReasonTemplate
from forum.resources.curation import retire_resource
from forum.resources.loading import load_resources
from forum.resources.models import Resource
from forum.stories import changes, saved_drafts
from forum.stories.models import Status
from forum.stories.services import Teller
from tests.conftest import make_test_app
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.payloads import PAYLOADS
from tests.sharing.flow import share
from tests.web import TOKEN

EXAMPLES = int(os.environ.get("HEARD_FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("HEARD_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=False,
)
ROLES = ["anonymous", "teller", "member", "moderator", "admin"]
# PostgreSQL gets the smaller subset that stores what strangers type (time budget: 2 cores).
POSTGRESQL_ROLES = {"anonymous", "teller", "member"}
HANDLES = {"member": "heron", "moderator": "keeper", "admin": "steward"}
# Where each visitor starts walking; links found on these pages lead to the rest.
SEEDS = {
    "anonymous": ["/", "/share", "/signup", "/login", "/recover", "/status", "/stories"],
    "teller": ["/share/sent", "/status"],
    "member": ["/", "/account", "/stories", "/share"],
    "moderator": ["/moderation", "/moderation/log", "/stories"],
    "admin": ["/moderation", "/admin/tags", "/resources/manage", "/moderation/roles"],
}
# Pages never walked into: they end the visit or only serve files.
NOT_WALKED = {"pages.exit", "static", "pages.favicon", "stories.feed", "stories.tag_feed"}
# POST routes the walk cannot reach through a form, each with why.
NO_FORM = {
    "moderation.save_suggested": "a button with no fields, shown only while no reasons are "
    "saved; the world saves them so that the edit and delete forms can be fuzzed",
    "api.read_only": "no form: the read-only API answers every write with a 405 problem",
    "following.unfollow": "shown only once a member follows the story; the same CSRF-only "
    "form as following.follow, which the fuzz reaches",
}

_PAYLOADS = PAYLOADS


def _payloads() -> list[str]:
    """A sample of the shared attack corpora, or a few stand-ins when they are not there."""
    lines: list[str] = []
    for name in ("naughty-strings/blns.txt", "xss/XSS_Polyglots.txt", "sqli/SQLi_Polyglots.txt"):
        path = _PAYLOADS / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            lines += [line for line in text if line.strip() and not line.startswith("#")]
    return lines[::7] or ["<script>alert(1)</script>", "' OR 1=1 --", "\u202e", "%00"]


PAYLOADS = _payloads()
NUMBERS = ["0", "-1", "2147483648", "9223372036854775808", "1e9", "NaN", "0x10", "١٢"]
SPACES = [" ", "\t", "\n", "\r\n", "\u00a0", "\u200b", "\u3000"]
# Text a form could plausibly get back: any code point but surrogates (HTTP cannot carry
# them), with NUL and other controls included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
HOSTILE = st.one_of(
    TEXT,
    st.sampled_from(PAYLOADS),
    st.sampled_from(NUMBERS + SPACES),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["a", "é", "@.", "[*_", " "]),
        st.sampled_from([199, 200, 201, 2_001, 30_001]),
    ),
)


# --- Reading pages ---------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms on a page and the links out of it."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[dict] = []
        self.links: set[str] = set()
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.add(a["href"])
        if tag == "form":
            method = a.get("method", "get").lower()
            action = urlsplit(a.get("action") or self.page).path or urlsplit(self.page).path
            self._form = {"action": action, "fields": {}} if method == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "select" and name:
            self._select = name
            self._field(name)
        elif tag == "option" and self._select:
            self._field(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._field(name)
        elif tag in ("input", "button") and name:
            kind = a.get("type", "text" if tag == "input" else "submit")
            self._field(name, a.get("value", "on" if kind in ("checkbox", "radio") else ""))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea and data.strip():
            self._field(self._textarea, data.strip("\r\n"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _field(self, name: str, value: str | None = None) -> None:
        values = self._form["fields"].setdefault(name, [])
        if value is not None and value not in values:
            values.append(value)


def _endpoint(app, path: str, method: str = "GET") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(path, method=method)[0]
    except (NotFound, MethodNotAllowed):
        return None
    except Exception:  # a redirect rule (trailing slash) or the like: not a page to walk
        return None


def _walk(app, client, seeds: list[str], limit: int = 80) -> dict[str, list[dict]]:
    """POST forms found from seeds, by endpoint, visiting one page per GET route."""
    seen_endpoints: set[str] = set()
    queue = list(seeds)
    forms: dict[str, list[dict]] = {}
    while queue and limit:
        page = queue.pop(0)
        endpoint = _endpoint(app, urlsplit(page).path)
        if endpoint is None or endpoint in NOT_WALKED:
            continue
        key = endpoint if page not in seeds else page
        if key in seen_endpoints:
            continue
        seen_endpoints.add(key)
        limit -= 1
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms(page)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            target = _endpoint(app, form["action"], "POST")
            if target is not None:
                form["page"] = page
                forms.setdefault(target, []).append(form)
        queue += sorted(parser.links)
    return forms


# --- The world -------------------------------------------------------------------------------


def _build(app) -> dict:
    """One of each account and object a form can act on; returns the teller's status code."""
    with app.app_context():
        load_tags()
        load_resources()
        heron = make_user("heron")
        wren = make_user("wren")
        keeper = make_user("keeper", role=Role.MODERATOR)
        steward = make_user("steward", role=Role.ADMIN)
        make_story(title="Waiting")
        published = make_story(title="Published", status=Status.PUBLISHED)
        owned = make_story(title="Mine", author=heron, body="Dr Smith", status=Status.PUBLISHED)
        receipts.redact(keeper, owned.id, "Mine", "My psychologist", "Removed a name")
        # A published story of heron's with an update waiting, and a draft kept for heron.
        told = make_story(title="Told", author=heron, status=Status.PUBLISHED)
        teller = Teller(user=heron)
        changes.add_update(teller, told.id, "A year on", secrets.token_urlsafe(24), checked=True)
        saved_drafts.save(
            heron, secrets.token_urlsafe(24), {"title": "Later"}, frozenset({"title"})
        )
        sanctions.warn(keeper, wren.id, "Be kind")
        sanctions.suspend(keeper, wren.id, 3, "Take a pause")
        watched_words.add_word(steward, "idiot", "flag")
        reasons.save_suggestions(steward)
        assert db.session.scalar(select(ReasonTemplate.id).limit(1)) is not None
        resource_id = db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1))
        retire_resource(steward, resource_id, "Closed")
        return {
            "published": published.id,
            "pages": [
                f"/stories/{published.id}",
                f"/stories/{owned.id}",
                f"/moderation/accounts/{wren.id}",
                f"/moderation/story/{published.id}",
                f"/resources/manage/{resource_id}/edit",
            ],
        }


def _client(app, role: str, world: dict):
    client = app.test_client()
    if role == "teller":  # shares a story, so this browser holds it and /share/sent shows
        assert share(client).status_code == 303, "the teller's story was not sent"
    elif role != "anonymous":
        token = _token(client, "/login")
        response = client.post(
            "/login", data={"csrf_token": token, "handle": HANDLES[role], "password": PASSWORD}
        )
        assert response.status_code == 303, f"{role} could not sign in"
    return client


def _token(client, page: str) -> str:
    """The session's CSRF token, from page or (a page shown once, say) from /share."""
    match = TOKEN.search(client.get(page).get_data(as_text=True)) or TOKEN.search(
        client.get("/share").get_data(as_text=True)
    )
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


def _post_rules(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint not in NO_FORM
    }


# --- Checks ----------------------------------------------------------------------------------


def _field_value(choices: list[str]):
    options = [st.sampled_from(choices)] if choices else []
    return st.one_of(*options, HOSTILE)


def _submission(form: dict):
    """Each field: a real choice, hostile text, repeated values or missing; plus a stray field."""
    fields = {}
    for name, choices in form["fields"].items():
        if name.endswith("csrf_token"):
            continue
        fields[name] = st.one_of(
            _field_value(choices),
            _field_value(choices),
            st.lists(_field_value(choices), min_size=0, max_size=3),
        )
    return st.fixed_dictionaries(
        {}, optional={**fields, "stray": HOSTILE, "impact-not-heard": HOSTILE}
    )


def _check(response, label: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{label}: {response.status_code}"
    assert "Traceback (most recent call last)" not in body, f"{label}: traceback shown"


def _keeps_the_words(response, sent: dict) -> None:
    """A /share form that comes back with errors shows every word of the title and body."""
    body = response.get_data(as_text=True)
    if response.status_code >= 300 or "Error: " not in body.split("</title>")[0]:
        return
    for name in ("title", "body"):
        value = sent.get(name)
        if isinstance(value, str) and "\x00" not in value and value.strip():
            shown = str(escape(value.replace("\r\n", "\n").strip()))
            assert shown in body.replace("\r\n", "\n"), f"/share lost the {name}: {value!r}"


def _fuzz_form(app, role: str, world: dict, endpoint: str, form: dict, failures: list) -> None:
    client = _client(app, role, world)
    token = _token(client, form["page"])

    @FUZZ
    @given(data=_submission(form))
    def run(data):
        tokens = {name: token for name in form["fields"] if name.endswith("csrf_token")}
        response = client.post(form["action"], data={**data, **(tokens or {"csrf_token": token})})
        _check(response, f"{role} POST {form['action']} {data!r}")
        if endpoint == "sharing.share":
            _keeps_the_words(response, data)

    try:
        run()
    except HypothesisException:
        raise
    except Exception as error:  # gather every failing form, then report them together
        failures.append(f"{role} {endpoint} ({form['action']}): {error!r}")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ROLES)
def test_every_form_takes_hostile_input(app, engine_name, role):
    if engine_name == "postgresql" and role not in POSTGRESQL_ROLES:
        pytest.skip("staff forms are fuzzed on SQLite; PostgreSQL takes the public and members'")
    world = _build(app)
    client = _client(app, role, world)
    forms = _walk(app, client, SEEDS[role] + world["pages"])
    assert forms, f"{role}: no forms found"
    failures: list[str] = []
    # One form per POST route (each action of an item apart), the ones that end the visit last.
    chosen = {
        f["action"] if e == "moderation.act" else e: (e, f)
        for e, found in forms.items()
        for f in found
    }
    order = sorted(chosen.values(), key=lambda ef: (ef[0] in ("accounts.logout",), ef[0]))
    for endpoint, form in order:
        _fuzz_form(app, role, world, endpoint, form, failures)
    print(f"{role}: fuzzed", ", ".join(f"{e} {f['action']}" for e, f in order))
    assert not failures, "\n\n".join(failures)


def test_every_post_route_has_a_form_the_fuzz_reaches(app):
    world = _build(app)
    reached: set[str] = set()
    for role in ROLES:
        reached |= set(_walk(app, _client(app, role, world), SEEDS[role] + world["pages"]))
    missing = _post_rules(app) - reached
    assert not missing, f"no form found for {sorted(missing)}: link to it, or add to NO_FORM"


# --- GET parameters --------------------------------------------------------------------------

# Every query parameter the app reads, with a page that reads it. A new `request.args` name in
# forum/ fails test_every_get_parameter_is_listed until it is added here.
GET_PARAMETERS = {
    "/stories": [
        *("tag", "exclude", "practice", "type", "setting", "format", "kind", "after"),
        *("q", "order", "page"),
    ],
    "/stories/{published}": ["replies", "replies_after", "replies_before"],
    "/static/css/heard.css": ["v"],  # the fingerprint (forum/assets.py)
    "/tags/not-heard": ["after"],
    "/moderation-log": ["before"],
    "/moderation/log": ["before", "action", "target_type", "since", "until", "actor"],
    "/moderation/accounts": ["handle"],
    "/resources": ["category", "region", "tag", "country", "practitioner"],
    "/help": ["region", "country", "practitioner"],
    "/login": ["next"],
    "/stories/preferences": ["next"],
    "/api/v1/stories": ["limit", "after"],
}


_READS = re.compile(
    r"(?:(?:request\.args|request\.values|\bargs)\.(?:get|getlist)\(\s*"
    r"|query_id\(request\.args,\s*)\"([^\"]+)\""
)


def test_every_get_parameter_is_listed():
    names = set()
    for path in Path("forum").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names |= set(
            re.findall(
                r"(?:request\.args|request\.values|\bargs)\.(?:get|getlist)\(\s*\"([^\"]+)\"",
                source,
            )
        )
        names |= set(re.findall(r"query_id\(request\.args, \"([^\"]+)\"\)", source))
    listed = {name for names_ in GET_PARAMETERS.values() for name in names_}
    assert names <= listed, f"add {sorted(names - listed)} to GET_PARAMETERS"


def _fuzz_query(client, role: str, page: str, names: list[str], failures: list) -> None:
    value = st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3))

    @FUZZ
    @given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(names, value)))
    def run(query):
        response = client.get(page, query_string=query)
        _check(response, f"{role} GET {page} {query!r}")

    try:
        run()
    except HypothesisException:
        raise
    except Exception as error:
        failures.append(f"{role} GET {page}: {error!r}")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_get_parameter_takes_hostile_input(app, role):
    world = _build(app)
    client = _client(app, role, world)
    failures: list[str] = []
    for page, names in GET_PARAMETERS.items():
        _fuzz_query(client, role, page.format(published=world["published"]), names, failures)
    assert not failures, "\n\n".join(failures)


def test_the_walk_reads_forms_fields_and_choices():
    parser = _Forms("/here")
    parser.feed(
        '<form method="post"><input name="csrf_token" type="hidden" value="t">'
        '<select name="kind"><option value="a">A</option><option value="b">B</option></select>'
        '<textarea name="body">kept</textarea><button name="action" value="go">Go</button>'
        '</form><form method="get" action="/search"><input name="q"></form><a href="/next">n</a>'
    )
    [form] = parser.forms
    assert form["action"] == "/here"
    assert form["fields"] == {
        "csrf_token": ["t"],
        "kind": ["a", "b"],
        "body": ["kept"],
        "action": ["go"],
    }
    assert parser.links == {"/next"}


def test_the_fuzz_finds_a_form_that_fails_on_whitespace(tmp_path):
    """The harness itself: a probe form that breaks on an unlisted choice is reported."""
    probe = make_test_app(f"sqlite:///{tmp_path / 'probe.sqlite3'}")

    @probe.route("/probe", methods=["GET", "POST"])
    def probe_view():
        if request.method == "POST" and request.form.get("choice") not in (None, "a", "b"):
            raise ValueError("not a valid choice")
        return render_template_string(
            '<form method="post"><input name="csrf_token" type="hidden" value="{{ csrf_token() }}">'
            '<select name="choice"><option value="a">A</option><option value="b">B</option>'
            "</select></form>"
        )

    with probe.app_context():
        db.create_all()
    forms = _walk(probe, probe.test_client(), ["/probe"])
    failures: list[str] = []
    _fuzz_form(probe, "anonymous", {}, "probe_view", forms["probe_view"][0], failures)
    [failure] = failures
    assert "POST /probe {'choice': ''}: 500" in failure  # the shrunk input that fails
