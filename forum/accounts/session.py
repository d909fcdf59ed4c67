"""Glue between Flask-Login, the session cookie and the server-side session records, and the
builder of each request's identity (forum/governance/identity.py) from them."""

from __future__ import annotations

from flask import Flask, session
from flask_login import current_user, login_user, logout_user

from forum.accounts import services
from forum.accounts.models import User
from forum.extensions import login_manager
from forum.governance import teller_access
from forum.governance.identity import Identity, init_identity, refresh_identity
from forum.governance.session_keys import KEPT_ON_SIGN_IN, LOGIN_FINGERPRINT, SESSION_TOKEN


def init_login(app: Flask) -> None:
    """Configure Flask-Login to trust only live server-side sessions; build identities."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # Sessions are checked against the database on every request instead.
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)
    init_identity(app, build_identity)


def _load_user(user_id: str) -> User | None:
    return services.load_session(user_id, session.get(SESSION_TOKEN))


def build_identity() -> Identity:
    """Who is asking: the live signed-in account, if any, and the stories this browser holds."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return Identity.of(user, teller_access.granted_here())


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
    session.pop(LOGIN_FINGERPRINT, None)
    refresh_identity()


def current_token() -> str | None:
    """The current browser's session token, to keep it when ending the others."""
    return session.get(SESSION_TOKEN)


def sign_out() -> None:
    """End this browser's session and its teller access on the server, and clear the cookie."""
    services.end_session(session.get(SESSION_TOKEN))
    teller_access.forget_here()
    logout_user()
    session.clear()
    refresh_identity()
