"""Typed domain errors raised by services, and the kind error pages views fall back on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from forum.db import db, intent


class DomainError(Exception):
    """Base for errors a service raises on purpose; the message is safe to show."""

    status = 400

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this."""

    status = 403


class NotFound(DomainError):
    """The object does not exist, or the acting user may not know that it does."""

    status = 404


class Invalid(DomainError):
    """The request breaks a rule (uniqueness, state, policy); `field` names the input."""

    status = 400


ERROR_PAGES = {
    400: ("Something in that request did not work", "errors/400.html"),
    403: ("You cannot open this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("That did not work", "errors/405.html"),
    413: ("That was too much to send at once", "errors/413.html"),
    429: ("Please wait a little", "errors/429.html"),
    500: ("Something went wrong on our side", "errors/500.html"),
    503: ("Heard is not available just now", "errors/503.html"),
}

# How long a browser or proxy should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


FALLBACK_PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Something went wrong – Heard</title></head><body><main>
<h1>Something went wrong on our side</h1>
<p>Please try again in a few minutes. If you need help now, call your local emergency number.</p>
<p><a href="/help">Get help now</a> · <a href="/exit">Exit this page</a></p></main></body></html>"""


def render_error(status: int):
    """Render the kind page for an HTTP status, leaking no detail of the cause."""
    title, template = ERROR_PAGES.get(status, ERROR_PAGES[500])
    try:
        response = render_template(template, title=title)
    except Exception:  # the page itself needs the database, which may be what failed
        current_app.logger.exception("Could not render the %s page", status)
        response = FALLBACK_PAGE
    return response, status


# --- The database is unavailable: 503, and the person's words back in a form ----------------

# Faults of the database itself (refused or lost connections, a read-only or unopenable file, a
# lock held past DATABASE_BUSY_TIMEOUT, a pool with no free connection): the request can work
# again later unchanged, so they answer 503, never 500.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
# Never echoed back, even to the person who typed them: they are secrets.
_ON_UNAVAILABLE = "heard.on_unavailable"  # app.extensions: callables run before the 503 page


def on_unavailable(app: Flask, reset: Callable[[], None]) -> None:
    """Run `reset` before the 503 page renders, so that page asks nothing of the database.

    Layers above (the request identity) register here; this module imports none of them.
    """
    app.extensions.setdefault(_ON_UNAVAILABLE, []).append(reset)


SECRET_NAMES = frozenset({"csrf_token", "code"})
_CHOICE_LIKE_MAX = 64


@dataclass
class KeptForm:
    """What a POST carried, sorted for showing again: text to copy, choices to keep."""

    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (name, label, value)
    choices: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, values)
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (name, value)

    @property
    def one_time(self) -> bool:
        """Whether the form carries a one-time token, so sending it twice makes one copy."""
        return any(name == "form_token" for name, _ in self.hidden)


@dataclass(frozen=True)
class _Declared:
    """One field as a form class declares it: its class, label and any fixed choices."""

    field_class: type
    label: str
    choices: dict[str, str]


def _declared(unbound: UnboundField) -> _Declared:
    label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else "")
    choices: dict[str, str] = {}
    for choice in unbound.kwargs.get("choices") or ():
        if isinstance(choice, tuple | list) and len(choice) >= 2:
            choices[str(choice[0])] = str(choice[1])
        elif hasattr(choice, "value") and hasattr(choice, "label"):
            choices[str(choice.value)] = str(choice.label)
    return _Declared(unbound.field_class, str(label or ""), choices)


def _form_fields(sent: set[str]) -> dict[str, _Declared]:
    """The fields the app's forms declare, the form most like what was sent taking precedence."""
    forms: list[dict[str, _Declared]] = []
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        fields = {
            name: _declared(unbound)
            for name in dir(form_class)
            if isinstance(unbound := getattr(form_class, name, None), UnboundField)
        }
        forms.append(fields)
    # Names repeat across forms ("kind", "body"): labels come from the best match first.
    forms.sort(key=lambda fields: len(sent & fields.keys()))
    merged: dict[str, _Declared] = {}
    for fields in forms:
        merged.update(fields)
    return merged


def _is_secret(name: str, field_class: type | None) -> bool:
    return (
        name in SECRET_NAMES
        or "password" in name
        or (field_class is not None and issubclass(field_class, PasswordField))
    )


def _is_text(field_class: type | None, values: list[str]) -> bool:
    if field_class is None:  # a field made at run time (impact-<slug>): judge by what it holds
        return len(values) == 1 and (len(values[0]) > _CHOICE_LIKE_MAX or " " in values[0])
    if issubclass(field_class, HiddenField):
        return False
    return issubclass(field_class, (TextAreaField, StringField))


def kept_form() -> KeptForm:
    """The submitted fields of this POST, secrets left out, ready to be sent again."""
    kept = KeptForm()
    declared = _form_fields(set(request.form))
    for name in request.form:
        values = [value for value in request.form.getlist(name) if isinstance(value, str)]
        found = declared.get(name)
        field_class = found.field_class if found else None
        if _is_secret(name, field_class) or not values:
            continue
        label = (found and found.label) or name.replace("_", " ").replace("-", " ").capitalize()
        if _is_text(field_class, values):
            kept.texts.extend((name, label, value) for value in values)
            continue
        kept.hidden.extend((name, value) for value in values)
        shown = [found.choices.get(value, value) if found else value for value in values if value]
        if name not in {"action", "form_token", "version", "next"} and shown:
            kept.choices.append((label, shown))
    return kept


FALLBACK_UNAVAILABLE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Heard is not available just now – Heard</title></head><body><main>
<h1>Heard is not available just now</h1>
<p>This is a problem on our side, not with anything you did. Please try again in a few minutes.
If you are in danger now, call your local emergency number.</p>
<p><a href="/help">Get help now</a> · <a href="/exit">Exit this page</a></p>{kept}
</main></body></html>"""


def _fallback_unavailable(kept: KeptForm | None, retry_url: str, token: str) -> str:
    """The 503 page without templates, still giving back what was typed."""
    if kept is None:
        return FALLBACK_UNAVAILABLE.format(kept="")
    parts = [f'<h2>What you wrote</h2><form method="post" action="{escape(retry_url)}">']
    parts.append(f'<input type="hidden" name="csrf_token" value="{escape(token)}">')
    for index, (name, label, value) in enumerate(kept.texts):
        parts.append(
            f'<p><label for="kept-{index}">{escape(label)}</label><br>'
            f'<textarea id="kept-{index}" name="{escape(name)}" rows="8" cols="60">'
            f"{escape(value)}</textarea></p>"
        )
    parts.extend(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in kept.hidden
    )
    parts.append('<button type="submit">Try again</button></form>')
    return FALLBACK_UNAVAILABLE.format(kept="".join(parts))


def _retry_url() -> str:
    """Where the kept form posts again: this same page (path and query, never another host)."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def render_unavailable():
    """The 503 page: calm words, crisis help and the exit, and for a POST the person's words.

    It renders without the database: nobody is treated as signed in, so the header asks
    nothing of the session records or the moderation queue.
    """
    # Flask-Login would query the database again for the header; show the page as to a visitor.
    manager = getattr(current_app, "login_manager", None)
    g._login_user = manager.anonymous_user() if manager else AnonymousUserMixin()
    for reset in current_app.extensions.get(_ON_UNAVAILABLE, ()):
        reset()
    kept = kept_form() if request.method == "POST" else None
    token = ""
    if kept is not None:
        try:
            token = generate_csrf()  # from the session cookie and the secret: no database
        except Exception:  # a broken session cookie: the form still comes back
            current_app.logger.warning("No CSRF token for the 503 page")
    retry_url = _retry_url()
    title, template = ERROR_PAGES[503]
    try:
        page = render_template(
            template, title=title, kept=kept, retry_url=retry_url, retry_token=token
        )
    except Exception:
        current_app.logger.exception("Could not render the 503 page")
        page = _fallback_unavailable(kept, retry_url, token)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _forget_failed_work() -> None:
    """Roll back whatever the failed request began, so nothing is half-saved."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the pool discards it
        current_app.logger.warning("Rollback after a database fault failed")


def register_error_handlers(app: Flask) -> None:
    """Turn HTTP and domain errors into kind pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        view = app.view_functions.get(request.endpoint or "")
        if view is None or not getattr(view, "keeps_input_on_csrf_failure", False):
            return render_error(400)
        # The view's own form fails on the same token and re-renders what was typed. Errors
        # it meets on the way (the story was hidden meanwhile, it is not the caller's) answer
        # as they would without the CSRF failure: an error raised inside a handler would not
        # reach the other handlers and would end as a 500.
        try:
            with intent(write=False):  # it stores nothing: the form cannot pass validation
                return view(**(request.view_args or {}))
        except DomainError as failure:
            return domain_error(failure)
        except HTTPException as failure:
            return http_error(failure)
        except UNAVAILABLE as failure:
            return database_unavailable(failure)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status not in ERROR_PAGES:
            return error
        response, status = render_error(status)
        headers = {}
        valid_methods = getattr(error, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        if status == 503:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status, headers

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status)

    @app.errorhandler(ObjectDeletedError)
    def deleted_meanwhile(error: ObjectDeletedError):
        # A row read before the write lock was taken (forum.db.start_writing) was deleted by
        # someone else in between: what the page was about no longer exists.
        _forget_failed_work()
        return render_error(404)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        # The class names only: the message can hold SQL parameters, that is, what was typed.
        cause = getattr(error, "orig", None)
        app.logger.warning(
            "Database unavailable on %s %r: %s%s",
            request.method,
            request.path,
            type(error).__name__,
            f" ({type(cause).__name__})" if cause is not None else "",
        )
        _forget_failed_work()
        return render_unavailable()

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %r", request.method, request.path)
        return render_error(500)
