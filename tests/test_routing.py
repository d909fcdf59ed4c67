"""Bounded ids: every integer in a path or query string is 1..2^31-1, or it names nothing.

The route list is read from the app's URL map, so a new route with an id is covered the day
it is added; the query parameters are found by reading the views' source, so a new integer
parameter that skips forum.routing fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, BaseConverter
from werkzeug.routing.converters import NumberConverter

from forum.accounts.models import Role
from forum.db import db
from forum.routing import MAX_ID, IdConverter, parse_id, query_id
from forum.safety.redirects import safe_referrer
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import client_as, token

FORUM = Path(__file__).resolve().parent.parent / "forum"

# Past PostgreSQL's INTEGER, past SQLite's INTEGER, a sign, zero, and things that are not
# numbers at all (int() would accept the Arabic-Indic digit and the spaces).
OUT_OF_RANGE = [
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "abc",
    "1e3",
    "%D9%A3",
    "%201",
    "9" * 5000,
]
# In range but naming nothing: the query runs, and must answer "not found", not fail.
IN_RANGE = [str(MAX_ID), "1"]
# Out-of-range values miss in the router, before any query: PostgreSQL takes three shapes of
# them (too big for a bigint, not a number, very long) and SQLite every one.
POSTGRESQL_OUT_OF_RANGE = [str(2**63), "abc", "9" * 5000]

# Values for the other parts of a rule, so the id part is what gets tested.
SAMPLE_ARGUMENTS = {"action": "approve", "slug": "not-heard", "change": "retire"}

# Every integer query parameter the views read, by the page that reads it. The source scan
# below fails when a view reads one that is not listed here.
INTEGER_PARAMETERS = {
    ("/moderation-log", "before"),
    ("/moderation/log", "before"),
    ("/stories", "after"),
    ("/tags/not-heard", "after"),
    ("/stories/{story}", "replies_after"),  # a published story's page of replies
    ("/stories/{story}", "replies_before"),
}
CURSOR_STAMP = "1700000000000000"


def test_parse_id_takes_plain_numbers_in_range_only() -> None:
    assert parse_id("1") == 1
    assert parse_id("007") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    for raw in [str(MAX_ID + 1), str(2**63), "-1", "+1", "0", "000", "", " 1", "1 ", "1_0"]:
        assert parse_id(raw) is None, raw
    assert parse_id("\u0663") is None  # ARABIC-INDIC DIGIT THREE: int() would say 3
    assert parse_id("9" * 5000) is None
    assert parse_id(None) is None
    assert parse_id(5) is None  # only text from a request is parsed


def test_query_id_reads_one_parameter_by_the_same_rule() -> None:
    assert query_id({"before": "12"}, "before") == 12
    assert query_id({"before": str(2**63)}, "before") is None
    assert query_id({}, "before") is None


def _rules(app):
    """(rule, id argument names) for every rule with an integer argument."""
    found = []
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        assert not any(isinstance(c, NumberConverter) for c in converters.values()), (
            f"{rule.rule} uses werkzeug's int/float converter instead of <id:...>"
        )
        ids = [name for name, c in converters.items() if isinstance(c, IdConverter)]
        if ids:
            found.append((rule, ids))
    return found


def _url(rule, value: str) -> str:
    """The rule's path with value in every id part and a sample in every other part."""

    def fill(match: re.Match) -> str:
        name = match.group("name")
        converter: BaseConverter = rule._converters[name]
        if isinstance(converter, IdConverter):
            return value
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        return SAMPLE_ARGUMENTS[name]

    return re.sub(r"<(?:[^:<>]+:)?(?P<name>\w+)>", fill, rule.rule)


def test_every_id_in_the_url_map_uses_the_bounded_converter(app) -> None:
    rules = _rules(app)
    # The routes the issue named, among others: the map is really being read.
    paths = {rule.rule for rule, _ in rules}
    assert "/status/<id:story_id>/edit" in paths
    assert "/<any(stories, replies):kind>/<id:item_id>/report" in paths
    assert "/stories/<id:story_id>" in paths
    assert len(rules) >= 15


@pytest.fixture
def clients(app):
    """Anonymous, a moderator and an admin, each with a CSRF token for their session."""
    # No app context stays pushed: requests sharing one would share its cached CSRF token.
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("steward", role=Role.ADMIN)
        make_story(title="Heard at last", status=Status.PUBLISHED)
    result = []
    for handle in (None, "keeper", "steward"):
        client = client_as(app, handle)
        result.append((handle or "anonymous", client, token(client)))
    return result


def test_no_id_in_any_route_answers_a_server_error(app, engine_name, clients) -> None:
    failures = []
    missing = OUT_OF_RANGE if engine_name == "sqlite" else POSTGRESQL_OUT_OF_RANGE
    for rule, _ in _rules(app):
        for value in missing + IN_RANGE:
            url = _url(rule, value)
            for who, client, csrf in clients:
                responses = []
                if "GET" in rule.methods:
                    responses.append(("GET", client.get(url)))
                if "POST" in rule.methods:
                    data = {"csrf_token": csrf, "reason": "A reason", "version": "1"}
                    responses.append(("POST", client.post(url, data=data)))
                for method, response in responses:
                    code = response.status_code
                    # Out of range: a routing miss, before any view, query or permission check.
                    if code >= 500 or (value in OUT_OF_RANGE and code != 404):
                        failures.append(f"{method} {url[:80]} as {who}: {code}")
    assert not failures, "\n".join(failures)


def _values_for(name: str) -> list[str]:
    if name == "after":  # a keyset cursor: "<microseconds>-<story id>"
        ids = [v for v in OUT_OF_RANGE if len(v) < 30 and "%" not in v]
        return [f"{CURSOR_STAMP}-{v}" for v in ids] + [
            "99999999999999999999-1",
            "-1-1",
            "x-y",
            *OUT_OF_RANGE,
        ]
    return OUT_OF_RANGE


def test_no_integer_query_parameter_answers_a_server_error(app, clients) -> None:
    failures = []
    with app.app_context():
        story_id = db.session.scalar(select(Story.id))
    for pattern, name in sorted(INTEGER_PARAMETERS):
        path = pattern.format(story=story_id)
        assert clients[2][1].get(path).status_code == 200, path  # the admin reaches each page
        for who, client, _ in clients:
            plain = client.get(path)
            for value in _values_for(name):
                response = client.get(f"{path}?{name}={value}")
                # An unusable value is treated as absent: the same answer as without it.
                if response.status_code != plain.status_code or response.status_code >= 500:
                    failures.append(f"{path}?{name}={value[:40]} as {who}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # The pages were really reached (the admin log is the admin's, the public log everyone's).
    assert clients[2][1].get("/moderation/log?before=" + str(2**63)).status_code == 200
    assert clients[0][1].get("/moderation-log?before=" + str(2**63)).status_code == 200


def test_every_integer_query_parameter_in_the_views_is_listed_and_bounded() -> None:
    sources = {p: p.read_text() for p in FORUM.rglob("*.py")}
    for path, text in sources.items():
        # Unbounded integer parsing of request input has no place in the views.
        assert not re.search(r"request\.(args|form|values)\.get\([^)]*type=int", text), path
        assert not re.search(r"int\(request\.", text), path
    read = set()
    for text in sources.values():
        read |= set(re.findall(r'query_id\(request\.args, "(\w+)"\)', text))
        read |= set(re.findall(r'parse_cursor\(request\.args\.get\("(\w+)"\)\)', text))
    assert read == {name for _, name in INTEGER_PARAMETERS}


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://localhost/moderation/accounts/3?tab=x", "/moderation/accounts/3?tab=x"),
        ("https://evil.example/moderation/accounts/3", "/moderation"),
        ("http://localhost.evil.example/x", "/moderation"),
        ("http://localhost//evil.example/x", "/moderation"),
        ("javascript:alert(1)", "/moderation"),
        ("http://[oops/x", "/moderation"),
        (None, "/moderation"),
    ],
)
def test_safe_referrer_keeps_only_local_pages(referrer, expected) -> None:
    assert safe_referrer(referrer, "localhost", "/moderation") == expected


def test_lift_never_redirects_off_site(app, clients) -> None:
    _, moderator, csrf = clients[1]
    off_site = moderator.post(
        "/moderation/sanctions/1/lift",
        data={"csrf_token": csrf},  # no reason: the form is refused and sends the person back
        headers={"Referer": "https://evil.example/phish"},
    )
    assert off_site.status_code == 303
    assert off_site.headers["Location"] == "/moderation"
    local = moderator.post(
        "/moderation/sanctions/1/lift",
        data={"csrf_token": csrf},
        headers={"Referer": "http://localhost/moderation/accounts/2"},
    )
    assert local.headers["Location"] == "/moderation/accounts/2"
