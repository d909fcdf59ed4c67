"""Password policy and hashing at OWASP ASVS 5.0 parameters (SECURITY.md §1, finding 2)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from forum.errors import Invalid

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """About 20,000 of the most common passwords (Django's list; see forum/data/README.md)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def hasher() -> PasswordHasher:
    """An argon2id hasher with the configured memory, time and parallelism."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password; the whole string counts, nothing is truncated or case-folded."""
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the same time so failures look alike."""
    ph = hasher()
    try:
        return ph.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return hasher().check_needs_rehash(password_hash)


def _dummy_hash() -> str:
    key = "dummy-password-hash"
    cached = current_app.extensions.get(key)
    if cached is None:
        cached = current_app.extensions[key] = hasher().hash("not a real password")
    return cached


def check_password_policy(password: str, handle: str, field: str = "password") -> None:
    """Raise Invalid unless the password meets the length and common-password rules."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        raise Invalid(f"Password must be {minimum} characters or more", field=field)
    if len(password) > maximum:
        raise Invalid(f"Password must be {maximum} characters or fewer", field=field)
    if password.lower() in common_passwords():
        raise Invalid(
            "That password is one of the most commonly used, so it is easy to guess. "
            "Choose a different one – a few unrelated words work well",
            field=field,
        )
    if handle and handle.lower() in password.lower():
        raise Invalid("Password must not contain your handle", field=field)
