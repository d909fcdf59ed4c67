"""Heard: an anonymous, moderated community for people let down or harmed by therapy."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from forum import cli, errors, web
from forum.config import CONFIGS, INSTANCE, development_secret, environment_overrides


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, headers and error pages."""
    env = (overrides or {}).get("ENV_NAME") or os.environ.get("FORUM_ENV", "production")
    config_class = CONFIGS.get(env)
    if config_class is None:
        raise RuntimeError(f"FORUM_ENV must be one of {sorted(CONFIGS)}, not {env!r}.")

    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(web.TEMPLATES),
        static_folder=str(web.STATIC),
    )
    app.config.from_object(config_class)
    app.config.update(environment_overrides(app.config, os.environ))
    app.config.update(overrides or {})
    if env == "development" and not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = development_secret(INSTANCE)
    config_class.check(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE.mkdir(parents=True, exist_ok=True)

    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0
        )

    web.init_app(app)
    errors.register_error_handlers(app)
    cli.register(app)
    return app
