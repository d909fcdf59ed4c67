"""GET /healthz: the state of the database and Redis, as small JSON (200 or 503)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from forum.extensions import limiter
from forum.operations import health

bp = Blueprint("operations", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 while the database answers (Redis down is only reported), 503 when it does not."""
    state = health.check(current_app.config)
    response = jsonify(state.as_dict())
    response.status_code = 200 if state.ok else 503
    response.headers["Cache-Control"] = "no-store"
    if not state.ok:
        response.headers["Retry-After"] = "30"
    return response


def answer_health_first(app: Flask) -> None:
    """Answer /healthz before any other request hook runs.

    Other hooks need the database (today's client-key secret, the signed-in account): when it
    is down they would fail first, and the probe would get an HTML error page, not the JSON.
    Register this before them.
    """

    @app.before_request
    def _health_first():
        if request.endpoint == "operations.healthz":
            return healthz()
        return None
