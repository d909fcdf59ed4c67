"""Settings: environment overrides, production refusals, cookie and size limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum import create_app
from forum.config import CONFIGS, Config, ConfigError, environment_overrides, normalise_database_url


def test_forum_variables_override_settings_with_their_types():
    found = environment_overrides(
        {"SESSION_IDLE_MINUTES": 720, "EXIT_URL": "x", "RATELIMIT_ENABLED": True},
        {
            "FORUM_SESSION_IDLE_MINUTES": "30",
            "FORUM_EXIT_URL": "https://example.org/",
            "FORUM_RATELIMIT_ENABLED": "false",
            "FORUM_ENV": "production",
            "OTHER": "1",
        },
    )
    assert found == {
        "SESSION_IDLE_MINUTES": 30,
        "EXIT_URL": "https://example.org/",
        "RATELIMIT_ENABLED": False,
    }


def test_database_url_selects_postgresql_with_psycopg():
    found = environment_overrides({}, {"DATABASE_URL": "postgres://u@db.internal/heard"})
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/heard"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redis_url_becomes_the_rate_limit_storage_and_the_page_cache():
    found = environment_overrides({}, {"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert found["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert found["CACHE_REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_the_page_cache_is_redis_with_a_url_and_memory_without(app, database_uri):
    from flask_caching.backends import RedisCache, SimpleCache

    from forum.caching import cache
    from tests.conftest import make_test_app

    shared = make_test_app(database_uri, CACHE_REDIS_URL="redis://127.0.0.1:6379/3")
    for application, kind in ((app, SimpleCache), (shared, RedisCache)):
        with application.app_context():
            assert isinstance(cache.cache, kind)


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
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "k" * 40,
                "DEBUG": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            }
        )


def test_production_cookies_are_secure_and_host_prefixed(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
        }
    )
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


# --- Typed environment values ---------------------------------------------------------------------

CONFIG_CLASSES = (Config, *CONFIGS.values())


def _settings_of_type(kind: type, but_not: type | None = None) -> list[str]:
    """Every setting of this type in any config class, so a new one is covered automatically."""
    return sorted(
        {
            name
            for cls in CONFIG_CLASSES
            for name in dir(cls)
            if name.isupper()
            and isinstance(getattr(cls, name), kind)
            and not (but_not and isinstance(getattr(cls, name), but_not))
        }
    )


BOOLEAN_SETTINGS = _settings_of_type(bool)
INTEGER_SETTINGS = _settings_of_type(int, but_not=bool)
SPELLINGS = {
    True: ["true", "TRUE", " True ", "1", "yes", "Yes", "on", "ON\t"],
    False: ["false", "FALSE", " False\n", "0", "no", "NO", "off", " Off "],
}


def test_the_generated_lists_hold_the_known_settings():
    assert {"RATELIMIT_ENABLED", "REPLY_POST_MODERATION", "SESSION_COOKIE_SECURE"} <= set(
        BOOLEAN_SETTINGS
    )
    assert {"TRUSTED_PROXY_HOPS", "REPORTS_TO_HIDE"} <= set(INTEGER_SETTINGS)


@pytest.mark.parametrize("setting", BOOLEAN_SETTINGS)
def test_each_boolean_setting_accepts_the_usual_spellings(setting):
    for expected, spellings in SPELLINGS.items():
        for raw in spellings:
            found = environment_overrides({setting: not expected}, {f"FORUM_{setting}": raw})
            assert found == {setting: expected}, (setting, raw)


@pytest.mark.parametrize("setting", BOOLEAN_SETTINGS)
@pytest.mark.parametrize("raw", ["", "  ", "maybe", "flase", "enabled", "2", "true!"])
def test_each_boolean_setting_refuses_anything_else_naming_the_variable(setting, raw):
    with pytest.raises(ConfigError, match=f"FORUM_{setting} must be true or false"):
        environment_overrides({setting: True}, {f"FORUM_{setting}": raw})


@pytest.mark.parametrize("setting", INTEGER_SETTINGS)
def test_each_integer_setting_parses_or_is_refused_naming_the_variable(setting):
    assert environment_overrides({setting: 1}, {f"FORUM_{setting}": " 30 "}) == {setting: 30}
    for raw in ("", "ten", "3.5", "1e3", "30s"):
        with pytest.raises(ConfigError, match=f"FORUM_{setting} must be a whole number"):
            environment_overrides({setting: 1}, {f"FORUM_{setting}": raw})


def test_json_and_duration_settings_are_refused_when_they_do_not_parse():
    with pytest.raises(ConfigError, match="FORUM_RATELIMIT_STORAGE_OPTIONS must be a JSON object"):
        environment_overrides(
            {"RATELIMIT_STORAGE_OPTIONS": {}}, {"FORUM_RATELIMIT_STORAGE_OPTIONS": "[1]"}
        )
    with pytest.raises(ConfigError, match="FORUM_PERMANENT_SESSION_LIFETIME must be a whole"):
        environment_overrides(
            {"PERMANENT_SESSION_LIFETIME": timedelta(days=1)},
            {"FORUM_PERMANENT_SESSION_LIFETIME": "a fortnight"},
        )


def test_a_mistyped_boolean_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_RATELIMIT_ENABLED", "flase")
    with pytest.raises(ConfigError, match="FORUM_RATELIMIT_ENABLED must be true or false"):
        create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db"})


def test_rate_limits_are_on_by_default_and_off_with_forum_ratelimit_enabled_false(
    monkeypatch, tmp_path
):
    uri = f"sqlite:///{tmp_path}/c.db"
    production = {"ENV_NAME": "production", "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": uri}
    monkeypatch.delenv("FORUM_RATELIMIT_ENABLED", raising=False)
    assert create_app(production).config["RATELIMIT_ENABLED"] is True
    monkeypatch.setenv("FORUM_RATELIMIT_ENABLED", "false")
    assert create_app(production).config["RATELIMIT_ENABLED"] is False
