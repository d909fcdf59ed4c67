"""The queue past 50, over HTTP: keyset pages ("Next", "Previous") that stay put while items
arrive, the kind, reason and age filters (a plain GET form), and a query count that does not
grow with the queue (3 items and 200)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.accounts.models import Role
from forum.db import db, utcnow
from forum.moderation import queue
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.test_queries import _queries
from tests.moderation.web import client_as

LINK = re.compile(r'href="/moderation/(story|reply)/(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">Next</a>')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">Previous</a>')


def _items(html: str) -> list[tuple[str, int]]:
    """The queue's items in page order (each is linked twice)."""
    main = html[html.index('<ol class="queue">') :]
    return list(dict.fromkeys((kind, int(i)) for kind, i in LINK.findall(main)))


def _link(pattern, html: str) -> str | None:
    found = pattern.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def _seed(app, stories: int, replies: int = 0, crisis: int = 0) -> None:
    with app.app_context():
        load_tags()
        for i in range(stories):
            make_story(title=f"Pending {i}")
        for i in range(crisis):
            make_story(title=f"Crisis {i}", body="I want to die")
        if replies:
            thread = make_story(title="Thread", status=Status.PUBLISHED)
            for i in range(replies):
                make_reply(thread, body=f"Reply {i}")
        db.session.remove()


def _expected(app) -> list[tuple[str, int]]:
    with app.app_context():
        items, _ = queue.load_queue(limit=10_000)
        return [(q.kind, q.item.id) for q in items]


@pytest.fixture
def keeper(app):
    with app.app_context():
        make_user("keeper", role=Role.MODERATOR)
        db.session.remove()
    return client_as(app, "keeper")


def test_next_and_previous_walk_the_whole_queue_once(app, keeper):
    app.config["MODERATION_QUEUE_SIZE"] = 50
    _seed(app, stories=100, replies=20, crisis=3)
    first = keeper.get("/moderation").get_data(as_text=True)
    assert "123 waiting" in first and "Showing 50 at a time" in first
    assert _link(PREVIOUS, first) is None
    pages, html = [_items(first)], first
    while (url := _link(NEXT, html)) is not None:
        html = keeper.get(url).get_data(as_text=True)
        pages.append(_items(html))
    assert [len(p) for p in pages] == [50, 50, 23]
    assert [item for page in pages for item in page] == _expected(app)
    # Back from the last page: the second page again, then the first.
    back = keeper.get(_link(PREVIOUS, html)).get_data(as_text=True)
    assert _items(back) == pages[1]
    start = keeper.get(_link(PREVIOUS, back)).get_data(as_text=True)
    assert _items(start) == pages[0]
    assert _link(PREVIOUS, start) is None


def test_pages_stay_put_while_items_arrive(app, keeper):
    app.config["MODERATION_QUEUE_SIZE"] = 10
    _seed(app, stories=25)
    first = keeper.get("/moderation").get_data(as_text=True)
    seen = _items(first)
    # New items arrive: crisis ones go first, new pending ones go last.
    _seed(app, stories=3, crisis=2)
    second = _items(keeper.get(_link(NEXT, first)).get_data(as_text=True))
    assert len(second) == 10 and not set(second) & set(seen)
    assert second == [i for i in _expected(app) if i not in seen][2:12]


def test_filters_by_kind_reason_and_age(app, keeper):
    _seed(app, stories=4, replies=3, crisis=2)
    with app.app_context():
        old_id = db.session.scalar(select(Story.id).where(Story.title == "Pending 0"))
        eight_days = utcnow() - timedelta(days=8)
        db.session.execute(update(Story).where(Story.id == old_id).values(submitted_at=eight_days))
        db.session.commit()
    replies = keeper.get("/moderation?kind=reply").get_data(as_text=True)
    assert {k for k, _ in _items(replies)} == {"reply"} and len(_items(replies)) == 3
    assert "3 match" in replies
    crisis = _items(keeper.get("/moderation?reason=crisis").get_data(as_text=True))
    assert len(crisis) == 2 and all(k == "story" for k, _ in crisis)
    old_only = _items(keeper.get("/moderation?age=7").get_data(as_text=True))
    assert old_only == [("story", old_id)]
    none = keeper.get("/moderation?kind=reply&reason=crisis").get_data(as_text=True)
    assert "Nothing waiting matches these filters." in none
    # The form shows what was chosen, and a way back to everything.
    assert '<option selected value="reply">' in replies
    assert "Show everything waiting" in replies


@pytest.mark.parametrize(
    "query",
    ["kind=poems", "reason=x", "age=-1", "after=1-2-3", "before=9-99999999999999999999-0-1"],
)
def test_odd_parameters_show_the_queue(app, keeper, query):
    _seed(app, stories=2)
    response = keeper.get(f"/moderation?{query}")
    assert response.status_code == 200
    assert len(_items(response.get_data(as_text=True))) == 2


def test_filters_are_kept_across_pages(app, keeper):
    app.config["MODERATION_QUEUE_SIZE"] = 2
    _seed(app, stories=3, replies=5)
    html = keeper.get("/moderation?kind=reply").get_data(as_text=True)
    url = _link(NEXT, html)
    assert "kind=reply" in url
    assert {k for k, _ in _items(keeper.get(url).get_data(as_text=True))} == {"reply"}


def test_the_queue_page_query_count_is_the_same_for_3_and_200_items(app, keeper):
    app.config["MODERATION_QUEUE_SIZE"] = 50
    _seed(app, stories=2, replies=1)
    small = _queries(app, keeper, "/moderation")
    small_filtered = _queries(app, keeper, "/moderation?reason=waiting&age=1")
    _seed(app, stories=150, replies=47)
    large = _queries(app, keeper, "/moderation")
    large_filtered = _queries(app, keeper, "/moderation?reason=waiting&age=1")
    assert (small, small_filtered) == (large, large_filtered)
    html = keeper.get("/moderation").get_data(as_text=True)
    assert "200 waiting" in html
    later = _queries(app, keeper, _link(NEXT, html))
    assert later == large, (later, large)
    assert large <= 20, large
