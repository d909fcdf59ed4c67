"""Keyed, daily-rotating hashes of the client, used instead of IP addresses.

An IP address is personal data even when hashed without a secret (SECURITY.md §3), so rate
limits and abuse signals use HMAC(day key, address). The day key is derived from the app's
secret and the UTC date, so yesterday's keys cannot be linked to today's.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

from flask import current_app, request


def day_key(secret: str, day: date) -> bytes:
    """The key for one UTC day, derived from the application secret."""
    return hmac.new(secret.encode(), f"heard-client-key:{day.isoformat()}".encode(), "sha256").digest()


def client_key(secret: str, address: str, purpose: str, day: date | None = None) -> str:
    """A hex HMAC of the client address for one purpose and one day; never reversible alone."""
    day = day or datetime.now(UTC).date()
    message = f"{purpose}\n{address}".encode()
    return hmac.new(day_key(secret, day), message, hashlib.sha256).hexdigest()[:32]


def request_client_key() -> str:
    """The rate-limit key for the current request (Flask-Limiter's key function)."""
    address = request.remote_addr or "unknown"
    return client_key(current_app.config["SECRET_KEY"], address, "rate-limit")


def ban_key(secret: str, address: str) -> str:
    """A keyed hash of the client address that stays the same across days, for bans only.

    Daily keys cannot carry a multi-day ban (SECURITY.md, finding 6), so bans get their own
    key; it is stored only on a ban and, briefly, on what someone posted (see retention).
    """
    message = f"ban\n{address}".encode()
    return hmac.new(day_key(secret, date.min), message, hashlib.sha256).hexdigest()[:32]


def request_ban_key() -> str:
    """The ban key for the current request's client."""
    return ban_key(current_app.config["SECRET_KEY"], request.remote_addr or "unknown")
