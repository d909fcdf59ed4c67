"""Backups of the SQLite database, taken while the site runs; PostgreSQL uses pg_dump.

The copy is made with SQLite's online backup API in one step, so it is one consistent snapshot
(WAL mode lets writers go on meanwhile), written to a temporary file beside the target, checked
(integrity, schema, migration version), flushed to disk and only then renamed into place: a
failed backup never leaves a half-written file under the name asked for.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from forum.errors import DomainError, Invalid

# How long the backup waits for a writer's lock on the live file before giving up, in ms.
BUSY_TIMEOUT_MS = 15_000
# Tables whose rows a backup leaves out. Each day's client-key secret is deleted 48 hours after
# the day (forum/safety/client_key.py) so that nobody can link a keyed hash back to an address;
# a backup kept for weeks must not undo that. A restored site simply makes a new secret.
LEFT_OUT = ("day_secrets",)


class BackupFailed(DomainError):
    """The copy was made but did not pass its checks; nothing was left at the target."""

    status = 500


class UsePgDump(DomainError):
    """The database is PostgreSQL: its own tools make the backup. `command` says how."""

    def __init__(self, message: str, command: str) -> None:
        super().__init__(message)
        self.command = command


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote, for the operator."""

    path: Path
    size_bytes: int
    stories: int
    alembic_version: str
    finished_at: datetime
    seconds: float

    def summary(self) -> str:
        """One calm paragraph saying what was written."""
        return (
            f"Wrote {self.path} ({_size(self.size_bytes)}, {self.stories} stories, "
            f"schema {self.alembic_version}) at {self.finished_at:%Y-%m-%d %H:%M:%S} UTC "
            f"in {self.seconds:.2f} s. Integrity check: ok. "
            "Left out on purpose: the daily client-key secrets."
        )


def _size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def pg_dump_command(database_uri: str, target: Path | str) -> str:
    """The pg_dump command (custom format) for this database, without its password."""
    url = make_url(database_uri)
    parts = ["pg_dump", "--format=custom", f"--file={target}"]
    parts += [f"--exclude-table-data={table}" for table in LEFT_OUT]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "heard")
    return shlex.join(parts)


def sqlite_file(database_uri: str) -> Path:
    """The file of a SQLite database URI; refuses other engines and in-memory databases."""
    url = make_url(database_uri)
    if url.get_backend_name() == "postgresql":
        raise UsePgDump(
            "This database is PostgreSQL: back it up with pg_dump (custom format), "
            "then restore with pg_restore. The README's 'Backup and restore' section says more.",
            command="",
        )
    if url.get_backend_name() != "sqlite":
        raise Invalid(f"Backups are made for SQLite and PostgreSQL, not {url.get_backend_name()}.")
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory"):
        raise Invalid("This SQLite database lives in memory only: there is no file to back up.")
    return Path(url.database)


def backup_database(
    database_uri: str,
    target: Path,
    *,
    tables: Iterable[str],
    overwrite: bool = False,
) -> BackupReport:
    """Copy the live database to `target`, check the copy, and report what was written.

    `tables` are the tables the copy must contain (the application's models).
    """
    try:
        source = sqlite_file(database_uri)
    except UsePgDump as error:
        raise UsePgDump(error.message, pg_dump_command(database_uri, target)) from None
    target = Path(target)
    if not source.exists():
        raise Invalid(f"There is no database at {source} to back up.")
    if target.exists() and not overwrite:
        raise Invalid(
            f"{target} already exists, so nothing was written. Choose another name, "
            "or pass --overwrite to replace it."
        )
    if target.exists() and target.resolve() == source.resolve():
        raise Invalid("That is the live database itself. Choose a path for the copy.")
    if target.is_dir():
        raise Invalid(f"{target} is a folder. Give the name of the file to write.")
    if not target.parent.is_dir():
        raise Invalid(f"The folder {target.parent} does not exist.")

    started = time.perf_counter()
    handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(partial_name)
    try:
        _copy(source, partial)
        version, stories = _check(partial, set(tables))
        _flush(partial)
        os.replace(partial, target)
        _flush_folder(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(
        path=target,
        size_bytes=target.stat().st_size,
        stories=stories,
        alembic_version=version,
        finished_at=datetime.now(UTC),
        seconds=time.perf_counter() - started,
    )


def _copy(source: Path, destination: Path) -> None:
    """One-step online backup: a single read transaction, so one consistent snapshot.

    A page-by-page backup restarts whenever another connection writes, and on a busy site it
    might never finish; copying every page in one step reads one snapshot while WAL lets
    writers carry on.
    """
    live = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(destination)
    try:
        live.backup(copy, pages=-1)
        # A plain rollback-journal file: the copy is one self-contained file, whatever the
        # live database's journal mode. Heard switches it back to WAL when it opens it.
        copy.execute("PRAGMA journal_mode=DELETE")
        # secure_delete overwrites the removed rows, so they are not left in free pages.
        copy.execute("PRAGMA secure_delete=ON")
        present = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        for table in LEFT_OUT:
            if table in present:
                copy.execute(f'DELETE FROM "{table}"')  # noqa: S608 - a constant name
        copy.commit()
    finally:
        copy.close()
        live.close()


def _check(path: Path, tables: set[str]) -> tuple[str, int]:
    """Integrity, tables and migration version of a copy; returns (version, stories)."""
    copy = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return _checked(copy, tables)
    except sqlite3.DatabaseError as error:
        raise BackupFailed(
            f"The copy could not be read back ({error}), so it was not kept."
        ) from None
    finally:
        copy.close()


def _checked(copy: sqlite3.Connection, tables: set[str]) -> tuple[str, int]:
    problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupFailed(
            "The copy did not pass SQLite's integrity check, so it was not kept: "
            + "; ".join(problems[:5])
        )
    found = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in found:
        raise BackupFailed(
            "The copy has no alembic_version table, so it was not kept. Is this database "
            "managed by `flask --app wsgi db upgrade`?"
        )
    missing = sorted(tables - found)
    if missing:
        raise BackupFailed(
            "The copy is missing tables, so it was not kept: " + ", ".join(missing[:10])
        )
    version = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None:
        raise BackupFailed("The copy records no migration version, so it was not kept.")
    stories = 0
    if "stories" in found:
        stories = copy.execute("SELECT count(*) FROM stories").fetchone()[0]
    return version[0], int(stories)


def _flush(path: Path) -> None:
    """Make the copy durable before it takes the target's name."""
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _flush_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
