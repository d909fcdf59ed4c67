"""Flask extensions, created unbound and bound to the app in create_app()."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import flask_limiter
from flask import Flask, current_app
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from forum.db import db
from forum.safety.client_key import request_client_key


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, bound afresh by each app rather than keeping the state of an earlier one."""

    def init_app(self, app: Flask) -> None:
        """Bind to the app; an earlier app's dead-storage flag or key prefix does not carry over."""
        # One Limiter serves every app a process builds (the test suite builds hundreds), and
        # Flask-Limiter would keep these from the first; a new app reads them from its settings
        # and starts on its own storage with a fresh retry pause.
        self._storage_dead = False
        self._key_prefix = ""
        self._in_memory_fallback_enabled = False
        self._Limiter__check_backend_count = 0
        self._Limiter__last_check_backend = time.time()
        # Heard sets no limits in code, so default and application limits come only from the
        # settings: without this, the first app's RATELIMIT_DEFAULT would apply to every later app.
        self.limit_manager.set_default_limits([])
        self.limit_manager.set_application_limits([])
        super().init_app(app)


login_manager = LoginManager()
csrf = CSRFProtect()
# When the shared storage (Redis) fails and RATELIMIT_IN_MEMORY_FALLBACK_ENABLED is on (the
# default), Flask-Limiter counts in this process's memory, logs one warning, and tries the storage
# again after a growing pause (1 s, doubling to 32 s, then from 1 s again) until it answers.
limiter = Limiter(key_func=request_client_key)


def rate_limit(setting: str, **options) -> Callable:
    """Rate-limit POSTs of a view by the keyed client hash, with the limit read from a setting.

    The setting (e.g. "LIMIT_SUBMIT") is read at request time, so tests and operators can change
    it; its name is the bucket's scope, so two limits on one view never share a counter.
    """
    options.setdefault("methods", ["POST"])
    return limiter.limit(lambda: current_app.config[setting], scope=setting, **options)


def init_migrations(app: Flask, directory: str) -> None:
    """Bind Flask-Migrate (`flask db ...`) where migrations run: the flask command and tests.

    Flask-Migrate imports Alembic, Mako and Pygments (about 11 MiB in every process) that a web
    worker never uses, so a server (gunicorn) does not load them at all.
    """
    if not (app.testing or os.environ.get("FLASK_RUN_FROM_CLI")):
        return
    from flask_migrate import Migrate  # here, so a web worker never imports it

    Migrate(app, db, directory=directory)


__all__ = ["csrf", "db", "init_migrations", "limiter", "login_manager", "rate_limit"]
