"""Builders for test data; each creates exactly what a test asks for, in the current context."""

from __future__ import annotations

from functools import cache

from forum.accounts import passwords
from forum.accounts.models import RecoveryCode, Role, User
from forum.accounts.services import handle_key
from forum.db import db
from forum.safety.tokens import new_recovery_code, normalise_recovery_code, token_hash

PASSWORD = "a calm river at dusk"


@cache
def _hash_of(password: str) -> str:
    # Hashing at ASVS parameters takes ~0.1 s; tests reuse one hash per password.
    return passwords.hash_password(password)


def make_user(
    handle: str = "heron",
    password: str = PASSWORD,
    role: Role = Role.MEMBER,
    codes: int = 0,
    **fields,
) -> User | tuple[User, list[str]]:
    """An account that can sign in with `password`; with codes=N, also its recovery codes."""
    user = User(
        handle=handle,
        handle_key=handle_key(handle),
        password_hash=_hash_of(password),
        role=role,
        **fields,
    )
    plain = [new_recovery_code() for _ in range(codes)]
    for code in plain:
        user.recovery_codes.append(RecoveryCode(code_hash=token_hash(normalise_recovery_code(code))))
    db.session.add(user)
    db.session.commit()
    return (user, plain) if codes else user
