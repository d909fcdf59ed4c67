"""Rate limits: every limit is a setting, and a Redis outage never stops anyone posting.

With REDIS_URL set, counters live in Redis; when Redis stops answering (a closed port, or the
server dying mid-run) Flask-Limiter counts in the worker's memory, logs one warning, and goes
back to Redis once it answers again.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from limits import parse_many
from sqlalchemy import func, select

from forum.config import Config
from forum.db import db
from forum.stories.models import Status, Story
from tests.conftest import make_test_app, service_missing
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.sharing.flow import carry, start, step, story_count, valid_story
from tests.web import csrf_token, post_form, sign_in

LIMIT_SETTINGS = sorted(name for name in dir(Config) if name.startswith("LIMIT_"))
# The words Flask-Limiter logs when it gives up on the storage and falls back to memory.
FALLBACK_WARNING = "falling back to in-memory storage"
IDENTIFIERS = "Write to me at sam.jones@example.com. Dr Hargreaves said no."


@pytest.fixture
def tags(app):
    """The starting taxonomy, which /share needs."""
    with app.app_context():
        load_tags()


@pytest.fixture
def story_id(app, tags) -> int:
    """A published story to react and reply to."""
    with app.app_context():
        return make_story(status=Status.PUBLISHED).id


def _free_port() -> int:
    """A TCP port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _limited(database_uri: str, storage_uri: str = "memory://", **settings):
    """An app with rate limits on, counting in the given storage."""
    return make_test_app(
        database_uri, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage_uri, **settings
    )


def _warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- Every limit is a setting -------------------------------------------------------------------


@pytest.mark.parametrize("setting", LIMIT_SETTINGS)
def test_every_limit_setting_is_a_valid_flask_limiter_string(setting):
    assert parse_many(getattr(Config, setting)), setting


def _share_step(client, n: int, _story_id: int):
    return step(client, "check", valid_story(title=f"Step {n}"))


def _submit(client, n: int, _story_id: int):
    return step(client, "submit", valid_story(title=f"Story {n}"), start(client))


def _status_code(client, n: int, _story_id: int):
    return post_form(client, "/status", {"code": f"not-a-code-{n}"})


def _react(client, n: int, story_id: int):
    kind = ("hear", "me-too", "thanks")[n % 3]
    return post_form(
        client, f"/stories/{story_id}/reactions", {"kind": kind}, page=f"/stories/{story_id}"
    )


def _reply(client, n: int, story_id: int):
    page = client.get(f"/stories/{story_id}").get_data(as_text=True)
    token = page.split('name="form_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    return post_form(
        client,
        f"/stories/{story_id}/replies",
        {"body": f"I hear you, truly ({n}).", "form_token": token},
        page=f"/stories/{story_id}",
    )


@pytest.mark.parametrize(
    ("setting", "send"),
    [
        ("LIMIT_SHARE_STEPS", _share_step),
        ("LIMIT_SUBMIT", _submit),
        ("LIMIT_STATUS_CODE", _status_code),
        ("LIMIT_REACTION", _react),
        ("LIMIT_REPLY", _reply),
    ],
)
def test_each_limit_is_read_from_its_setting_at_request_time(
    app, database_uri, tags, story_id, setting, send
):
    limited = _limited(database_uri, **{setting: "50 per hour"})
    client = limited.test_client()
    first = [send(client, n, story_id).status_code for n in range(2)]
    assert all(code < 400 for code in first), first
    # Lowered while the app runs, the new value holds from the next POST (a new value is a new
    # counter, so two more go through and the third is refused).
    limited.config[setting] = "2 per hour"
    assert [send(client, n, story_id).status_code for n in range(2, 5)][2] == 429


def test_an_empty_limit_setting_turns_that_limit_off(app, database_uri):
    limited = _limited(database_uri, LIMIT_STATUS_CODE="")
    client = limited.test_client()
    codes = {_status_code(client, n, 0).status_code for n in range(12)}
    assert codes == {200}


@pytest.mark.parametrize(("enabled", "expected"), [("false", [200, 200]), ("true", [200, 429])])
def test_forum_ratelimit_enabled_switches_limits(app, database_uri, monkeypatch, enabled, expected):
    monkeypatch.setenv("FORUM_RATELIMIT_ENABLED", enabled)
    monkeypatch.setenv("FORUM_RATELIMIT_STORAGE_URI", "memory://")
    switched = make_test_app(database_uri, LIMIT_STATUS_CODE="1 per hour")
    assert switched.config["RATELIMIT_ENABLED"] is (enabled == "true")
    client = switched.test_client()
    assert [_status_code(client, n, 0).status_code for n in range(2)] == expected


# --- Redis unreachable --------------------------------------------------------------------------


def _share_with_a_check(client, title: str) -> list[int]:
    """A teller goes through check, preview and submit as a browser does; the statuses seen."""
    check = step(client, "check", valid_story(title=title, body=IDENTIFIERS))
    assert "Check before you share" in check.get_data(as_text=True)
    preview = carry(client, check, "preview")
    assert "Check your story" in preview.get_data(as_text=True)
    submitted = carry(client, preview, "submit")
    return [check.status_code, preview.status_code, submitted.status_code]


def _hammer_sign_in(client, address: str, times: int = 5) -> list[int]:
    token = csrf_token(client, "/login")
    return [
        client.post(
            "/login",
            data={"csrf_token": token, "handle": "nobody", "password": "wrong"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for _ in range(times)
    ]


def test_with_redis_unreachable_tellers_share_and_sign_in(
    app, database_uri, tags, monkeypatch, caplog
):
    """REDIS_URL at a closed port: every step works, limits count in memory, one warning."""
    caplog.set_level(logging.INFO, logger="flask-limiter")
    with app.app_context():
        make_user("heron")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{_free_port()}/5")
    offline = make_test_app(database_uri, RATELIMIT_ENABLED=True, LIMIT_SIGN_IN="3 per minute")
    assert offline.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    tellers = [offline.test_client() for _ in range(3)]
    statuses = []
    for n, client in enumerate(tellers):
        statuses += _share_with_a_check(client, f"Nobody listened, part {n}")
    assert statuses == [200, 200, 303] * 3
    member = offline.test_client()
    signed_in = sign_in(member, "heron", PASSWORD)
    assert signed_in.status_code == 303
    assert "Sign out" in member.get("/account").get_data(as_text=True)
    # The in-memory fallback still counts: the fourth attempt within a minute is refused.
    assert _hammer_sign_in(offline.test_client(), "198.51.100.7") == [200, 200, 200, 429, 429]
    assert story_count(app) == 3
    with app.app_context():
        titles = set(db.session.scalars(select(Story.title)))
    assert titles == {f"Nobody listened, part {n}" for n in range(3)}
    warnings = _warnings(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert FALLBACK_WARNING in warnings[0].getMessage()


# --- Redis dies mid-run and comes back ----------------------------------------------------------


class RedisServer:
    """A throwaway redis-server on a free port, with no persistence, started and stopped here."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/5"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        import redis

        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Kill the server, as a crash would, and wait for it to go."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def key_count(self) -> int:
        """How many keys the test's database holds."""
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).dbsize()


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own: required in CI, skipped elsewhere if not installed."""
    server = RedisServer(tmp_path)
    if server.binary is None:
        service_missing("redis-server is not installed: the Redis outage test needs it")
    pytest.importorskip("redis")
    server.start()
    yield server
    server.stop()


def test_counting_moves_to_memory_when_redis_dies_and_back_when_it_returns(
    app, database_uri, tags, redis_server, caplog
):
    caplog.set_level(logging.INFO, logger="flask-limiter")
    live = _limited(database_uri, redis_server.url, LIMIT_SIGN_IN="3 per minute")
    # Redis up: counters land in Redis.
    assert _hammer_sign_in(live.test_client(), "198.51.100.1", times=1) == [200]
    assert redis_server.key_count() > 0
    assert _warnings(caplog) == []

    # Redis dies: posting keeps working, counted in this process's memory.
    redis_server.stop()
    assert _share_with_a_check(live.test_client(), "Told while Redis was down") == [200, 200, 303]
    assert _hammer_sign_in(live.test_client(), "198.51.100.2") == [200, 200, 200, 429, 429]
    assert story_count(app) == 1
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and FALLBACK_WARNING in warnings[0].getMessage()

    # Redis returns, empty: within Flask-Limiter's retry pause the counters land in it again.
    redis_server.start()
    assert redis_server.key_count() == 0
    deadline = time.monotonic() + 20
    attempt = 0
    while redis_server.key_count() == 0:
        assert time.monotonic() < deadline, "the limiter never went back to Redis"
        attempt += 1
        address = f"203.0.113.{attempt}"  # a fresh client each time, so none is refused
        assert _hammer_sign_in(live.test_client(), address, times=1) == [200]
        time.sleep(0.2)
    assert _hammer_sign_in(live.test_client(), "198.51.100.3", times=4) == [200, 200, 200, 429]
    assert len(_warnings(caplog)) == 1
    assert any("recovered" in r.getMessage() for r in caplog.records)
    with app.app_context():
        assert db.session.scalar(select(func.count(Story.id))) == 1
