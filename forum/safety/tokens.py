"""Secret tokens from the operating system's CSPRNG; only their hashes are ever stored."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness (session ids, status tokens)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in place of a high-entropy token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_recovery_code() -> str:
    """A 160-bit code written as eight groups of four letters and digits, easy to copy."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_recovery_code(code: str) -> str:
    """Accept a code typed with or without spaces, hyphens or capitals."""
    return re.sub(r"[\s\-]+", "", code).lower()
