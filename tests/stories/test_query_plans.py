"""The reader's queries read indexes, never every story or every story tag (issue 14).

Each reading function runs as a page runs it; every SELECT it sent is explained on the same
connection, and no step of any plan may read the whole of `stories` or `story_tags`.

How each engine is asked:
- SQLite: `EXPLAIN QUERY PLAN`. Without ANALYZE statistics (Heard never runs it) SQLite's
  planner does not weigh how many rows a table holds, so the plan for a few rows is the plan
  for 100,000: a `SCAN stories` here would be one there.
- PostgreSQL: `EXPLAIN (FORMAT JSON)` after `SET LOCAL enable_seqscan = off`. With a few rows
  the planner rightly reads whole tables (a page or two is cheaper than any index), so its
  plan here says nothing about 100,000 rows; with sequential scans priced out it must show
  the index path it has, and where none exists it still falls back to a Seq Scan, which this
  test catches. (tests/bench/search.py measures the plans it picks at 10,000 and 100,000.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from forum.accounts.models import Role
from forum.db import db
from forum.search import query as search_query
from forum.stories import lifecycle, reading
from forum.stories.models import StoryKind
from forum.taxonomy.services import get_tag
from tests.factories import load_tags, make_story, make_user

WHOLE_TABLES = ("stories", "story_tags")
F = reading.StoryFilters
WORDS = search_query.parse("listened")
CASES: dict[str, Callable[[], object]] = {
    "listing": lambda: reading.published_stories(F()),
    "listing, page 2": lambda: reading.published_stories(F(), after=_cursor()),
    "one kind": lambda: reading.published_stories(F(kind=StoryKind.EXPERIENCE)),
    "tag filter": lambda: reading.published_stories(F(tags=("not-heard",), exclude=("no-say",))),
    "a tag's page": lambda: reading.published_tag_stories(get_tag("not-heard")),
    "pinned": lambda: reading.pinned_for_page(F(), None),
    "pinned, with a tag": lambda: reading.pinned_for_page(F(tags=("not-heard",)), None),
    "featured (home page)": lambda: reading.published_stories(F(), featured_only=True),
    "search, ranked": lambda: reading.published_stories(F(search=WORDS), ranked=True),
    "search, newest": lambda: reading.published_stories(F(search=WORDS), after=_cursor()),
    "search with filters": lambda: reading.published_stories(
        F(search=WORDS, tags=("not-heard",), setting="private"), ranked=True, page=2
    ),
    "heading counts": lambda: [
        reading.count_published_stories(f)
        for f in (F(), F(kind=StoryKind.PRACTICE), F(tags=("not-heard",)), F(search=WORDS))
    ],
    "tag counts": lambda: (reading.tag_counts(), reading.tag_page_counts()),
}


def _cursor() -> reading.Cursor:
    first = reading.published_stories(F(), limit=1).stories[0]
    assert first.published_at is not None
    return reading.Cursor(first.published_at, first.id)


@contextmanager
def selects():
    """The SELECT statements (with their parameters) run inside the block."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def whole_table_reads(statement: str, parameters) -> list[str]:
    """The plan steps that read all of stories or story_tags."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        details = [row[3] for row in rows]
        return [d for d in details if d.split()[:2] in (["SCAN", t] for t in WHOLE_TABLES)]
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    raw = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = raw if isinstance(raw, list) else json.loads(raw)
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in WHOLE_TABLES:
            found.append(f"Seq Scan on {node['Relation Name']}")
    return found


@pytest.fixture
def stories(ctx):
    load_tags()
    moderator = make_user("kestrel", role=Role.MODERATOR)
    for n in range(6):
        story = make_story(
            title=f"Nobody listened {n}",
            harm_tags=["not-heard", "no-say"] if n % 2 else ["not-heard"],
            kind=StoryKind.EXPERIENCE,
        )
        lifecycle.approve_story(moderator, story, "Fine")
        if n == 3:
            lifecycle.set_flag(moderator, story, "pinned", True, "Fine")
            lifecycle.set_flag(moderator, story, "featured", True, "Fine")
    db.session.commit()
    return ctx


@pytest.mark.parametrize("case", list(CASES))
def test_reader_queries_use_indexes(stories, case):
    with selects() as statements:
        CASES[case]()
    assert statements, case
    for statement, parameters in statements:
        assert whole_table_reads(statement, parameters) == [], statement


def test_the_check_catches_a_whole_table_read(stories):
    """The check itself: a filter no index covers is reported, on both engines."""
    statement = "SELECT id FROM stories WHERE roughly_when = 'x'"
    assert whole_table_reads(statement, ()) != []
