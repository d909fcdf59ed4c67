"""Glue between Flask-Login, the session cookie and the server-side session records."""

from __future__ import annotations

from flask import Flask, session
from flask_login import login_user, logout_user

from forum.accounts import services
from forum.accounts.models import User
from forum.extensions import login_manager

SESSION_TOKEN = "sid"  # noqa: S105 - the session key name


def init_login(app: Flask) -> None:
    """Configure Flask-Login to trust only live server-side sessions."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # Sessions are checked against the database on every request instead.
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)


def _load_user(user_id: str) -> User | None:
    return services.load_session(user_id, session.get(SESSION_TOKEN))


# Reader choices that survive signing in: the help region and stories opened by status code.
KEPT_ON_SIGN_IN = ("region", "status_stories")


def sign_in(user: User) -> None:
    """Start a fresh session for this user: new cookie contents, new server-side record."""
    token = services.start_session(user)
    kept = {key: session[key] for key in KEPT_ON_SIGN_IN if key in session}
    session.clear()
    session.update(kept)
    session.permanent = True
    session[SESSION_TOKEN] = token
    login_user(user)
    # Flask-Login puts a hash of the IP address and user agent in the (readable) cookie; the
    # server-side session record already protects the session, so keep no trace of either.
    session.pop("_id", None)


def current_token() -> str | None:
    """The current browser's session token, to keep it when ending the others."""
    return session.get(SESSION_TOKEN)


def sign_out() -> None:
    """End this browser's session on the server and clear the cookie."""
    services.end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()
