"""SQLite durability settings and transaction modes (SECURITY.md, finding 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from forum.db import db

# These settings are SQLite's own: run them on SQLite only, whatever TEST_DATABASE_URL says.
sqlite_only = pytest.mark.parametrize("engine_name", ["sqlite"])


@sqlite_only
def test_sqlite_connections_are_safe(ctx):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000  # DATABASE_BUSY_TIMEOUT


def _begins(app, fn) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


@sqlite_only
def test_posts_begin_immediate_and_pages_begin_deferred(app, client):
    from tests.factories import make_user
    from tests.web import csrf_token

    with app.app_context():
        make_user("heron")
    token = csrf_token(client, "/login")
    login = _begins(
        app,
        lambda: client.post(
            "/login", data={"csrf_token": token, "handle": "heron", "password": "wrong one here"}
        ),
    )
    assert login and set(login) == {"BEGIN IMMEDIATE"}
    page = _begins(app, lambda: client.get("/account"))
    assert "BEGIN IMMEDIATE" not in page


@sqlite_only
def test_a_second_writer_waits_instead_of_failing(ctx):
    """With BEGIN IMMEDIATE a writer holds the lock from the start; another writer waits
    for busy_timeout rather than reading a stale snapshot and failing half-way."""
    db.session.execute(text("CREATE TABLE IF NOT EXISTS probe (n INTEGER)"))
    db.session.commit()
    first = db.engine.connect()
    first.begin()
    first.execute(text("INSERT INTO probe VALUES (1)"))
    second = db.engine.connect()
    second.connection.driver_connection.execute("PRAGMA busy_timeout=100")
    with pytest.raises(Exception, match="locked"):
        second.begin()
    first.commit()
    first.close()
    second.close()


def test_foreign_keys_are_enforced(ctx):
    from forum.accounts.models import RecoveryCode

    db.session.add(RecoveryCode(user_id=424242, code_hash="x" * 64))
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        db.session.commit()
    db.session.rollback()


@sqlite_only
def test_share_steps_that_store_nothing_begin_deferred_and_submit_takes_the_lock(app, client):
    from tests.factories import load_tags
    from tests.sharing.flow import carry, start, step, valid_story

    with app.app_context():
        load_tags()
    tokens = start(client)
    preview = None

    def read_steps():
        nonlocal preview
        step(client, "check", valid_story(), tokens)
        step(client, "preview", valid_story(title=""), tokens)  # a form error
        preview = step(client, "preview", valid_story(), tokens)

    reads = _begins(app, read_steps)
    assert reads and "BEGIN IMMEDIATE" not in reads
    submit = _begins(app, lambda: carry(client, preview, "submit"))
    assert "BEGIN IMMEDIATE" in submit


@sqlite_only
def test_start_writing_refuses_to_drop_pending_changes(ctx):
    from forum.accounts.models import User
    from forum.db import intent, start_writing

    with intent(write=False):
        db.session.add(User(handle="kite", handle_key="kite", password_hash="x"))
        with pytest.raises(RuntimeError):
            start_writing()
        db.session.rollback()
