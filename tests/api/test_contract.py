"""Contract tests: schemathesis generates requests from /api/v1/openapi.json and checks every
answer against the document (no 5xx, status codes, content types, headers and bodies as
declared, with no undeclared field), on a small world of visible and invisible stories."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from forum.db import db
from forum.stories.models import Status
from tests.factories import load_tags
from tests.insights.data import add_many, add_story

# Enough generated requests per operation to try odd ids, cursors and limits; few enough to
# keep the whole file to seconds on the shared machine.
EXAMPLES = 20


@pytest.fixture
def api_schema(app):
    """The API of an app holding published and unpublished stories."""
    with app.app_context():
        load_tags()
        add_many(12, harm=["not-heard", "got-worse"], practice=["nature"])
        for status in (Status.PENDING, Status.WITHDRAWN, Status.REMOVED):
            add_story(harm=["prejudice"], status=status, title="Never through the API")
        db.session.remove()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_answer_keeps_to_the_document(api_schema):
    """No server error and nothing outside the schema, whatever schemathesis sends to any
    operation; and an unpublished story never shows in an answer."""
    tried = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def check(case) -> None:
            # schemathesis reads a WSGI answer's bytes as they come; ask for them uncompressed
            # (Flask-Compress would otherwise send br or gzip for a large answer).
            response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
            assert "Never through the API" not in response.text

        check()
    assert len(tried) == 7, tried


def test_every_story_field_is_on_the_story_page(app, client):
    """What the API says of a story (title, text, tags) is what its page shows."""
    with app.app_context():
        load_tags()
        add_many(3, harm=["not-heard"], practice=["nature"])
    for story in client.get("/api/v1/stories").get_json()["items"]:
        page = client.get(f"/stories/{story['id']}").get_data(as_text=True)
        assert story["title"] in page
        assert story["body_html"] in page
        for tag in story["harm_tags"] + story["practice_tags"]:
            assert tag["name"] in page
