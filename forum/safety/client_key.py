"""Keyed, daily-rotating hashes of the client, used instead of IP addresses.

An IP address is personal data even when hashed without a secret (SECURITY.md §3), so rate
limits, per-day reaction limits and abuse signals use HMAC(secret of the day, address). Each
UTC day gets a fresh random secret stored in `day_secrets`; `heard purge` deletes secrets
older than CLIENT_KEY_RETENTION_HOURS, after which nobody — us included — can link a stored
hash to an address. Bans need to last longer than a day, so they use their own key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, timedelta

from flask import current_app, request
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from forum.db import db, intent
from forum.safety.models import DaySecret

CACHE = "heard.day_secret"


def today() -> date:
    """The current UTC date."""
    return datetime.now(UTC).date()


def _load_or_create(day: date) -> bytes:
    """Read the day's secret, creating it in a short transaction of its own if missing."""
    # Reading takes no write lock (SQLite), so a busy database never holds up a page.
    with intent(write=False), db.engine.connect() as conn:
        stored = conn.execute(select(DaySecret.secret).where(DaySecret.day == day)).scalar()
    if stored is not None:
        return bytes.fromhex(stored)
    with intent(write=True), db.engine.begin() as conn:
        stored = conn.execute(select(DaySecret.secret).where(DaySecret.day == day)).scalar()
        if stored is None:
            stored = secrets.token_hex(32)
            try:
                with conn.begin_nested():
                    conn.execute(insert(DaySecret).values(day=day, secret=stored))
            except IntegrityError:  # another worker made it first
                stored = conn.execute(select(DaySecret.secret).where(DaySecret.day == day)).scalar()
    assert stored is not None  # the row that made the insert fail is there
    return bytes.fromhex(stored)


def secret_of_the_day(day: date | None = None) -> bytes:
    """Today's secret (cached per process); created on first use each day."""
    day = day or today()
    cached = current_app.extensions.get(CACHE)
    if cached is None or cached[0] != day:
        cached = current_app.extensions[CACHE] = (day, _load_or_create(day))
    return cached[1]


def keyed_hash(secret: bytes, address: str, purpose: str) -> str:
    """HMAC of an address for one purpose, as 32 hex characters."""
    return hmac.new(secret, f"{purpose}\n{address}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key(address: str, purpose: str) -> str:
    """Today's keyed hash of a client address for one purpose; never reversible alone."""
    return keyed_hash(secret_of_the_day(), address, purpose)


def request_client_key() -> str:
    """The rate-limit key for the current request (Flask-Limiter's key function)."""
    return client_key(request.remote_addr or "unknown", "rate-limit")


def request_reaction_key() -> str:
    """Who a reader without an account is, for today's one-reaction-of-each-kind rule."""
    agent = request.headers.get("User-Agent", "")[:300]
    key = client_key(f"{request.remote_addr}\n{agent}", "reaction")
    return f"c:{today().isoformat()}:{key}"


def warm_secret_of_the_day() -> None:
    """Load today's secret before a request opens its own transaction (SQLite locking)."""
    cached = current_app.extensions.get(CACHE)
    if cached is None or cached[0] != today():
        secret_of_the_day()


def purge_day_secrets(retention_hours: int, now: datetime | None = None) -> int:
    """Delete secrets of days that ended more than `retention_hours` ago; return how many."""
    now = now or datetime.now(UTC)
    oldest_kept = (now - timedelta(hours=retention_hours)).date()
    result = db.session.execute(delete(DaySecret).where(DaySecret.day < oldest_kept))
    return result.rowcount or 0  # type: ignore[attr-defined]


def ban_key(secret: str, address: str) -> str:
    """A keyed hash of the client address that stays the same across days, for bans only.

    Daily keys cannot carry a multi-day ban (SECURITY.md, finding 6), so bans get their own
    key, derived from the application secret; it is stored only on a ban and, for the
    retention window, on what someone posted.
    """
    key = hmac.new(secret.encode(), b"heard-ban-key", hashlib.sha256).digest()
    return keyed_hash(key, address, "ban")


def request_ban_key() -> str:
    """The ban key for the current request's client."""
    return ban_key(current_app.config["SECRET_KEY"], request.remote_addr or "unknown")
