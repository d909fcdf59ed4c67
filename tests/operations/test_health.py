"""GET /healthz: 200 while the database answers, 503 when it does not; Redis is only reported."""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import make_test_app, postgresql_url, service_missing

HEALTHY = {"status": "ok", "database": "ok", "redis": "not configured"}


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_database(engine_name: str, tmp_path) -> str:
    """A database URI on this engine that cannot be opened."""
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'heard.sqlite3'}"
    return make_url(postgresql_url()).set(port=closed_port()).render_as_string(False)


def assert_plain_health_response(response) -> None:
    """What every answer carries: JSON, never cached, no cookie."""
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_a_healthy_site_answers_200(app):
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"  # whatever REDIS_URL says

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == HEALTHY
    assert_plain_health_response(response)


def test_an_unreachable_database_answers_503_without_details(engine_name, tmp_path):
    uri = unreachable_database(engine_name, tmp_path)
    app = make_test_app(uri, RATELIMIT_STORAGE_URI="memory://")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "unavailable",
        "redis": "not configured",
    }
    assert response.headers["Retry-After"] == "30"
    assert_plain_health_response(response)
    url = make_url(uri)
    for detail in (url.host, url.database, "OperationalError", "sqlite", "psycopg"):
        assert not detail or detail not in response.get_data(as_text=True)


def test_a_database_that_goes_away_turns_the_answer_to_503(client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from forum.db import db

    assert client.get("/healthz").status_code == 200
    with app.app_context():
        engine = db.engine

    def refuse(*args, **kwargs):
        raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(engine, "connect", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_a_new_empty_database_file_is_not_healthy(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_redis_down_is_reported_but_the_site_is_healthy(app, database_uri):
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{closed_port()}/6"

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "unavailable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)


@pytest.mark.redis
def test_a_reachable_redis_is_reported_ok(app):
    import redis

    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = make_url(base).set(database="6").render_as_string(False)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis at {base} is not reachable")
    app.config["RATELIMIT_STORAGE_URI"] = url

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_checks_are_never_rate_limited(database_uri, app):
    limited = make_test_app(database_uri, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = limited.test_client()

    answers = [client.get("/healthz").status_code for _ in range(6)]

    assert answers == [200] * 6
    assert client.get("/about").status_code == 200
    assert client.get("/about").status_code == 200
    assert client.get("/about").status_code == 429
