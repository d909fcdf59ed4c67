"""Logs hold nothing identifying: no address, user agent, query string or user text; every
line carries the request's id, and with FORUM_LOG_FORMAT=json every line is one JSON object."""

from __future__ import annotations

import json
import logging
import re
import socket
import sys

import pytest

from forum.config import ConfigError
from forum.extensions import csrf
from forum.safety.logs import (
    DropClientAddress,
    TextFormatter,
    scrubbed_traceback,
    without_query,
)
from tests.conftest import make_test_app
from tests.factories import load_tags
from tests.sharing.flow import share

ADDRESS = "203.0.113.77"
AGENT = "QuietBrowser/7.3 (unique-agent-marker)"
QUERY_WORD = "unique-query-marker"
STORY_TEXT = "My counsellor in unique-story-marker town laughed at me."
REQUEST_ID = re.compile(r"^[0-9a-f]{16}$")


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_leading_client_address_is_removed():
    message = '203.0.113.5 - - [22/Nov/2026 04:43:59] "%s" %s %s'
    args = ("GET / HTTP/1.1", "200", "-")
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)
    assert DropClientAddress().filter(record) is True
    assert "203.0.113.5" not in record.getMessage()
    assert record.getMessage().startswith('- - - [22/Nov/2026 04:43:59] "GET / HTTP/1.1" 200')


def test_the_query_string_is_removed_from_the_request_line():
    message = '203.0.113.5 - - [22/Nov/2026 04:43:59] "%s" %s %s'
    args = ("\x1b[1mGET /stories?q=my+secret&token=abc HTTP/1.1\x1b[0m", "200", "-")
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)
    DropClientAddress().filter(record)
    assert "secret" not in record.getMessage()
    assert "token" not in record.getMessage()
    assert '"\x1b[1mGET /stories HTTP/1.1\x1b[0m" 200' in record.getMessage()


def test_without_query_keeps_method_path_and_version():
    assert without_query("GET /a/b?x=1 HTTP/1.1") == "GET /a/b HTTP/1.1"
    assert without_query("GET /a?x=1 y HTTP/1.0") == "GET /a HTTP/1.0"
    assert without_query("GET /plain HTTP/1.1") == "GET /plain HTTP/1.1"
    assert without_query("?" * 100_000) == ""


def test_the_filter_is_installed_when_the_app_is_created(app):
    assert any(isinstance(f, DropClientAddress) for f in logging.getLogger("werkzeug").filters)


def test_tracebacks_keep_their_frames_but_not_the_message():
    try:
        try:
            raise KeyError(STORY_TEXT)
        except KeyError as inner:
            raise ValueError(f"{STORY_TEXT!r} is not a valid Format") from inner
    except ValueError:
        text = scrubbed_traceback(sys.exc_info())
    assert "unique-story-marker" not in text
    assert "builtins.ValueError (message left out of the log)" in text
    assert "builtins.KeyError (message left out of the log)" in text
    assert "test_tracebacks_keep_their_frames_but_not_the_message" in text


def test_text_lines_never_reuse_a_full_traceback_cached_by_another_handler():
    try:
        raise RuntimeError(STORY_TEXT)
    except RuntimeError:
        record = logging.LogRecord(
            "forum", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    record.request_id = "0123456789abcdef"
    logging.Formatter().format(record)  # caches the full text on the record, message included
    line = TextFormatter("%(levelname)s [%(request_id)s] %(message)s").format(record)
    assert line.startswith("ERROR [0123456789abcdef] failed")
    assert "unique-story-marker" not in line


def test_an_unknown_log_format_stops_the_start(database_uri, app):
    with pytest.raises(ConfigError, match="FORUM_LOG_FORMAT"):
        make_test_app(database_uri, LOG_FORMAT="xml")


@pytest.fixture
def json_app(app, database_uri):
    """An app on the test database with JSON logs, errors handled as in production."""
    with app.app_context():
        load_tags()
    application = make_test_app(
        database_uri,
        LOG_FORMAT="json",
        PROPAGATE_EXCEPTIONS=False,
        # Limits on, their Redis down: Flask-Limiter's fallback warning must be a JSON line too.
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/6",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    )

    @application.post("/test-only/fails")
    @csrf.exempt
    def fails():
        from flask import request

        raise ValueError(f"{request.form['body']!r} broke something")

    yield application
    make_test_app(database_uri)  # back to text lines for the tests that follow


def test_json_lines_carry_the_request_id_and_nothing_identifying(json_app, capsys):
    client = json_app.test_client()
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    capsys.readouterr()

    responses = [
        client.get(
            f"/stories?q={QUERY_WORD}&page=2", headers={"X-Request-Id": "chosen-by-the-client"}
        ),
        client.get(f"/no-such-page?token={QUERY_WORD}"),
        client.post("/test-only/fails", data={"body": STORY_TEXT}),
        share(client, body=STORY_TEXT),
    ]

    assert [r.status_code for r in responses[:3]] == [200, 404, 500]
    assert responses[3].status_code == 303
    ids = [r.headers["X-Request-Id"] for r in responses]
    assert all(REQUEST_ID.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    lines = capsys.readouterr().err.splitlines()
    assert lines
    records = [json.loads(line) for line in lines]
    for line, record in zip(lines, records, strict=True):
        assert REQUEST_ID.match(record["request_id"]), line
        for secret in (ADDRESS, "QuietBrowser", "unique-agent-marker", QUERY_WORD, "unique-story"):
            assert secret not in line
        assert "chosen" not in line
    requests = [r for r in records if r["logger"] == "forum.requests"]
    assert [(r["method"], r["route"], r["status"]) for r in requests[:3]] == [
        ("GET", "/stories", 200),
        ("GET", "(no route)", 404),
        ("POST", "/test-only/fails", 500),
    ]
    assert {r["request_id"] for r in requests[:3]} == set(ids[:3])
    failure = [r for r in records if r["level"] == "ERROR" and r["request_id"] == ids[2]]
    assert failure
    assert "builtins.ValueError (message left out of the log)" in failure[0]["exc_info"]
    assert all({"time", "level", "logger", "message", "request_id"} <= r.keys() for r in records)
    assert any(r["logger"] == "flask-limiter" and r["level"] == "WARNING" for r in records)
