"""Settings: environment overrides, production refusals, cookie and size limits."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigError, environment_overrides, normalise_database_url


def test_forum_variables_override_settings_with_their_types():
    found = environment_overrides(
        {"SESSION_IDLE_MINUTES": 720, "EXIT_URL": "x", "RATELIMIT_ENABLED": True},
        {"FORUM_SESSION_IDLE_MINUTES": "30", "FORUM_EXIT_URL": "https://example.org/",
         "FORUM_RATELIMIT_ENABLED": "false", "FORUM_ENV": "production", "OTHER": "1"},
    )  # fmt: skip
    assert found == {
        "SESSION_IDLE_MINUTES": 30,
        "EXIT_URL": "https://example.org/",
        "RATELIMIT_ENABLED": False,
    }


def test_database_url_selects_postgresql_with_psycopg():
    found = environment_overrides({}, {"DATABASE_URL": "postgres://u@db.internal/heard"})
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/heard"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redis_url_becomes_the_rate_limit_storage():
    found = environment_overrides({}, {"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert found["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "too-short-but-random"])
def test_production_refuses_a_missing_or_default_secret(monkeypatch, tmp_path, secret):
    monkeypatch.delenv("FORUM_SECRET_KEY", raising=False)
    overrides = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"}
    if secret is not None:
        overrides["SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="FORUM_SECRET_KEY"):
        create_app(overrides)


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigError, match="Debug"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 40, "DEBUG": True,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})  # fmt: skip


def test_production_cookies_are_secure_and_host_prefixed(tmp_path):
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.debug is False


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="FORUM_ENV"):
        create_app({"ENV_NAME": "staging"})


def test_request_bodies_are_capped(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024


def test_request_bodies_over_the_cap_are_refused_kindly(client):
    response = client.post(
        "/signup",
        data={"handle": "heron", "file": (__import__("io").BytesIO(b"x" * 1_100_000), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
