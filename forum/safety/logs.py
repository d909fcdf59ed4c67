"""Logs that hold nothing identifying: no address, user agent, query string or user text.

Heard's loggers are set up with logging.config.dictConfig, as text (the default) or as one
JSON object a line (`FORUM_LOG_FORMAT=json`, formatted by python-json-logger). Every line
carries the id of the request it came from, made fresh for each request (incoming
X-Request-Id headers are never trusted) and sent back in the X-Request-Id response header, so
a person reporting a problem can quote it without anyone learning who they are.

What is kept out, and how:
- the client address Werkzeug's request log puts first on the line (DropClientAddress);
- the query string of that request line (it can hold search words or tokens);
- exception messages: they can quote what someone typed (`' ' is not a valid Format`, SQL
  parameters), so tracebacks keep their frames and the exception's type, never its message;
- the JSON request line names the route pattern (`/stories/<id:story_id>`), never the path.
"""

from __future__ import annotations

import logging
import logging.config
import re
import secrets
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from types import TracebackType

from flask import Flask, request
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wsgi import ClosingIterator

REQUEST_ID_HEADER = "X-Request-Id"
FORMATS = ("text", "json")
# Loggers given Heard's handler. Not "sqlalchemy": at INFO it would log SQL parameters.
LOGGERS = {"forum": "INFO", "werkzeug": "INFO", "flask-limiter": "INFO"}
ACCESS_LOGGER = "forum.requests"
_STARTED = "heard.started"

# The request the current line belongs to; "-" outside any request.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Werkzeug's development server starts each request line with the client address.
_LEADING_ADDRESS = re.compile(r"^\S+ - - ")


def new_request_id() -> str:
    """A fresh random request id (64 bits, hex): unguessable and meaningless."""
    return secrets.token_hex(8)


def without_query(request_line: str) -> str:
    """`GET /search?q=words HTTP/1.1` without its query string (linear, no regex)."""
    start = request_line.find("?")
    if start < 0:
        return request_line
    version = request_line.rfind(" HTTP/")
    return request_line[:start] + (request_line[version:] if version > start else "")


class DropClientAddress(logging.Filter):
    """Remove the client address and query string from Werkzeug's request log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if record.name != "werkzeug":
            return True
        if isinstance(record.msg, str):
            record.msg = _LEADING_ADDRESS.sub("- - - ", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                without_query(arg) if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        return True


class AddRequestId(logging.Filter):
    """Give every record the current request id (or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set `record.request_id`; never drop the record."""
        record.request_id = request_id.get() or "-"
        return True


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def scrubbed_traceback(exc_info: ExcInfo) -> str:
    """A traceback with every frame but no exception message (it may quote user text)."""
    error: BaseException | None = exc_info[1]
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = type(error)
        frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        parts.append(
            f"Traceback (most recent call last):\n{frames}{kind.__module__}.{kind.__qualname__}"
            " (message left out of the log)"
        )
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n\nWhile handling an earlier exception:\n\n".join(reversed(parts))


class _Scrubbed(logging.Formatter):
    """Formats exceptions without their messages, and never reuses another's cached text."""

    def formatException(self, ei) -> str:
        """The scrubbed traceback."""
        return scrubbed_traceback(ei)

    def format(self, record: logging.LogRecord) -> str:
        """Format without the exception text another handler may have cached on the record."""
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


class TextFormatter(_Scrubbed):
    """Plain lines: time, level, logger, request id, message."""


class JsonLineFormatter(_Scrubbed, JsonFormatter):
    """One JSON object a line, by python-json-logger."""


class StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is when a line is logged (servers and tests swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        """Ignored: the stream is always the current sys.stderr."""


def logging_config(log_format: str) -> dict:
    """The dictConfig for Heard's loggers in one of FORMATS."""
    fields = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
    return {
        "version": 1,
        # Leave other libraries' loggers alone (dictConfig would otherwise silence them).
        "disable_existing_loggers": False,
        "filters": {
            "no_address": {"()": DropClientAddress},
            "request_id": {"()": AddRequestId},
        },
        "formatters": {
            "text": {
                "()": TextFormatter,
                "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            },
            "json": {
                "()": JsonLineFormatter,
                "fmt": fields,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "heard": {
                "()": StderrHandler,
                "formatter": log_format,
                "filters": ["no_address", "request_id"],
            }
        },
        # Records still propagate, so a root handler (pytest's, an operator's) sees them too.
        "loggers": {
            name: {"handlers": ["heard"], "level": level, "propagate": True}
            for name, level in LOGGERS.items()
        },
    }


_applied: list[str] = []


def configure(log_format: str) -> None:
    """Apply the configuration for this format, once per process and format change.

    dictConfig replaces every handler it knows, so it is not re-run for each app created.
    """
    if log_format not in FORMATS:
        from forum.config import ConfigError

        raise ConfigError(f"FORUM_LOG_FORMAT must be text or json, not {log_format!r}.")
    if _applied == [log_format]:
        return
    logging.config.dictConfig(logging_config(log_format))
    _applied[:] = [log_format]


class RequestIdMiddleware:
    """Give each request a fresh id for its log lines and its X-Request-Id header."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Run the request under a new id, and send the id back."""
        current = new_request_id()
        request_id.set(current)
        environ[_STARTED] = time.perf_counter()

        def start(status: str, headers: list, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, current))
            return start_response(status, headers, exc_info)

        def forget() -> None:
            request_id.set(None)

        # The id stays set until the server has sent the body (its request log comes then).
        return ClosingIterator(self.wsgi_app(environ, start), forget)


def _log_request(response):
    """One JSON line per request: method, route pattern, status, time taken. No path."""
    if request.endpoint == "operations.healthz" and response.status_code == 200:
        return response  # a load balancer's probe every few seconds is not news
    started = request.environ.get(_STARTED)
    logging.getLogger(ACCESS_LOGGER).info(
        "request",
        extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else "(no route)",
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        },
    )
    return response


def init_logging(app: Flask | None = None) -> None:
    """Set up Heard's loggers, and per-request ids for the app."""
    log_format = str(app.config.get("LOG_FORMAT", "text")).strip().lower() if app else "text"
    configure(log_format)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in werkzeug.filters):
        werkzeug.addFilter(DropClientAddress())
    if app is None:
        return
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    if log_format == "json":
        app.after_request(_log_request)
