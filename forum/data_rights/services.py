"""Data rights for account holders: export, delete, and taking a break.

Each public function re-authenticates with the password first (ASVS 7.5.1) and commits once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from forum.accounts import passwords
from forum.accounts.models import BREAK_DAYS, RecoveryCode, Role, User
from forum.accounts.services import revoke_sessions
from forum.caching import content_changed
from forum.db import db, utcnow
from forum.errors import Invalid
from forum.following import services as following
from forum.governance.audit import audit
from forum.moderation.models import Report
from forum.stories import lifecycle
from forum.stories.models import Reaction, Reply, Story
from forum.stories.services import story_record


def _reauthenticate(user: User, password: str) -> None:
    if not passwords.verify_password(user.password_hash, password or ""):
        raise Invalid("Password is not right", field="password")


def _date(value) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User, password: str) -> dict:
    """Everything Heard holds about this account and written by it — nothing of anyone else's."""
    _reauthenticate(user, password)
    stories = db.session.scalars(select(Story).where(Story.author_id == user.id).order_by(Story.id))
    replies = db.session.scalars(select(Reply).where(Reply.author_id == user.id).order_by(Reply.id))
    reactions = db.session.scalars(
        select(Reaction).where(Reaction.actor_key == f"u:{user.id}").order_by(Reaction.id)
    )
    reports = db.session.scalars(
        select(Report).where(Report.reporter_key == f"u:{user.id}").order_by(Report.id)
    )
    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "handle": user.handle,
            "role": user.role.value,
            "created_at": _date(user.created_at),
            "recovery_codes_left": user.unused_recovery_codes,
            "taking_a_break_until": _date(user.break_until),
            "suspended_until": _date(user.suspended_until),
        },
        "stories": [story_record(story) for story in stories],
        "replies": [
            {
                "id": reply.id,
                "story_id": reply.story_id,
                "status": reply.status.value,
                "body": reply.body,
                "show_handle": reply.show_handle,
                "created_at": _date(reply.created_at),
            }
            for reply in replies
        ],
        "reactions": [
            {"story_id": r.story_id, "kind": r.kind.value, "created_at": _date(r.created_at)}
            for r in reactions
        ],
        "reports_you_made": [
            {
                "story_id": r.story_id,
                "reply_id": r.reply_id,
                "reason": r.reason.value,
                "detail": r.detail,
                "created_at": _date(r.created_at),
            }
            for r in reports
        ],
        "stories_you_follow": following.follows_record(user),
    }


def take_a_break(user: User, password: str, days: int) -> User:
    """Pause the account for a chosen number of days; every session ends now."""
    _reauthenticate(user, password)
    if days not in BREAK_DAYS:
        raise Invalid("Choose how long your break should be", field="days")
    user.break_until = utcnow() + timedelta(days=days)
    revoke_sessions(user)
    db.session.commit()
    return user


def delete_account(user: User, password: str, erase_posts: bool) -> None:
    """Close the account: erase everything it wrote, or keep its posts as "Anonymous".

    The account row stays only as an empty shell (no handle, no password) so that audit
    entries keep pointing at something; running it twice changes nothing more.
    """
    if user.deleted_at is not None:
        return
    _reauthenticate(user, password)
    if erase_posts:
        erase_everything_written_by(user)
    else:
        model: type[Story] | type[Reply]
        for model in (Story, Reply):
            for item in db.session.scalars(select(model).where(model.author_id == user.id)):
                item.author_id = None  # type: ignore[attr-defined]
                item.show_handle = False  # type: ignore[attr-defined]
    db.session.execute(delete(Reaction).where(Reaction.actor_key == f"u:{user.id}"))
    if erase_posts:
        db.session.execute(delete(Report).where(Report.reporter_key == f"u:{user.id}"))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    following.forget_follows(user)
    revoke_sessions(user)
    placeholder = f"deleted-{secrets.token_hex(8)}"
    user.handle = user.handle_key = placeholder
    user.password_hash = "!"  # noqa: S105 - matches no password
    user.role = Role.MEMBER
    user.deleted_at = utcnow()
    audit(None, "account_deleted", user, public=False)
    content_changed()  # bylines that showed the handle
    db.session.commit()


def erase_everything_written_by(user: User) -> None:
    """Delete the account's stories (with everything under them) and its replies elsewhere.

    Adds to the current transaction; the caller commits.
    """
    reason = "The writer's account was deleted with what it wrote"
    for story in db.session.scalars(select(Story).where(Story.author_id == user.id)):
        lifecycle.erase_story(story, reason)
    for reply in db.session.scalars(select(Reply).where(Reply.author_id == user.id)):
        lifecycle.erase_reply(reply, reason)
