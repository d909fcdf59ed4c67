"""Optimistic version checks: refuse an action on an item that changed since it was loaded."""

from __future__ import annotations

from typing import Protocol

from forum.errors import NotAllowed

ALREADY_HANDLED = "Another moderator has already dealt with this. Nothing was changed."


class AlreadyHandled(NotAllowed):
    """Another moderator acted on this item first; nothing was applied twice."""

    status = 409


class Versioned(Protocol):
    """Anything with a version counter bumped on every change of state (stories, replies)."""

    version: int


def check_version(item: Versioned, seen_version: int | None) -> None:
    """Refuse when the item changed since the moderator loaded it (optimistic lock)."""
    if seen_version is not None and item.version != seen_version:
        raise AlreadyHandled(ALREADY_HANDLED)
