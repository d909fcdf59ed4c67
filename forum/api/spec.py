"""The OpenAPI 3.1 document, generated from the API's own views with apispec.

Each view says what it answers with `@documented(...)`; `openapi(app)` walks the app's URL
map for the API's endpoints and hands apispec each path, its parameters and responses, next
to the schemas below. apispec is used without marshmallow: it only assembles and checks the
document, which keeps it the lightest fit for a handful of plain Flask 3 views.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from apispec import APISpec
from flask import Flask

from forum.routing import MAX_ID

PROBLEM = "application/problem+json"
# A URL rule's argument, with its converter: `<id:story_id>`, `<slug>`. Rules are ours, not
# user text, so the standard library's re is fine here.
_PATH_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")

_nullable_int = {"type": ["integer", "null"], "minimum": 0}
_nullable_share = {"type": ["integer", "null"], "minimum": 0, "maximum": 100}
_tag_ref = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "name"],
    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
}

SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "description": "An error, as RFC 9457 problem details.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    },
    "Story": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "thread_type",
            "title",
            "body_html",
            "helped_instead_html",
            "month",
            "harm_tags",
            "practice_tags",
            "content_notes",
            "counts",
        ],
        "properties": {
            "id": {"type": "integer"},
            "thread_type": {"type": "string", "enum": ["experience", "practice"]},
            "title": {"type": "string"},
            "body_html": {"type": "string", "description": "The story as its page shows it."},
            "helped_instead_html": {"type": ["string", "null"]},
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "harm_tags": {"type": "array", "items": _tag_ref},
            "practice_tags": {"type": "array", "items": _tag_ref},
            "content_notes": {"type": "array", "items": {"type": "string"}},
            "counts": {
                "type": "object",
                "additionalProperties": False,
                "required": ["replies", "reactions"],
                "properties": {
                    "replies": {"type": "integer", "minimum": 0},
                    "reactions": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["hear", "me-too", "thanks"],
                        "properties": {
                            k: {"type": "integer", "minimum": 0}
                            for k in ("hear", "me-too", "thanks")
                        },
                    },
                },
            },
        },
    },
    "StoryPage": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Story"}},
            "next": {
                "type": ["string", "null"],
                "description": "The `after` value of the next page; null on the last page.",
            },
        },
    },
    "TagList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug", "name", "description", "kind", "group", "stories"],
                    "properties": {
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "kind": {"type": "string", "enum": ["harm", "practice"]},
                        "group": {"type": ["string", "null"]},
                        "stories": {"type": "integer", "minimum": 0},
                    },
                },
            }
        },
    },
    "ResourceList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "id",
                        "title",
                        "url",
                        "organisation",
                        "description",
                        "category",
                        "regions",
                        "tags",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "url": {"type": "string"},
                        "organisation": {"type": "string"},
                        "description": {"type": "string"},
                        "category": {"type": "string"},
                        "regions": {"type": "array", "items": {"type": "string"}},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    },
    "GuideList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug", "title", "summary", "body_html"],
                    "properties": {
                        k: {"type": "string"} for k in ("slug", "title", "summary", "body_html")
                    },
                },
            }
        },
    },
    "InsightsTable": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "slug",
            "title",
            "description",
            "adds_up",
            "total",
            "share_of",
            "columns",
            "rows",
        ],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "adds_up": {"type": "boolean"},
            "total": _nullable_int,
            "share_of": {"type": "string"},
            "columns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["key", "label"],
                    "properties": {"key": {"type": "string"}, "label": {"type": "string"}},
                },
            },
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["key", "label", "group", "base", "counts", "shares"],
                    "properties": {
                        "key": {"type": "string"},
                        "label": {"type": "string"},
                        "group": {"type": ["string", "null"]},
                        "base": _nullable_int,
                        "counts": {
                            "type": "array",
                            "items": _nullable_int,
                            "description": "null where the small-number rule hides a count",
                        },
                        "shares": {"type": "array", "items": _nullable_share},
                    },
                },
            },
        },
    },
    "Insights": {
        "type": "object",
        "additionalProperties": False,
        "required": ["threshold", "round_to", "total", "tables"],
        "properties": {
            "threshold": {"type": "integer"},
            "round_to": {"type": "integer"},
            "total": _nullable_int,
            "tables": {"type": "array", "items": {"$ref": "#/components/schemas/InsightsTable"}},
        },
    },
}


def documented(summary: str, schema: str, parameters: tuple[dict, ...] = (), not_found=False):
    """Say what a view answers, for the OpenAPI document (the view is unchanged)."""

    def decorate(view: Callable) -> Callable:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "description": (view.__doc__ or "").strip(),
            "schema": schema,
            "parameters": list(parameters),
            "not_found": not_found,
        }
        return view

    return decorate


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _operation(info: dict, path_params: list[str]) -> dict:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path_params
    ] + info["parameters"]
    responses = {
        "200": {
            "description": info["summary"],
            "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{info['schema']}"}}
            },
        },
        "304": {"description": "Not modified since the ETag sent in If-None-Match."},
        "429": _problem("Too many requests from this client; try again later."),
    }
    if info["not_found"] or path_params:
        responses["404"] = _problem("Nothing published by that name.")
    return {
        "summary": info["summary"],
        "description": info["description"],
        "parameters": parameters,
        "responses": responses,
    }


def openapi(app: Flask, blueprint: str) -> dict:
    """The OpenAPI 3.1 document of every documented view of the blueprint."""
    spec = APISpec(
        title=f"{app.config['SITE_NAME']} API",
        version="1",
        openapi_version="3.1.0",
        info={
            "description": (
                "Read-only, published content only. No authentication; requests are rate "
                "limited per client. Insights figures follow the small-number rule on /insights."
            )
        },
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(f"{blueprint}."):
            continue
        info = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if info is None:
            continue
        path = _PATH_ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        operation = _operation(info, sorted(rule.arguments))
        for converter, name in _PATH_ARGUMENT.findall(rule.rule):
            if converter in {"id", "int"}:
                for parameter in operation["parameters"]:
                    if parameter["name"] == name and parameter["in"] == "path":
                        parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        spec.path(path=path, operations={"get": operation})
    return spec.to_dict()
