"""Wiring of the web layer: extensions, blueprints, request hooks and response headers."""

from __future__ import annotations

from flask import Flask

from forum import db as database
from forum.accounts.session import init_login
from forum.accounts.views import bp as accounts_bp
from forum.api.views import bp as api_bp
from forum.assets import init_assets
from forum.caching import init_cache
from forum.config import ROOT
from forum.data_rights.views import bp as data_rights_bp
from forum.extensions import csrf, db, init_migrations, limiter
from forum.following.views import bp as following_bp
from forum.insights.views import bp as insights_bp
from forum.moderation.changes_views import bp as teller_changes_bp
from forum.moderation.views import bp as moderation_bp
from forum.operations.views import answer_health_first
from forum.operations.views import bp as operations_bp
from forum.pages.views import bp as pages_bp
from forum.resources.views import bp as resources_bp
from forum.routing import init_routing
from forum.safety.client_key import warm_secret_of_the_day
from forum.safety.headers import init_headers
from forum.safety.logs import init_logging
from forum.sharing.changes_views import bp as story_changes_bp
from forum.sharing.drafts_views import bp as drafts_bp
from forum.sharing.views import bp as sharing_bp
from forum.stories.views import bp as stories_bp
from forum.taxonomy.views import bp as taxonomy_bp
from forum.templating import init_templating

TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


def init_app(app: Flask) -> None:
    """Bind extensions and register every blueprint."""
    db.init_app(app)
    init_migrations(app, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    # /healthz answers before the hooks below, which need the database it reports on.
    answer_health_first(app)
    # Today's client-key secret is read before anything else opens a transaction.
    app.before_request(warm_secret_of_the_day)
    limiter.init_app(app)
    init_cache(app)
    init_login(app)
    database.init_database(app)
    init_assets(app)  # before the headers: its compression runs after them
    init_headers(app)
    init_logging(app)
    init_templating(app)
    init_routing(app)
    for blueprint in (pages_bp, accounts_bp, data_rights_bp, sharing_bp, stories_bp, taxonomy_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(resources_bp)
    app.register_blueprint(following_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(teller_changes_bp)
    app.register_blueprint(story_changes_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(api_bp)
