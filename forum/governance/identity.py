"""Who is asking: one typed identity per request, built once and asked by views and templates.

This module holds the shape and the per-request cache only. How to build it (the signed-in
account, the stories this browser holds codes for) belongs to the features, which hand a
builder to `init_identity`; so governance imports no feature package, and the kind is worked
out from the account's own `is_moderator` and `is_admin`, not from a feature's role type.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from flask import Flask, current_app, g
from werkzeug.local import LocalProxy

from forum.errors import on_unavailable

_BUILDER = "heard.identity"  # where init_identity keeps the builder, in app.extensions


class Kind(enum.StrEnum):
    """Who is asking, from least to most trusted."""

    READER = "reader"  # no account and no story opened in this browser
    TELLER = "teller"  # no account, but this browser holds a status code's access
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class Account(Protocol):
    """What the identity needs of a signed-in account (forum.accounts' User has it)."""

    id: int
    handle: str

    @property
    def is_moderator(self) -> bool: ...

    @property
    def is_admin(self) -> bool: ...


A = TypeVar("A", bound=Account)


@dataclass(frozen=True)
class Identity(Generic[A]):
    """The person behind this request: their kind, account (if any) and stories held here.

    Generic in the account type, which the features own: governance only needs `Account`.
    """

    kind: Kind = Kind.READER
    user: A | None = None
    story_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user: A | None, story_ids: frozenset[int] = frozenset()) -> Identity[A]:
        """The identity of a signed-in account (or none) holding these stories' access."""
        if user is None:
            kind = Kind.TELLER if story_ids else Kind.READER
        elif user.is_admin:
            kind = Kind.ADMIN
        elif user.is_moderator:
            kind = Kind.MODERATOR
        else:
            kind = Kind.MEMBER
        return cls(kind=kind, user=user, story_ids=story_ids)

    @property
    def is_signed_in(self) -> bool:
        """Whether an account is asking (a member, moderator or admin)."""
        return self.user is not None

    @property
    def is_moderator(self) -> bool:
        """Moderators and admins can moderate."""
        return self.kind in (Kind.MODERATOR, Kind.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Only admins run the site."""
        return self.kind is Kind.ADMIN

    @property
    def holds_codes(self) -> bool:
        """Whether this browser may act on stories opened with a status code (any kind)."""
        return bool(self.story_ids)

    @property
    def handle(self) -> str | None:
        """The account's handle, or None when nobody is signed in."""
        return self.user.handle if self.user is not None else None

    def holds(self, story_id: int) -> bool:
        """Whether this browser opened or sent the story (by status code, not by account)."""
        return story_id in self.story_ids


READER: Identity[Any] = Identity()


def init_identity(app: Flask, build: Callable[[], Identity[Any]]) -> None:
    """Use `build` for each request's identity, and show it to templates as `identity`."""
    app.extensions[_BUILDER] = build
    app.context_processor(_template_identity)
    on_unavailable(app, lambda: use_identity(READER))  # the 503 page shows itself to a reader


def current_identity() -> Identity[Any]:
    """This request's identity, built on first use and kept for the rest of the request."""
    identity = g.get("identity")
    if identity is None:
        identity = g.identity = current_app.extensions[_BUILDER]()
    return identity


def current_account() -> Any:
    """The signed-in account asking, or None (views behind login_required always have one)."""
    return current_identity().user


def use_identity(identity: Identity[Any]) -> None:
    """Answer the rest of this request as `identity` (the 503 page shows itself to a reader)."""
    g.identity = identity


def refresh_identity() -> None:
    """Build the identity again on next use: signing in or out, or a grant, changed it."""
    g.pop("identity", None)


def _template_identity() -> dict:
    # A proxy, so a page that never asks who is asking builds nothing and runs no query.
    return {"identity": LocalProxy(current_identity)}
