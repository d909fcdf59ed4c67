"""The JSON API over HTTP: published content only, public fields only, keyset pages, ETags,
problem details, rate limits and no CORS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.db import db
from forum.stories import lifecycle
from forum.stories.models import Reaction, ReactionKind, Reply, Status
from tests.conftest import make_test_app
from tests.factories import load_tags
from tests.insights.data import add_story
from tests.stories.test_queries import counting
from tests.test_faults import Outage

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _publish(app, count: int, **fields) -> list[int]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        return [
            add_story(harm=["not-heard"], published_at=start + timedelta(hours=n), **fields).id
            for n in range(count)
        ]


@pytest.fixture
def world(app):
    """Five published stories, and one of each kind that readers must never see."""
    with app.app_context():
        load_tags()
    published = _publish(app, 5, title="Seen")
    with app.app_context():
        unseen = {
            "pending": add_story(harm=["not-heard"], status=Status.PENDING, title="Unseen").id,
            "withdrawn": add_story(harm=["not-heard"], status=Status.WITHDRAWN, title="Unseen").id,
            "hidden": add_story(
                harm=["not-heard"],
                status=Status.REMOVED,
                hidden_pending_review=True,
                title="Unseen",
            ).id,
            "rejected": add_story(harm=["not-heard"], status=Status.REJECTED, title="Unseen").id,
        }
        erased = add_story(harm=["not-heard"], title="Unseen")
        unseen["erased"] = erased.id
        lifecycle.erase_story(erased)
        db.session.commit()
    return published, unseen


def _all_stories(client) -> list[dict]:
    items, after = [], None
    while True:
        url = "/api/v1/stories?limit=2" + (f"&after={after}" if after else "")
        page = client.get(url).get_json()
        items += page["items"]
        after = page["next"]
        if after is None:
            return items


def test_hidden_pending_withdrawn_and_erased_stories_never_appear(world, client):
    """Not in any page, not by id, not in tag counts, not in the insights total."""
    published, unseen = world
    listed = _all_stories(client)
    assert sorted(s["id"] for s in listed) == sorted(published)
    assert all(s["title"] == "Seen" for s in listed)
    for story_id in unseen.values():
        response = client.get(f"/api/v1/stories/{story_id}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    tags = {t["slug"]: t["stories"] for t in client.get("/api/v1/tags").get_json()["items"]}
    assert tags["not-heard"] == 5


def test_a_story_has_only_public_fields(world, client, app):
    """Title, text as shown, tags, month, thread type and counts; nothing about the teller."""
    story_id = world[0][0]
    with app.app_context():
        db.session.add(
            Reply(
                story_id=story_id,
                status=Status.PUBLISHED,
                body="x",
                body_html="<p>x</p>",
                alias="Anonymous heron",
                form_token_hash="r" * 64,
                published_at=datetime(2026, 1, 2, tzinfo=UTC),
            )
        )
        db.session.add(
            Reply(
                story_id=story_id,
                status=Status.PENDING,
                body="y",
                body_html="<p>y</p>",
                alias="Anonymous wren",
                form_token_hash="s" * 64,
            )
        )
        db.session.add(Reaction(story_id=story_id, kind=ReactionKind.HEAR, actor_key="u:1"))
        db.session.commit()
    data = client.get(f"/api/v1/stories/{story_id}").get_json()
    assert set(data) == {
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
    }
    assert data["month"] == "2026-01"
    assert data["harm_tags"] == [{"slug": "not-heard", "name": data["harm_tags"][0]["name"]}]
    assert data["counts"] == {"replies": 1, "reactions": {"hear": 1, "me-too": 0, "thanks": 0}}
    text = client.get("/api/v1/stories").get_data(as_text=True)
    for private in ("status", "client_key", "author_key", "token", "handle", "version"):
        assert f'"{private}' not in text


def test_pages_follow_the_keyset_without_gaps_or_repeats(world, client):
    """Five stories two at a time: three pages, newest first, each story once."""
    first = client.get("/api/v1/stories?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next"]
    everything = _all_stories(client)
    ids = [s["id"] for s in everything]
    assert ids == sorted(world[0], reverse=True)


def test_a_bad_limit_is_a_problem_not_a_crash(client):
    """limit=0, limit=999 and limit=abc are 400 problem details."""
    for raw in ("0", "999", "abc", "١"):
        response = client.get(f"/api/v1/stories?limit={raw}")
        assert response.status_code == 400
        assert set(response.get_json()) == PROBLEM_KEYS


def test_etags_answer_304_and_change_with_the_content(world, client, app):
    """The same content keeps its ETag; a newly published story changes it."""
    response = client.get("/api/v1/stories")
    etag = response.headers["ETag"]
    again = client.get("/api/v1/stories", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    _publish(app, 1)
    assert client.get("/api/v1/stories", headers={"If-None-Match": etag}).status_code == 200


def test_errors_share_one_problem_shape(client):
    """Unknown paths, unknown tables, wrong methods: application/problem+json."""
    for method, url, status in [
        ("get", "/api/v1/nothing-here", 404),
        ("get", "/api/v1/insights/nothing", 404),
        ("get", "/api/v1/stories/99999", 404),
        ("post", "/api/v1/stories", 405),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == status and body["type"] == "about:blank" and body["title"]


def test_a_database_outage_is_a_503_problem(app, client):
    """With the database unreachable the API answers a 503 problem with Retry-After, not the
    HTML page the rest of Heard shows."""
    client.get("/api/v1/guides")  # today's client-key secret is read once, before the outage
    with Outage(app):
        response = client.get("/api/v1/stories")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503
    assert response.headers["Retry-After"]


def test_no_cors_headers_are_sent(world, client):
    """Another site's script may not read the API from a browser."""
    response = client.get("/api/v1/stories", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_rate_limit_answers_a_problem(database_uri, engine_name):
    """Past LIMIT_API, a 429 problem with Retry-After."""
    app = make_test_app(database_uri, RATELIMIT_ENABLED=True, LIMIT_API="2 per minute")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [client.get("/api/v1/guides").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/guides")
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    with app.app_context():
        db.engine.dispose()


def test_insights_through_the_api_match_the_page_rule(app, client):
    """Three stories in all: the API shows no figure, only nulls."""
    with app.app_context():
        load_tags()
    _publish(app, 3)
    data = client.get("/api/v1/insights").get_json()
    assert data["total"] is None and data["threshold"] == 10
    assert all(c is None for t in data["tables"] for r in t["rows"] for c in r["counts"])


def test_a_page_of_stories_takes_a_fixed_number_of_queries(world, client, app):
    """Two stories or twenty: the same statements."""
    client.get("/api/v1/stories")
    with counting(app) as few:
        client.get("/api/v1/stories?limit=2")
    _publish(app, 20)
    with counting(app) as many:
        client.get("/api/v1/stories?limit=20")
    assert len(many) == len(few)


def test_the_reference_page_reads_from_the_spec(client):
    """/api lists every path of the OpenAPI document, which is 3.1."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    page = client.get("/api").get_data(as_text=True)
    for path in spec["paths"]:
        assert f"GET {path}" in page
