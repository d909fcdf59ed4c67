"""Account rules: sign-up, sign-in, sessions, recovery and passwords.

Services take the acting user explicitly, never read the request, raise typed errors and
commit once per public function.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum.accounts import passwords
from forum.accounts.models import AccountSession, RecoveryCode, Role, User
from forum.db import commit_if_free, db, utcnow
from forum.errors import Invalid, NotAllowed
from forum.governance import watched_words
from forum.safety.tokens import (
    new_recovery_code,
    new_token,
    normalise_recovery_code,
    token_hash,
)

HANDLE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,28}[A-Za-z0-9]$")
RESERVED_HANDLES = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "heard",
        "help",
        "mod",
        "moderator",
        "moderators",
        "root",
        "staff",
        "support",
        "system",
        "team",
        "official",
        "null",
    }
)
SIGN_IN_FAILED = "Handle or password not recognised"
RECOVERY_FAILED = "Handle or recovery code not recognised"


def handle_key(handle: str) -> str:
    """The unique, case-folded form of a handle."""
    return handle.strip().lower()


def check_handle(handle: str) -> str:
    """Return the cleaned handle, or raise Invalid with a message the teller can act on."""
    handle = handle.strip()
    if not 3 <= len(handle) <= 30:
        raise Invalid("Handle must be between 3 and 30 characters", field="handle")
    if not HANDLE_PATTERN.match(handle):
        raise Invalid(
            "Handle can only use letters a to z, numbers, hyphens and underscores, "
            "and must start and end with a letter or number",
            field="handle",
        )
    key = handle_key(handle)
    if key in RESERVED_HANDLES or key.startswith("anonymous"):
        raise Invalid("That handle is kept for the site. Choose a different one", field="handle")
    return handle


def _issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them in plain text once."""
    user.recovery_codes.clear()
    codes = [new_recovery_code() for _ in range(current_app.config["RECOVERY_CODE_COUNT"])]
    for code in codes:
        user.recovery_codes.append(
            RecoveryCode(code_hash=token_hash(normalise_recovery_code(code)))
        )
    return codes


def _add_user(handle: str, password: str, role: Role) -> tuple[User, list[str]]:
    handle = check_handle(handle)
    watched_words.check_handle(handle)  # admins' watched words (forum/governance)
    passwords.check_password_policy(password, handle)
    key = handle_key(handle)
    taken = Invalid("That handle is already taken. Choose a different one", field="handle")
    if db.session.scalar(select(User.id).where(User.handle_key == key)) is not None:
        raise taken
    user = User(
        handle=handle, handle_key=key, role=role, password_hash=passwords.hash_password(password)
    )
    db.session.add(user)
    codes = _issue_recovery_codes(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise taken from None
    return user, codes


def sign_up(handle: str, password: str) -> tuple[User, list[str]]:
    """Create a member account; return it with its recovery codes, shown once."""
    return _add_user(handle, password, Role.MEMBER)


def _check_may_sign_in(user: User) -> None:
    """Every way in (password, recovery code) enforces the same gates."""
    if user.banned:
        raise NotAllowed("This account has been closed by the moderators.")
    if user.is_on_break():
        assert user.break_until is not None
        until = user.break_until.strftime("%-d %B %Y at %H:%M UTC")
        raise NotAllowed(f"You chose to take a break until {until}. We'll be here after that.")
    if user.is_suspended():
        assert user.suspended_until is not None
        until = user.suspended_until.strftime("%-d %B %Y at %H:%M UTC")
        raise NotAllowed(f"This account is paused until {until}.")


def _find_user(handle: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.handle_key == handle_key(handle), User.deleted_at.is_(None))
    )


def authenticate(handle: str, password: str) -> User:
    """Return the account for these credentials; every failure looks the same."""
    user = _find_user(handle)
    if not passwords.verify_password(user.password_hash if user else None, password):
        raise Invalid(SIGN_IN_FAILED, field="handle")
    assert user is not None  # verify_password(None, ...) is never true
    _check_may_sign_in(user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def start_session(user: User) -> str:
    """Record a new signed-in session and return its secret token for the cookie."""
    if not user.is_active:
        raise NotAllowed("This account cannot sign in now.")
    token = new_token()
    db.session.add(AccountSession(user_id=user.id, token_hash=token_hash(token)))
    db.session.commit()
    return token


def _session_expired(record: AccountSession, now: datetime) -> bool:
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(days=config["SESSION_ABSOLUTE_DAYS"])
    return now - record.last_seen_at > idle or now - record.created_at > absolute


def load_session(user_id: str, token: str | None) -> User | None:
    """The user behind a session cookie, or None if it was ended, expired or never existed."""
    if not token or not user_id.isdigit():
        return None
    record = db.session.scalar(
        select(AccountSession).where(AccountSession.token_hash == token_hash(token))
    )
    if record is None or record.user_id != int(user_id):
        return None
    now = utcnow()
    user = db.session.get(User, record.user_id)
    # Both writes are bookkeeping: on a busy SQLite database they wait for a later request.
    if _session_expired(record, now) or user is None or not user.is_active:
        db.session.delete(record)
        commit_if_free()
        return None
    if now - record.last_seen_at > timedelta(minutes=1):
        record.last_seen_at = now
        commit_if_free()
    return user


def end_session(token: str | None) -> None:
    """Sign one browser out for good: its session row is deleted."""
    if token:
        db.session.execute(
            delete(AccountSession).where(AccountSession.token_hash == token_hash(token))
        )
        db.session.commit()


def revoke_sessions(user: User, keep_token: str | None = None) -> None:
    """End the account's sessions within the current transaction (the caller commits)."""
    statement = delete(AccountSession).where(AccountSession.user_id == user.id)
    if keep_token:
        statement = statement.where(AccountSession.token_hash != token_hash(keep_token))
    db.session.execute(statement)


def change_password(user: User, current: str, new: str, keep_token: str | None) -> None:
    """Re-authenticate, set a new password and end every other session."""
    if not passwords.verify_password(user.password_hash, current):
        raise Invalid("Current password is not right", field="current_password")
    passwords.check_password_policy(new, user.handle, field="new_password")
    user.password_hash = passwords.hash_password(new)
    revoke_sessions(user, keep_token)
    db.session.commit()


def recover(handle: str, code: str, new_password: str) -> User:
    """Use one recovery code to set a new password; every old session ends."""
    user = _find_user(handle)
    digest = token_hash(normalise_recovery_code(code))
    match = None
    if user is not None:
        match = next(
            (c for c in user.recovery_codes if c.code_hash == digest and c.used_at is None), None
        )
    if match is None:
        passwords.verify_password(None, new_password)  # same work as a real attempt
        raise Invalid(RECOVERY_FAILED, field="handle")
    assert user is not None  # a matching code belongs to a user
    _check_may_sign_in(user)
    passwords.check_password_policy(new_password, user.handle, field="new_password")
    match.used_at = utcnow()
    user.password_hash = passwords.hash_password(new_password)
    revoke_sessions(user)
    db.session.commit()
    return user


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """Re-authenticate, then replace every recovery code with new ones."""
    if not passwords.verify_password(user.password_hash, password):
        raise Invalid("Password is not right", field="password")
    codes = _issue_recovery_codes(user)
    db.session.commit()
    return codes


def create_admin(handle: str, password: str) -> User:
    """Create an admin (CLI only); there are no default accounts."""
    user, _codes = _add_user(handle, password, Role.ADMIN)
    return user
