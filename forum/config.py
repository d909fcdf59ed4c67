"""Settings: defaults here, overridden by FORUM_* environment variables.

`FORUM_ENV` picks the class: production (the default, so a careless deployment is strict),
development (what `make run` uses) or testing.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}


class ConfigError(RuntimeError):
    """Raised when the settings would make Heard unsafe to start."""


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = ""
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'heard.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # SQLite only: seconds a write waits for another writer's lock (SQLite's bounded backoff)
    # before the person gets the 503 page with their text kept. Steps that store nothing never wait.
    DATABASE_BUSY_TIMEOUT = 15
    # Room for a very long story in any script; anything bigger is refused with a kind page.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 200

    SESSION_COOKIE_NAME = "heard_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = 3600
    WTF_CSRF_SSL_STRICT = True

    # Signed-in sessions end after this long without a request, and this long after sign-in.
    SESSION_IDLE_MINUTES = 12 * 60
    SESSION_ABSOLUTE_DAYS = 14
    # A browser may act on a story it sent or opened with a status code for this long at most
    # (the session cookie's own lifetime); forgetting, the exit and signing out end it sooner.
    TELLER_ACCESS_DAYS = 14
    # The status code of a story just sent waits this long for /share/sent to show it once.
    SENT_CODE_MINUTES = 60

    # Password hashing: argon2id at OWASP ASVS 5.0 Appendix C parameters.
    ARGON2_MEMORY_KIB = 47104
    ARGON2_TIME_COST = 1
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 256
    RECOVERY_CODE_COUNT = 8

    # Rate limits (Flask-Limiter syntax: "10 per hour;30 per day"), counted per client by a keyed
    # hash, never a raw IP, and read at request time. FORUM_RATELIMIT_ENABLED=false turns them off.
    RATELIMIT_ENABLED = True
    # memory:// counts in each worker process on its own (N workers let through about N times a
    # limit); REDIS_URL sets a store shared by every worker and host.
    RATELIMIT_STORAGE_URI = "memory://"
    # If Redis stops answering, count in this process's memory (one warning in the log), and use
    # Redis again once it answers; posting never fails because Redis is down.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Redis client options: give up on a silent Redis in half a second, with no retries, so a
    # request waits at most that long before the in-memory fallback takes over.
    RATELIMIT_STORAGE_OPTIONS: dict = {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
        "retry": None,
    }
    RATELIMIT_HEADERS_ENABLED = False
    # Compressed responses (forum/assets.py): brotli, else gzip, for text over 500 bytes; never
    # a page that carries a CSRF token. A proxy that compresses can do it instead.
    COMPRESS_REGISTER = False
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "image/svg+xml",
        "text/csv",
    ]
    # The shared cache of what every reader sees (forum/caching.py): Redis at this URL (REDIS_URL
    # sets it), shared by every worker and host, or "" for each process's own memory. Entries
    # are dropped by a generation in the database, so this timeout only bounds their memory.
    CACHE_REDIS_URL = ""
    # "NullCache" turns the cache off (every page built from the database: `make bench`'s cold
    # rows); "" chooses Redis or memory as above.
    CACHE_TYPE = ""
    CACHE_KEY_PREFIX = "heard:"
    CACHE_DEFAULT_TIMEOUT = 300
    # As for the rate limits: a silent Redis costs a request a quarter of a second at most.
    CACHE_REDIS_OPTIONS: dict = {
        "socket_connect_timeout": 0.25,
        "socket_timeout": 0.25,
        "retry": None,
    }
    RATELIMIT_STRATEGY = "moving-window"
    LIMIT_SIGN_IN = "10 per minute;40 per hour"
    LIMIT_SIGN_UP = "5 per hour;20 per day"
    LIMIT_RECOVERY = "5 per 15 minutes;20 per day"
    # Every step of /share (edit, check, preview, submit) is a POST; only submit stores anything,
    # so it has its own, tighter limit on top.
    LIMIT_SHARE_STEPS = "60 per hour"
    LIMIT_SUBMIT = "10 per hour;30 per day"
    # Opening a story with its status code: guessing codes must be slow.
    LIMIT_STATUS_CODE = "10 per minute;50 per hour"
    LIMIT_REPLY = "20 per hour"
    LIMIT_REACTION = "30 per hour"

    # Hops of trusted reverse proxies in front of Heard; 0 means use the connection address.
    TRUSTED_PROXY_HOPS = 0
    # How long keyed client hashes can be linked: each UTC day's secret is deleted this long
    # after the day ends, and ban keys on posts are cleared after the same window.
    CLIENT_KEY_RETENTION_HOURS = 48
    # Withdrawn and rejected stories are deleted for good this long after they closed.
    CLOSED_STORY_RETENTION_DAYS = 30
    # A draft kept by "Save and come back later" on /share is deleted this long after it was
    # last saved (heard purge), unless its teller deletes it or sends the story sooner.
    DRAFT_RETENTION_DAYS = 14

    # Logs: "text" lines or "json" objects, one a line (forum/safety/logs.py). Either way they
    # carry a request id and never an address, user agent, query string or what someone wrote.
    LOG_FORMAT = "text"

    EXIT_URL = "https://www.bbc.co.uk/weather"
    # The public address, e.g. https://heard.example; used for absolute links in feeds.
    # Never taken from the Host header (SECURITY.md §2, CVE-2026-29199).
    SITE_URL = ""
    # Crisis lines shown before a reader picks a region (README): GB, IE, US, CA, AU or
    # "global", which lists a line to call or text in each of those (forum/pages/help.py).
    DEFAULT_REGION = "global"
    SITE_NAME = "Heard"

    # Moderation. Open reports (other than "may be at risk") that hide an item until a
    # moderator looks; reports one client may send; replies of members with this many
    # approved posts and no sanctions appear at once and are reviewed after (post-moderation).
    REPORTS_TO_HIDE = 3
    LIMIT_REPORT = "10 per hour;30 per day"
    TRUSTED_MEMBER_APPROVED_POSTS = 5
    REPLY_POST_MODERATION = True
    MODERATION_QUEUE_SIZE = 50
    # A moderator's claim on a queue item (a soft lock others see) lasts this long.
    MODERATION_CLAIM_MINUTES = 15

    # Insights and open data (forum/insights/suppression.py): counts under the threshold are
    # never shown, and shown counts are rounded to the step; the JSON API's limit per client.
    INSIGHTS_THRESHOLD = 10
    INSIGHTS_ROUND_TO = 5
    LIMIT_API = "120 per minute;2000 per hour"

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse settings that would be unsafe; subclasses tighten this."""
        if int(config["TRUSTED_PROXY_HOPS"]) < 0:
            raise ConfigError("FORUM_TRUSTED_PROXY_HOPS must be 0 or more.")


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, a secret kept in instance/."""

    ENV_NAME = "development"


class TestingConfig(Config):
    """The test suite: each test points SQLALCHEMY_DATABASE_URI at its own database."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-" + "x" * 32
    RATELIMIT_ENABLED = False
    EXIT_URL = "https://www.bbc.co.uk/weather"


class ProductionConfig(Config):
    """Production: secure cookies, and a real secret or no start at all."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-heard_session"

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse to start with a missing, default or short secret key."""
        super().check(config)
        key = config.get("SECRET_KEY") or ""
        if key.strip().lower() in DEFAULT_SECRET_KEYS or len(key) < 32:
            raise ConfigError(
                "Set FORUM_SECRET_KEY to a long random value (at least 32 characters), "
                "for example the output of: "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        if config.get("DEBUG"):
            raise ConfigError("Debug mode must be off in production.")


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _coerce(name: str, raw: str, current: object) -> object:
    """Turn an environment string into the type of the setting it overrides, or refuse it.

    A typo must not quietly flip a setting ("flase" read as off, "ture" as on), so a value
    that does not parse stops the start with a ConfigError naming the variable.
    """
    word = raw.strip()
    if isinstance(current, bool):
        if word.lower() in TRUE_WORDS:
            return True
        if word.lower() in FALSE_WORDS:
            return False
        raise ConfigError(
            f"{name} must be true or false (or 1/0, yes/no, on/off), not {_shown(raw)}."
        )
    try:
        if isinstance(current, int):
            return int(word)
        if isinstance(current, float):
            return float(word)
        if isinstance(current, timedelta):
            return timedelta(seconds=int(word))
        if isinstance(current, dict | list):
            value = json.loads(raw)
            if not isinstance(value, type(current)):
                raise ValueError(type(current).__name__)
            return value
    except ValueError:  # json.JSONDecodeError is a ValueError too
        raise ConfigError(f"{name} must be {_expected(current)}, not {_shown(raw)}.") from None
    return raw


def _expected(current: object) -> str:
    """What a setting of this type must look like, for the error message."""
    if isinstance(current, int):
        return "a whole number"
    if isinstance(current, float):
        return "a number"
    if isinstance(current, timedelta):
        return "a whole number of seconds"
    return f"a JSON {'object' if isinstance(current, dict) else 'array'}"


def _shown(raw: str) -> str:
    """The refused value, shortened so a long paste does not flood the log."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")


def environment_overrides(config: dict, environ: os._Environ | dict) -> dict:
    """Settings from FORUM_* variables (FORUM_SECRET_KEY -> SECRET_KEY), plus DATABASE_URL."""
    found: dict = {}
    for name, raw in environ.items():
        if name.startswith("FORUM_") and name != "FORUM_ENV":
            key = name.removeprefix("FORUM_")
            found[key] = _coerce(name, raw, config.get(key, ""))
    if environ.get("DATABASE_URL") and "SQLALCHEMY_DATABASE_URI" not in found:
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("REDIS_URL") and "RATELIMIT_STORAGE_URI" not in found:
        found["RATELIMIT_STORAGE_URI"] = environ["REDIS_URL"]
    if environ.get("REDIS_URL") and "CACHE_REDIS_URL" not in found:
        found["CACHE_REDIS_URL"] = environ["REDIS_URL"]
    return found


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def development_secret(instance: Path) -> str:
    """A random secret kept in instance/secret_key so local sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
