"""The declarative base, the shared `db` object, mixins, and SQLite's safety settings."""

from __future__ import annotations

import contextvars
import enum
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can follow on every engine."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# Every model subclasses `Model`. At run time it is `db.Model` (Flask-SQLAlchemy's copy of
# Base); a type checker cannot take a base class from an attribute (python/mypy#8603), so it
# checks the models against the typed declarative base they share.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def string_enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    """A portable enum column stored as its string values (no native enum type on PostgreSQL)."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class UTCDateTime(TypeDecorator):
    """A DateTime stored naive-UTC everywhere and always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    """created_at and updated_at columns kept by the database layer."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# Whether the current unit of work may write. Web requests that only read (GET, HEAD, OPTIONS)
# set it to False so SQLite readers run side by side; everything else takes the write lock up
# front with BEGIN IMMEDIATE, so a read-then-write never meets SQLITE_BUSY half-way (SQLite calls
# no busy handler when a reader asks for the write lock, it fails at once).
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Seconds a SQLite writer waits for the write lock (SQLite's own bounded backoff: sleeps of 1 ms
# growing to 100 ms, for this total) before the request gets the kind 503 page.
DEFAULT_BUSY_TIMEOUT = 15.0


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    """Per-connection SQLite settings for durability and integrity (SECURITY.md, finding 9)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's begin event issue BEGIN itself instead of pysqlite's late, implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA foreign_keys=ON",
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
    ):
        cursor.execute(pragma)
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn) -> None:
    """Begin SQLite transactions ourselves: IMMEDIATE when the work may write."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


@contextmanager
def intent(write: bool) -> Iterator[None]:
    """Run a block as a writing (or read-only) unit of work, whatever the request is."""
    token = write_intent.set(write)
    try:
        yield
    finally:
        write_intent.reset(token)


def reads_first(view: Callable) -> Callable:
    """Mark a view whose POSTs mostly store nothing (a check, a preview, a form error).

    Its POSTs begin read-only, so they never wait for another writer's lock; the view calls
    `start_writing()` right before the service that stores something.
    """
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def start_writing() -> None:
    """End this unit of work's read-only transaction, so the next one takes the write lock first.

    The service that writes then reads what it needs again inside its own transaction, so
    nothing read before the lock can be stale when it is written.
    """
    if write_intent.get():
        return
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("start_writing() must come before any change to the session")
    session.commit()  # nothing is pending: this only ends the read transaction
    write_intent.set(True)


def is_busy(error: BaseException) -> bool:
    """Whether a database error is SQLite's "database is locked" (SQLITE_BUSY or _LOCKED)."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and (
        getattr(original, "sqlite_errorcode", None) in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
        or "locked" in str(original)
    )


def commit_if_free() -> bool:
    """Commit a small optional write (a last-seen time) now, or drop it if the lock is taken.

    A read-only transaction cannot wait for the write lock, and a reader must never fail
    because of bookkeeping; whatever was pending is rolled back and tried on a later request.
    """
    try:
        db.session.commit()
    except OperationalError as error:
        if not is_busy(error):
            raise
        db.session.rollback()
        return False
    return True


def _busy_timeout(seconds: float) -> Callable:
    def set_busy_timeout(dbapi_connection, connection_record) -> None:
        if type(dbapi_connection).__module__ == "sqlite3":
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    return set_busy_timeout


def init_database(app) -> None:
    """Per-request transaction modes, and how long SQLite writers wait for the lock."""
    from flask import request

    seconds = float(app.config.get("DATABASE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", _busy_timeout(seconds))

    @app.before_request
    def _set_write_intent() -> None:
        view = app.view_functions.get(request.endpoint or "")
        write_intent.set(
            request.method not in SAFE_METHODS and not getattr(view, "reads_first", False)
        )

    @app.teardown_request
    def _reset_write_intent(_error=None) -> None:
        write_intent.set(True)
