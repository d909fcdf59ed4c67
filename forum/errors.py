"""Typed domain errors raised by services, and the kind error pages views fall back on."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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


class RateLimited(DomainError):
    """Too many attempts in a short time."""

    status = 429


ERROR_PAGES = {
    400: ("Something in that request did not work", "errors/400.html"),
    403: ("You cannot open this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("That did not work", "errors/405.html"),
    413: ("That was too much to send at once", "errors/413.html"),
    429: ("Please wait a little", "errors/429.html"),
    500: ("Something went wrong on our side", "errors/500.html"),
}


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


def register_error_handlers(app: Flask) -> None:
    """Turn HTTP and domain errors into kind pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "keeps_input_on_csrf_failure", False):
            # The view's own form fails on the same token and re-renders what was typed.
            return view(**(request.view_args or {}))
        return render_error(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status not in ERROR_PAGES:
            return error
        response, status = render_error(status)
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return response, status, headers

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %r", request.method, request.path)
        return render_error(500)
