"""Shared caches of what every reader sees, kept right by a generation in the database.

What is cached is data or rendered fragments that are the same for everyone (story cards, tag
counts, a story's text and replies, feeds): CSRF tokens, a reader's hidden tags and mutes and a
member's controls are added around them on each request. A reader page's whole body is kept
only for readers with nothing personal in their session, with their tokens filled in on each
response (`shared_page`). Every key holds
the *content generation*, one row of `cache_generations` read once per request. Whatever
changes what readers could see (a story's or reply's status, an edit, a reaction, a tag's name)
calls `content_changed()`, which writes a new random generation in the same transaction as the
change: the next request after the commit, on any worker or host, reads the new generation and
so misses every older entry. Correctness never depends on the cache being reachable, or on a
hook after the commit: if Redis fails, pages are built from the database (one warning, and
Redis is tried again after a pause).

The store is Redis when CACHE_REDIS_URL is set (REDIS_URL sets it), else this process's memory.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, String, Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from forum.db import Model, db

log = logging.getLogger(__name__)

T = TypeVar("T")
CONTENT = "content"
_SESSION_FLAG = "heard_content_changed"
_G_GENERATION = "heard_cache_generation"
# After a fault of the store, build pages from the database for this long before trying again.
RETRY_AFTER_SECONDS = 5.0

cache = Cache()


class CacheGeneration(Model):
    """The current generation of one scope of cached content (one row: "content")."""

    __tablename__ = "cache_generations"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


def init_cache(app: Flask) -> None:
    """Bind Flask-Caching: Redis when CACHE_REDIS_URL is set, this process's memory otherwise."""
    url = app.config.get("CACHE_REDIS_URL") or ""
    settings: dict = {"CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"]}
    if app.config.get("CACHE_TYPE") == "NullCache":
        settings |= {"CACHE_TYPE": "NullCache"}
    elif url.startswith(("redis://", "rediss://")):
        settings |= {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_OPTIONS": dict(app.config["CACHE_REDIS_OPTIONS"]),
        }
    else:
        settings |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config=settings)
    app.extensions["heard_cache_paused_until"] = 0.0
    # A request reads the generation afresh, even inside an app context kept across requests.
    app.before_request(lambda: g.pop(_G_GENERATION, None))


def content_changed() -> None:
    """Mark everything readers see as changed; written with the caller's transaction.

    The new generation is written just before that transaction commits (one statement, taken
    last so it never holds a lock while the change takes others), and never if it rolls back.
    """
    db.session.info[_SESSION_FLAG] = True


@event.listens_for(Session, "before_commit")
def _write_generation(session: Session) -> None:
    if not session.info.pop(_SESSION_FLAG, False):
        return
    table = CacheGeneration.__table__
    assert isinstance(table, Table)
    value = secrets.randbits(62)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(scope=CONTENT, value=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=[table.c.scope], set_={"value": value})
    )
    if has_app_context():
        g.pop(_G_GENERATION, None)  # this request reads the new generation from now on


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop(_SESSION_FLAG, None)


def generation() -> int:
    """The content generation, read once per request (0 before anything has changed)."""
    if _G_GENERATION not in g:
        found = db.session.scalar(
            select(CacheGeneration.value).where(CacheGeneration.scope == CONTENT)
        )
        setattr(g, _G_GENERATION, found or 0)
    return getattr(g, _G_GENERATION)


def _paused() -> bool:
    return time.monotonic() < current_app.extensions["heard_cache_paused_until"]


def _fault(what: str) -> None:
    """The store failed: build from the database for a while, and say so once."""
    if not _paused():
        log.warning("The page cache is unavailable (%s); pages are built from the database", what)
    current_app.extensions["heard_cache_paused_until"] = time.monotonic() + RETRY_AFTER_SECONDS


def remember(
    name: str, parts: tuple, build: Callable[[], T], keep: Callable[[], bool] | None = None
) -> T:
    """The cached value for (name, parts) at the current generation, built and kept if missing.

    `parts` must hold everything the value depends on (filters, cursors, a reader's hidden tags
    if they shape it); `build` must return something picklable and never None. `keep`, asked
    after a build, can say that this value must not be kept.
    """
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{name}:{generation()}:{digest}"
    if not _paused():
        try:
            found = cache.get(key)
        except Exception as error:  # any fault of the store: no cache, never a 500
            _fault(type(error).__name__)
        else:
            if found is not None:
                return found
    value = build()
    if (keep is None or keep()) and not _paused():
        try:
            cache.set(key, value)
        except Exception as error:  # as above
            _fault(type(error).__name__)
    return value


# Session keys that say nothing of who a reader is or what they chose (Flask-WTF's CSRF secret):
# a page asked for with only these is the same for everyone who asks for it.
IMPERSONAL_SESSION_KEYS = frozenset({"csrf_token"})
# While a shared page is built, a reader's own values in it are placeholders: this process's
# random mark, then "csrf" or a number, then "x". Each response fills in values of its own.
_MARK = "heard" + secrets.token_hex(12)
_PLACEHOLDER = re.compile(rf"{_MARK}(csrf|[0-9]+)x".encode())
_BUILDING = "heard_shared_page_tokens"
# Flask-WTF keeps a request's CSRF token in g.csrf_token and hands that out when it is set.
_CSRF = "csrf_token"


def one_time_token() -> str:
    """A one-time form token (so a double submit makes one post): random, or, while a shared
    page is being built, a placeholder that every response fills with a token of its own."""
    numbers = g.get(_BUILDING)
    if numbers is not None:
        return f"{_MARK}{next(numbers)}x"
    return secrets.token_urlsafe(32)


def _filled(body: bytes) -> bytes:
    """The body with this reader's own CSRF token and fresh one-time tokens in place."""
    if _MARK.encode() not in body:
        return body
    tokens: dict[bytes, bytes] = {}

    def token(match: re.Match) -> bytes:
        if match[1] not in tokens:
            tokens[match[1]] = (
                generate_csrf() if match[1] == b"csrf" else secrets.token_urlsafe(32)
            ).encode()
        return tokens[match[1]]

    return _PLACEHOLDER.sub(token, body)


def shared_page(view: Callable) -> Callable:
    """Keep a reader page's whole body for readers with nothing personal in their session (no
    account, no hidden tags or mutes, no region, no story of their own), under the content
    generation like every other entry.

    For anyone else the view runs as usual. The page is built with placeholders for the
    reader's CSRF token and one-time form tokens (`one_time_token`), and every response fills
    in its own. Only a 200 is kept, and never one whose view changed the session. Headers are
    not kept: every response goes through each after-request step (security headers,
    compression, the request log).
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method not in {"GET", "HEAD"} or not set(session) <= IMPERSONAL_SESSION_KEYS:
            return view(*args, **kwargs)
        made: list[Response] = []

        def build() -> tuple[bytes, str]:
            setattr(g, _BUILDING, itertools.count())
            setattr(g, _CSRF, f"{_MARK}csrfx")
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                g.pop(_BUILDING, None)
                g.pop(_CSRF, None)
            made.append(response)
            if response.is_streamed or response.direct_passthrough:
                return b"", ""
            return response.get_data(), response.content_type or ""

        def keep() -> bool:
            response = made[0]
            whole = not (response.is_streamed or response.direct_passthrough)
            return whole and response.status_code == 200 and not session.modified

        body, content_type = remember("page", (request.full_path,), build, keep)
        if made and not keep():
            response = made[0]
            if not (response.is_streamed or response.direct_passthrough):
                response.set_data(_filled(response.get_data()))
            return response
        return Response(_filled(body), content_type=content_type)

    return wrapper
