"""/api/v1: published stories, tags, resources, guides and the insights tables, as JSON.

Every answer is read-only and public: the same services the pages call, the fields a reader
sees on the page. Each JSON answer carries an ETag and honours If-None-Match; errors are RFC
9457 problem details in one shape; requests are rate limited per client (LIMIT_API); no
CORS headers are sent, so other sites' scripts cannot read it from a browser.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from forum.api import reading
from forum.api.spec import PROBLEM, documented, openapi
from forum.errors import DomainError
from forum.extensions import csrf, rate_limit
from forum.insights.export import as_data
from forum.insights.services import insights
from forum.resources.services import DirectoryFilters, list_directory, list_guides
from forum.stories.reading import Cursor, published_stories, published_story_page, tag_counts
from forum.taxonomy.services import list_groups_with_tags, list_practice_tags

bp = Blueprint("api", __name__)
rate_limit("LIMIT_API", methods=["GET", "HEAD"])(bp)
# Read-only: nothing here changes state, so a POST gets a 405 problem, not a CSRF page.
csrf.exempt(bp)
WRITES = ["POST", "PUT", "PATCH", "DELETE"]

PREFIX = "/api/v1"
MAX_LIMIT = 50
PAGE_PARAMETERS = (
    {
        "name": "after",
        "in": "query",
        "required": False,
        "description": "The `next` value of the page before; leave out for the first page.",
        "schema": {"type": "string", "maxLength": 40},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Stories per page, 1 to {MAX_LIMIT} (default 20).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    },
)


def _json(data: dict) -> Response:
    """A JSON answer with a strong ETag of its body; 304 when the client already has it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)  # in place: a 304 when the ETag matches
    return response


def problem(status: int, title: str, detail: str = "") -> Response:
    """An RFC 9457 problem details answer."""
    data = {"type": "about:blank", "title": title, "status": status}
    if detail:
        data["detail"] = detail
    return Response(json.dumps(data), status=status, mimetype=PROBLEM)


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException) -> Response:
    """Any HTTP error inside the API (404, 405, 429...) as problem details."""
    response = problem(error.code or 500, error.name, error.description or "")
    if error.code == 429:
        response.headers["Retry-After"] = "60"
    return response


@bp.errorhandler(DomainError)
def domain_problem(error: DomainError) -> Response:
    """A service's typed error (NotFound, Invalid) as problem details."""
    return problem(
        error.status, "Not Found" if error.status == 404 else "Bad Request", error.message
    )


@bp.after_request
def errors_as_problems(response: Response) -> Response:
    """Errors the app's own handlers answered (the database away, a fault) as problem details
    too: they have logged and rolled back already; only the kind HTML page is swapped."""
    if response.status_code < 400 or response.mimetype == PROBLEM:
        return response
    status = response.status_code
    answer = problem(status, HTTP_STATUS_CODES.get(status, "Error"))
    for header in ("Retry-After", "Allow"):
        if header in response.headers:
            answer.headers[header] = response.headers[header]
    return answer


def _limit() -> int:
    raw = request.args.get("limit", "20")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise DomainError(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


@bp.get(f"{PREFIX}/stories")
@documented("Published stories, newest first", "StoryPage", PAGE_PARAMETERS)
def stories():
    """One page of published stories by keyset: pass `next` back as `after` for the next."""
    page = published_stories(after=Cursor.decode(request.args.get("after")), limit=_limit())
    ids = [story.id for story in page.stories]
    replies, reactions = reading.reply_counts(ids), reading.reaction_counts(ids)
    return _json(
        {
            "items": [
                reading.story_data(
                    s, page.tags.get(s.id, ()), replies.get(s.id, 0), reactions.get(s.id, {})
                )
                for s in page.stories
            ],
            "next": page.next_cursor.encode() if page.next_cursor else None,
        }
    )


@bp.get(f"{PREFIX}/stories/<id:story_id>")
@documented("One published story", "Story", not_found=True)
def story(story_id: int):
    """A published story; anything else (pending, hidden, withdrawn, erased) is 404."""
    shown = published_story_page(story_id)
    replies = reading.reply_counts([story_id]).get(story_id, 0)
    reactions = {kind.value: count for kind, count in shown.reactions.items()}
    return _json(reading.story_data(shown.story, shown.tags, replies, reactions))


@bp.get(f"{PREFIX}/tags")
@documented("Harm and practice tags with their published story counts", "TagList")
def tags():
    """Every tag in use (not retired), with how many published stories carry it."""
    counts = tag_counts()
    items = [
        reading.tag_data(tag, counts.get(tag.slug, 0), listing.group.slug)
        for listing in list_groups_with_tags()
        for tag in listing.tags
    ]
    items += [reading.tag_data(t, counts.get(t.slug, 0), None) for t in list_practice_tags()]
    return _json({"items": items})


@bp.get(f"{PREFIX}/resources")
@documented("The resource directory", "ResourceList")
def resources():
    """Every active resource in the directory, by category."""
    sections = list_directory(DirectoryFilters())
    return _json(
        {"items": [reading.resource_data(r) for section in sections for r in section.resources]}
    )


@bp.get(f"{PREFIX}/guides")
@documented("Heard's guides", "GuideList")
def guides():
    """Every guide, with its text as its page shows it."""
    return _json({"items": [reading.guide_data(g) for g in list_guides()]})


@bp.get(f"{PREFIX}/insights")
@documented("Every insights table, suppressed and rounded as on /insights", "Insights")
def insights_tables():
    """All insights tables; a hidden figure is null."""
    result = insights()
    return _json(
        {
            "threshold": result.rule.threshold,
            "round_to": result.rule.round_to,
            "total": result.total,
            "tables": [as_data(table) for table in result.tables],
        }
    )


@bp.get(f"{PREFIX}/insights/<slug>")
@documented("One insights table", "InsightsTable", not_found=True)
def insights_table(slug: str):
    """One insights table by its slug (see /insights/data)."""
    try:
        table = insights().table(slug)
    except KeyError:
        raise NotFound("There is no insights table by that name.") from None
    return _json(as_data(table))


@bp.get(f"{PREFIX}/openapi.json")
def spec():
    """The OpenAPI 3.1 document of this API."""
    return _json(openapi(current_app, bp.name))


@bp.get("/api")
def reference():
    """A readable reference of the API, from the same document."""
    return render_template("api/reference.html", title="API", spec=openapi(current_app, bp.name))


@bp.route(f"{PREFIX}/<path:anything>")
@bp.route(PREFIX, defaults={"anything": ""})
def unknown(anything: str):
    """Anything else under /api/v1 is a problem-details 404, not an HTML page."""
    raise NotFound("There is nothing at this address in the API.")


@bp.route(f"{PREFIX}/<path:anything>", methods=WRITES)
@bp.route(PREFIX, methods=WRITES, defaults={"anything": ""})
def read_only(anything: str):
    """The API changes nothing: any write is a problem-details 405."""
    raise MethodNotAllowed(valid_methods=["GET", "HEAD"], description="This API is read-only.")
