"""The queue and item pages run a bounded number of queries, whatever the queue's size."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from forum.accounts.models import Role
from forum.db import db
from forum.moderation import reports
from forum.stories.models import Status
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.web import client_as


@contextmanager
def counting(app):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add(app, n: int, start: int) -> None:
    """n queued items of every shape: pending stories by accounts, crisis, reported, replies."""
    with app.app_context():
        for i in range(start, start + n):
            author = make_user(f"teller{i}")
            kind = i % 4
            if kind == 0:
                make_story(title=f"Pending {i}", author=author, harm_tags=["not-heard", "no-say"])
            elif kind == 1:
                make_story(title=f"Crisis {i}", body="I want to die", answers={"affected": "x"})
            elif kind == 2:
                story = make_story(title=f"Reported {i}", status=Status.PUBLISHED, author=author)
                reports.file_report(None, f"c:{i}", "story", story.id, "at-risk", "worried")
            else:
                story = make_story(title=f"Thread {i}", status=Status.PUBLISHED)
                make_reply(story, body=f"Reply {i} from Dr Who", author=author)


def _queries(app, client, url) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_queue_query_count_does_not_grow_with_the_queue(app):
    app.config["MODERATION_QUEUE_SIZE"] = 100
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
    _add(app, 5, 0)
    client = client_as(app, "keeper")
    small = _queries(app, client, "/moderation")
    assert "5 waiting" in client.get("/moderation").get_data(as_text=True)
    _add(app, 35, 5)
    large = _queries(app, client, "/moderation")
    assert "40 waiting" in client.get("/moderation").get_data(as_text=True)
    assert large == small, (small, large)
    assert small <= 20


def test_the_item_page_query_count_is_bounded(app):
    app.config["REPORTS_TO_HIDE"] = 100
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        author = make_user("wren")
        few = make_story(title="Few", author=author, status=Status.PUBLISHED)
        reports.file_report(None, "c:1", "story", few.id, "unkind")
        many = make_story(
            title="Many",
            author=author,
            status=Status.PUBLISHED,
            harm_tags=["not-heard", "no-say", "invalidated"],
        )
        for i in range(10):
            reports.file_report(None, f"c:{i}", "story", many.id, "unkind", f"detail {i}")
        few_id, many_id = few.id, many.id
    client = client_as(app, "keeper")
    assert _queries(app, client, f"/moderation/story/{few_id}") == _queries(
        app, client, f"/moderation/story/{many_id}"
    )
