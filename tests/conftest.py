"""Test fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set TEST_DATABASE_URL to run every database test on PostgreSQL as well. In CI (CI=true) a
missing PostgreSQL, Redis or Chromium is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from functools import cache

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.config import normalise_database_url
from forum.db import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ENGINES = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
# Under pytest-xdist each worker ("gw0", "gw1", ...) gets a PostgreSQL database of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_pg_schema_ready = False


@cache
def postgresql_url() -> str:
    """This worker's PostgreSQL database, created next to TEST_DATABASE_URL's if needed."""
    url = make_url(normalise_database_url(TEST_DATABASE_URL))
    if not WORKER:
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{WORKER}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    """In CI, PostgreSQL is required: the suite must not quietly run on SQLite alone."""
    if IN_CI and not TEST_DATABASE_URL:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: PostgreSQL is required.")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which engines the database tests run on."""
    if TEST_DATABASE_URL:
        return ["database tests run on: SQLite and PostgreSQL (TEST_DATABASE_URL)"]
    return ["database tests run on: SQLite only (set TEST_DATABASE_URL to add PostgreSQL)"]


def service_missing(reason: str) -> None:
    """Fail in CI, skip with the reason on a laptop."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _reset_postgresql() -> None:
    global _pg_schema_ready
    if not _pg_schema_ready:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        _pg_schema_ready = True
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_test_app(database_uri: str, **overrides):
    """An app in testing mode against the given database.

    Its page cache is in its own memory unless a test passes CACHE_REDIS_URL (tests share one
    Redis, and each test's fresh database would otherwise meet another test's entries).
    """
    settings = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "CACHE_REDIS_URL": "",
    }
    return create_app({**settings, **overrides})


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """Which database engine this test runs on."""
    return request.param


@pytest.fixture
def database_uri(engine_name, tmp_path) -> str:
    """A fresh, empty database for one test."""
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'heard-test.sqlite3'}"
    return postgresql_url()


@pytest.fixture
def app(database_uri, engine_name):
    """The application with its own empty database. No context stays pushed: requests made
    through the test client each get their own, as in production."""
    application = make_test_app(database_uri)
    with application.app_context():
        if engine_name == "sqlite":
            db.create_all()
        else:
            _reset_postgresql()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for service tests that call services and query directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()
