"""The declarative base, the shared `db` object, mixins, and SQLite's safety settings."""

from __future__ import annotations

import contextvars
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(db.TypeDecorator):
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
# front with BEGIN IMMEDIATE, so a read-then-write never meets SQLITE_BUSY half-way.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


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
        "PRAGMA busy_timeout=5000",
        "PRAGMA synchronous=FULL",
    ):
        cursor.execute(pragma)
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn) -> None:
    """Begin SQLite transactions ourselves: IMMEDIATE when the work may write."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def init_write_intent(app) -> None:
    """Mark requests with safe methods as read-only units of work for SQLite."""
    from flask import request

    @app.before_request
    def _set_write_intent() -> None:
        write_intent.set(request.method not in {"GET", "HEAD", "OPTIONS"})

    @app.teardown_request
    def _reset_write_intent(_error=None) -> None:
        write_intent.set(True)
