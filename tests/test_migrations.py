"""The committed migrations build, from empty, exactly the schema the models describe."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from forum.config import normalise_database_url
from forum.db import db
from forum.search.schema import is_search_object
from tests.conftest import TEST_DATABASE_URL, make_test_app


@pytest.fixture
def empty_database(engine_name, tmp_path):
    """A database with nothing in it at all, on this test's engine."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"heard_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_from_empty_match_the_models(empty_database):
    app = make_test_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": _not_search})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
            search_objects = _search_objects(conn)
        db.engine.dispose()
    assert diff == []
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
    # The search index, which the models do not describe, is there exactly as create_all
    # makes it: a later batch migration that rebuilt stories would have dropped its triggers.
    assert search_objects == _created_search_objects(empty_database)
    assert "story_search" in tables


def _not_search(name, type_, parent_names):
    return not (type_ == "table" and is_search_object(name))


def _search_objects(conn) -> set[tuple[str, str]]:
    """The search index's tables, triggers and functions, with their definitions."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text("SELECT type, name FROM sqlite_master WHERE name LIKE 'story_search%'")
        )
        return {tuple(row) for row in rows}
    triggers = conn.execute(
        text(
            "SELECT 'trigger', pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE 'story_search%'"
        )
    )
    functions = conn.execute(
        text(
            "SELECT 'function', pg_get_functiondef(oid) FROM pg_proc "
            "WHERE proname LIKE 'story_search%'"
        )
    )
    indexes = conn.execute(
        text("SELECT 'index', indexdef FROM pg_indexes WHERE tablename = 'story_search'")
    )
    return {tuple(row) for result in (triggers, functions, indexes) for row in result}


def _created_search_objects(migrated_url: str) -> set[tuple[str, str]]:
    """The search objects create_all makes, in a database of its own beside the migrated one."""
    url = make_url(migrated_url)
    if url.get_backend_name() == "sqlite":
        other = url.set(database=url.database.replace(".sqlite3", "-created.sqlite3"))
    else:
        other = url.set(database=f"{url.database}_created")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{other.database}"'))
    try:
        app = make_test_app(other.render_as_string(hide_password=False))
        with app.app_context():
            db.create_all()
            with db.engine.connect() as conn:
                found = _search_objects(conn)
            db.engine.dispose()
        return found
    finally:
        if url.get_backend_name() != "sqlite":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{other.database}" WITH (FORCE)'))
            admin.dispose()


def test_migrations_downgrade_to_empty_and_upgrade_again(empty_database):
    app = make_test_app(empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
