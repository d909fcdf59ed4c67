"""`heard backup`: a consistent, checked copy of the live SQLite database; pg_dump on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest
from flask_migrate import stamp
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from forum.db import db
from forum.operations import backup as backups
from forum.safety.client_key import secret_of_the_day
from forum.stories.models import Story
from forum.stories.services import submit_story
from tests.conftest import TEST_DATABASE_URL, make_test_app
from tests.factories import load_tags, make_draft, make_story

sqlite_only = pytest.mark.parametrize("engine_name", ["sqlite"])


@pytest.fixture
def live(app):
    """A database as `make run` leaves it: tags loaded, the migration version stamped."""
    with app.app_context():
        load_tags()
        stamp()
        db.session.remove()
    return app


def run_backup(app, *args: str):
    """Run the CLI command against the app's database."""
    return app.test_cli_runner().invoke(args=["heard", "backup", *args])


@sqlite_only
def test_a_backup_during_submits_keeps_every_acknowledged_story(live, tmp_path):
    acknowledged: list[tuple[float, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()

    def teller(name: str) -> None:
        with live.app_context():
            number = 0
            while not stop.is_set():
                number += 1
                title = f"{name} story {number}"
                try:
                    submit_story(None, make_draft(title=title), secrets.token_urlsafe(24))
                except BaseException as error:  # any failure is reported by the test below
                    failures.append(error)
                    return
                finally:
                    db.session.remove()
                with lock:
                    acknowledged.append((time.monotonic(), title))

    threads = [threading.Thread(target=teller, args=(f"teller {n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        while len(acknowledged) < 30 and not failures:
            time.sleep(0.01)
        with lock:
            started = time.monotonic()
            before = {title for _, title in acknowledged}
        result = run_backup(live, str(tmp_path / "copy.sqlite3"))
        finished = time.monotonic()
        # Keep the writers going a little after the backup, as a live site would.
        while not failures and not any(at > finished for at, _ in acknowledged):
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert failures == []
    assert result.exit_code == 0, result.output
    assert "Integrity check: ok" in result.output
    # Writers were never held up for long: stories kept arriving while the copy was made.
    assert any(at > started for at, _ in acknowledged)

    # Restore as the README says: copy the file back into place and open Heard on it.
    restored_file = tmp_path / "restored.sqlite3"
    shutil.copyfile(tmp_path / "copy.sqlite3", restored_file)
    restored = make_test_app(f"sqlite:///{restored_file}")
    with restored.app_context():
        titles = set(db.session.scalars(select(Story.title)))
        db.engine.dispose()
    assert before <= titles
    assert titles <= {title for _, title in acknowledged}
    assert f"{len(titles)} stories" in result.output


@sqlite_only
def test_the_report_says_what_was_written(live, tmp_path):
    with live.app_context():
        make_story(title="One")
        make_story(title="Two")
        db.session.remove()
    target = tmp_path / "nightly.sqlite3"

    result = run_backup(live, str(target))

    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    assert "2 stories" in result.output
    assert f"{target.stat().st_size / 1024:.1f} KB" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    copy.close()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nightly")]


@sqlite_only
def test_the_daily_client_key_secrets_are_left_out_of_the_copy(live, tmp_path):
    with live.app_context():
        secret = secret_of_the_day().hex()
        db.session.remove()
    target = tmp_path / "copy.sqlite3"

    result = run_backup(live, str(target))

    assert result.exit_code == 0, result.output
    assert "daily client-key secrets" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM day_secrets").fetchone() == (0,)
    copy.close()
    assert secret.encode() not in target.read_bytes()  # not even in a free page
    with live.app_context():
        assert secret_of_the_day().hex() == secret  # the live site keeps its own
        db.session.remove()


@sqlite_only
def test_an_existing_file_is_never_overwritten_unless_asked(live, tmp_path):
    target = tmp_path / "keep.sqlite3"
    target.write_bytes(b"an older backup")

    refused = run_backup(live, str(target))

    assert refused.exit_code == 1
    assert "already exists, so nothing was written" in refused.output
    assert "--overwrite" in refused.output
    assert target.read_bytes() == b"an older backup"

    replaced = run_backup(live, str(target), "--overwrite")

    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


@sqlite_only
def test_the_live_database_cannot_be_its_own_backup(live):
    live_file = live.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    before = open(live_file, "rb").read()  # noqa: SIM115 - read it whole

    result = run_backup(live, live_file, "--overwrite")

    assert result.exit_code == 1
    assert "live database itself" in result.output
    assert open(live_file, "rb").read() == before  # noqa: SIM115


@sqlite_only
def test_a_copy_without_a_migration_version_is_not_kept(app, tmp_path):
    # The app fixture builds tables with create_all and never stamps a version.
    target = tmp_path / "copy.sqlite3"

    result = run_backup(app, str(target))

    assert result.exit_code == 1
    assert "alembic_version" in result.output
    assert not target.exists()
    assert list(tmp_path.glob(".copy.sqlite3.*")) == []


@sqlite_only
def test_a_damaged_copy_fails_the_integrity_check(live, tmp_path, monkeypatch):
    def copy_then_damage(source, destination):
        original_copy(source, destination)
        # An index that no longer matches its table: PRAGMA integrity_check must notice.
        conn = sqlite3.connect(destination)
        conn.executescript(
            "CREATE TABLE damaged (a, b); INSERT INTO damaged VALUES (1, 9), (2, 8), (3, 7);"
            "CREATE INDEX damaged_a ON damaged (a); PRAGMA writable_schema=ON;"
            "UPDATE sqlite_master SET sql = 'CREATE INDEX damaged_a ON damaged (b)' "
            "WHERE name = 'damaged_a';"
        )
        conn.commit()
        conn.close()

    original_copy = backups._copy
    monkeypatch.setattr(backups, "_copy", copy_then_damage)
    target = tmp_path / "copy.sqlite3"

    result = run_backup(live, str(target))

    assert result.exit_code == 1
    assert "integrity check" in result.output
    assert not target.exists()


def test_postgresql_is_backed_up_with_pg_dump(tmp_path):
    uri = "postgresql+psycopg://heard:s3cret@db.internal:5433/heard"
    app = make_test_app(uri)

    result = run_backup(app, str(tmp_path / "heard.dump"))

    assert result.exit_code == 1
    assert "pg_dump" in result.output
    assert (
        f"pg_dump --format=custom --file={tmp_path / 'heard.dump'} "
        "--exclude-table-data=day_secrets --host=db.internal "
        "--port=5433 --username=heard heard"
    ) in result.output
    assert "s3cret" not in result.output
    assert not (tmp_path / "heard.dump").exists()


@pytest.mark.parametrize("engine_name", ["postgresql"] if TEST_DATABASE_URL else [])
def test_the_printed_pg_dump_command_makes_a_backup_pg_restore_brings_back(live, tmp_path):
    with live.app_context():
        kept = {make_story(title=f"Kept {n}").title for n in range(3)}
        secret_of_the_day()
        db.session.remove()
    uri = live.config["SQLALCHEMY_DATABASE_URI"]
    url = make_url(uri)
    dump = tmp_path / "heard.dump"
    printed = run_backup(live, str(dump)).output
    command = next(line.strip() for line in printed.splitlines() if line.startswith("  pg_dump "))
    environ = {**os.environ, "PGPASSWORD": url.password or ""}

    subprocess.run(shlex.split(command), check=True, env=environ, timeout=60)

    restored = f"heard_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{restored}"'))
    try:
        # The README's restore command, into an empty database.
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                f"--host={url.host}",
                f"--port={url.port or 5432}",
                f"--username={url.username}",
                f"--dbname={restored}",
                str(dump),
            ],
            check=True,
            env=environ,
            timeout=60,
        )
        back = make_test_app(url.set(database=restored).render_as_string(False))
        with back.app_context():
            titles = set(db.session.scalars(select(Story.title)))
            secrets_left = db.session.scalar(text("SELECT count(*) FROM day_secrets"))
            version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)'))
        admin.dispose()
    assert titles == kept
    assert secrets_left == 0
    assert version
