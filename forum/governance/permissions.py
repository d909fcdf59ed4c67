"""Who may act: the checks every feature's services make before a moderator or admin action.

They take any account-like object (`Actor`), so this layer needs nothing from accounts.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from forum.errors import NotAllowed


class Actor(Protocol):
    """What a permission check reads from an account (forum.accounts.models.User has it)."""

    id: int | None
    is_active: bool
    is_moderator: bool
    is_admin: bool


A = TypeVar("A", bound=Actor)


def require_moderator(actor: A | None) -> A:
    """The actor, if a live moderator or admin account; NotAllowed otherwise (fails closed)."""
    if actor is None or actor.id is None or not actor.is_active or not actor.is_moderator:
        raise NotAllowed("Only moderators can do this.")
    return actor


def require_admin(actor: A | None) -> A:
    """The actor, if a live admin account; NotAllowed otherwise."""
    if actor is None or actor.id is None or not actor.is_active or not actor.is_admin:
        raise NotAllowed("Only admins can do this.")
    return actor
