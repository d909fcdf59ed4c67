"""Test fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set TEST_DATABASE_URL to run every database test on PostgreSQL as well. In CI (CI=true) a
missing PostgreSQL, Redis or Chromium is a failure, never a silent skip.

Every test starts from an empty schema, made cheaply: on SQLite each worker builds the schema
once (create_all, search objects included) into a template file that each test copies; on
PostgreSQL each worker creates the schema once and each test empties every table with DELETE
and restarts the sequences (the same end state as TRUNCATE ... RESTART IDENTITY, in a few
milliseconds where TRUNCATE of every table takes hundreds).
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule

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


def _reuse_url_builders() -> None:
    """Most of create_app's time (which every test pays) is werkzeug generating and compiling
    the Python code of each route's URL builder, the same code for every app. A builder
    depends only on the rule's parsed parts, its defaults and whether it appends unknown
    arguments (it reaches the app's converters through the rule it is bound to), so each
    distinct one is compiled once per worker and reused."""
    compile_builder = Rule._compile_builder
    built: dict[tuple, object] = {}

    def reused(self: Rule, append_unknown: bool = True):
        defaults = sorted(
            (name, repr(value), type(self._converters.get(name)).__name__)
            for name, value in (self.defaults or {}).items()
        )
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = reused  # type: ignore[method-assign]


_reuse_url_builders()


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


@cache
def _postgresql_emptying() -> str:
    """One statement that empties every table (children first; the search index follows its
    stories by ON DELETE CASCADE) and restarts every sequence that was used."""
    # Only the models' own table names are formatted in, never a value.
    tables = reversed(db.metadata.sorted_tables)
    deletes = " ".join(f'DELETE FROM "{t.name}";' for t in tables)  # noqa: S608
    return (
        f"DO $$ DECLARE used record; BEGIN {deletes} "  # noqa: S608
        "FOR used IN SELECT schemaname, sequencename FROM pg_sequences "
        "WHERE last_value IS NOT NULL LOOP "
        "EXECUTE format('ALTER SEQUENCE %I.%I RESTART', used.schemaname, used.sequencename); "
        "END LOOP; END $$"
    )


def _reset_postgresql() -> None:
    global _pg_schema_ready
    if not _pg_schema_ready:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        _pg_schema_ready = True
    with db.engine.begin() as conn:
        conn.execute(text(_postgresql_emptying()))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """This worker's empty SQLite schema, built once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("schema") / "heard-template.sqlite3"
    application = make_test_app(f"sqlite:///{path}")
    with application.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection to close folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


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
def database_uri(engine_name, tmp_path, sqlite_template) -> str:
    """A fresh database with the empty schema, for one test (on PostgreSQL the app fixture
    empties it)."""
    if engine_name == "sqlite":
        path = tmp_path / "heard-test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    return postgresql_url()


@pytest.fixture
def app(database_uri, engine_name):
    """The application with its own empty database. No context stays pushed: requests made
    through the test client each get their own, as in production."""
    application = make_test_app(database_uri)
    if engine_name == "postgresql":
        with application.app_context():
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
