"""Sanctions: warn, suspend for N days, ban — accounts, and anonymous posting by ban key.

Moderators give and lift them here. Whether a sanction applies is checked where it is used, in
forum/governance/sanctions.py (`check_may_post`), and by the accounts gates (sign-in and
recovery refuse suspended and banned accounts; sessions of a sanctioned account end at once).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import Role, User
from forum.accounts.services import revoke_sessions
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.audit import audit
from forum.governance.models import Sanction, SanctionKind
from forum.governance.permissions import require_moderator
from forum.moderation.services import require_reason
from forum.stories.models import Reply, Story

MAX_DAYS = 365


# --- Account sanctions -----------------------------------------------------------------------


def _account(moderator: User, user_id: int) -> User:
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None:
        raise NotFound("Account not found.")
    if user.id == moderator.id:
        raise NotAllowed("You cannot sanction your own account.")
    # Moderators act on members; only admins act on moderators; admins are out of reach here.
    if user.role is Role.ADMIN or (user.role is Role.MODERATOR and not moderator.is_admin):
        raise NotAllowed("Only an admin can act on a moderator, and nobody on an admin here.")
    return user


def _days(days: int | None) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise Invalid(f"Enter a number of days from 1 to {MAX_DAYS}", field="days")
    return days


def warn(moderator: User, user_id: int, reason: str) -> Sanction:
    """Record a warning on an account (shown to moderators; the account keeps posting)."""
    require_moderator(moderator)
    user = _account(moderator, user_id)
    reason = require_reason(reason)
    sanction = Sanction(
        kind=SanctionKind.WARN, user_id=user.id, reason=reason, created_by_id=moderator.id
    )
    db.session.add(sanction)
    audit(moderator, "warn", user, reason, public=False)
    db.session.commit()
    return sanction


def suspend(moderator: User, user_id: int, days: int, reason: str) -> Sanction:
    """Pause an account for N days; every session it has ends at once."""
    require_moderator(moderator)
    user = _account(moderator, user_id)
    days = _days(days)
    reason = require_reason(reason)
    ends = utcnow() + timedelta(days=days)
    user.suspended_until = ends
    sanction = Sanction(
        kind=SanctionKind.SUSPEND,
        user_id=user.id,
        reason=reason,
        created_by_id=moderator.id,
        ends_at=ends,
    )
    db.session.add(sanction)
    revoke_sessions(user)
    audit(moderator, "suspend", user, f"{days} days: {reason}")
    db.session.commit()
    return sanction


def ban(moderator: User, user_id: int, reason: str) -> Sanction:
    """Close an account until lifted; every session it has ends at once."""
    require_moderator(moderator)
    user = _account(moderator, user_id)
    reason = require_reason(reason)
    if user.banned:
        raise Invalid("This account is already banned.")
    user.banned = True
    sanction = Sanction(
        kind=SanctionKind.BAN, user_id=user.id, reason=reason, created_by_id=moderator.id
    )
    db.session.add(sanction)
    revoke_sessions(user)
    audit(moderator, "ban", user, reason)
    db.session.commit()
    return sanction


def ban_poster(moderator: User, kind: str, item_id: int, days: int, reason: str) -> Sanction:
    """Pause anonymous posting from the client that sent a story or reply, for N days.

    The moderator never sees the key: it is taken from the post, where it is kept only for
    the retention window.
    """
    require_moderator(moderator)
    model: type[Story] | type[Reply] = Story if kind == "story" else Reply
    item: Story | Reply | None = (
        db.session.get(model, item_id) if isinstance(item_id, int) else None  # type: ignore[assignment]
    )
    if item is None:
        raise NotFound("Not found.")
    days = _days(days)
    reason = require_reason(reason)
    if not item.client_key:
        raise Invalid(
            "No client key is kept for this post any more (or it came from an account): "
            "act on the account instead",
            field="days",
        )
    sanction = Sanction(
        kind=SanctionKind.BAN,
        client_key=item.client_key,
        reason=reason,
        created_by_id=moderator.id,
        ends_at=utcnow() + timedelta(days=days),
    )
    db.session.add(sanction)
    audit(moderator, "ban_poster", item, f"{days} days: {reason}")
    db.session.commit()
    return sanction


def lift(moderator: User, sanction_id: int, reason: str) -> Sanction:
    """End a suspension or ban early; the account's flags follow what is still running."""
    require_moderator(moderator)
    sanction = db.session.get(Sanction, sanction_id) if isinstance(sanction_id, int) else None
    if sanction is None:
        raise NotFound("Sanction not found.")
    reason = require_reason(reason)
    if not sanction.is_running():
        raise Invalid("This has already ended. Nothing was changed.")
    user = sanction.user
    if user is not None:
        _account(moderator, user.id)
    sanction.lifted_at = utcnow()
    db.session.flush()
    if user is not None:
        others = [s for s in sanctions_for(user) if s.is_running()]
        ends = [s.ends_at for s in others if s.kind is SanctionKind.SUSPEND]
        user.suspended_until = max(ends) if ends else None  # type: ignore[type-var]
        user.banned = any(s.kind is SanctionKind.BAN for s in others)
        audit(moderator, "lift", user, reason)
    else:
        audit(moderator, "lift", sanction, reason)
    db.session.commit()
    return sanction


def sanctions_for(user: User) -> list[Sanction]:
    """An account's sanctions, newest first."""
    return list(
        db.session.scalars(
            select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id.desc())
        )
    )


# --- The sanctions page ----------------------------------------------------------------------

ACTIVE_LIMIT = 200


def pause_reference(client_key: str) -> str:
    """An opaque reference for an anonymous-posting pause: a short keyed hash, never the key.

    The same client gives the same reference, so moderators can tell two pauses of one writer
    apart from two writers; nothing can be worked back from it without the app's secret.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"pause-reference:{client_key}".encode(), hashlib.sha256)
    code = digest.hexdigest()[:8].upper()
    return f"P-{code[:4]}-{code[4:]}"


def active_sanctions(moderator: User, limit: int = ACTIVE_LIMIT) -> list[Sanction]:
    """Suspensions, bans and anonymous pauses in force now, soonest to end first (one query).

    Bans without an end come last, newest first. Who set each one and whom it is on are
    loaded in the same query.
    """
    require_moderator(moderator)
    now = utcnow()
    return list(
        db.session.scalars(
            select(Sanction)
            .where(
                Sanction.kind.in_([SanctionKind.SUSPEND, SanctionKind.BAN]),
                Sanction.lifted_at.is_(None),
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
            )
            .options(joinedload(Sanction.user), joinedload(Sanction.created_by))
            .order_by(Sanction.ends_at.is_(None), Sanction.ends_at, Sanction.id.desc())
            .limit(limit)
        )
    )
