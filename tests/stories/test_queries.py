"""Every reading page runs a bounded number of SQL statements, whatever the amount of data.

Each page is measured with a little data, then again with much more (more stories, more tags
on each, replies, reactions, featured stories, authors with handles): the count must not grow,
and stays under a pinned ceiling so a new N+1 query shows up here first (ARCHITECTURE.md).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from forum.accounts.models import Role, User
from forum.caching import cache, content_changed
from forum.db import db
from forum.moderation.services import approve_reply
from forum.stories import responses, services
from forum.stories.models import ReactionKind, Reply, Status, StoryKind
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.web import sign_in

HARM = ["not-heard", "invalidated", "no-say", "prejudice", "got-worse", "no-progress"]
PRACTICE = ["nature", "peer-support-group", "movement"]

# Statements per page on SQLite (its BEGIN counts; PostgreSQL runs one fewer), measured and
# pinned. /stories: BEGIN, four taxonomy lists, the page, its tags, authors' recovery codes
# (User.recovery_codes is selectin-loaded with every author), the count.
CEILINGS = {
    "/": 7,
    "/stories": 11,  # 9, plus the pinned stories and their tags on the first page
    "/stories?tag=not-heard&exclude=prejudice&type=experience": 11,
    # A search runs in the same statements as a listing (forum/search joins its matches).
    "/stories?q=story&tag=not-heard": 11,
    # 8, plus one for the resources panel (forum/resources), plus one for the main regions'
    # call-or-text lines it shows a reader who has chosen no region (forum/pages/help.py),
    # plus one for the teller's approved updates (forum/stories/changes.py)
    "/stories/{story}": 11,
    "/tags": 6,  # BEGIN, the live taxonomy's four lists (kept for later pages), the counts
    "/tags/not-heard": 6,  # + the resources for the tag
    "/tags/nature": 5,
    "/feeds/stories.atom": 4,
    "/feeds/tags/not-heard.atom": 5,
}
# Each page also reads the content generation of the page cache (forum/caching.py), once; the
# ceilings above are for a cold cache (the first request after a change) less that statement.
GENERATION = 1
# With a warm cache a page runs only what is personal or cheap (SQLite; measured). Anonymous:
# BEGIN and the generation, the whole page being kept (forum/caching.py, shared_page). Signed
# in, the page is built around its kept parts: the member's own statements (SIGNED_IN_EXTRA),
# and for a story page the resources panel's and whether they follow it, for a tag page the
# tag and its resources.
WARM_CEILINGS = {
    "/": 2,
    "/stories": 2,
    "/stories?tag=not-heard&exclude=prejudice&type=experience": 2,
    "/stories?q=story&tag=not-heard": 2,
    "/stories/{story}": 2,
    "/tags": 2,
    "/tags/not-heard": 2,
    "/tags/nature": 2,
    "/feeds/stories.atom": 2,
    "/feeds/tags/not-heard.atom": 2,
}
SIGNED_IN_WARM_CEILINGS = {
    "/": 5,
    "/stories": 5,
    "/stories?tag=not-heard&exclude=prejudice&type=experience": 5,
    "/stories?q=story&tag=not-heard": 5,
    "/stories/{story}": 9,
    "/tags": 5,
    "/tags/not-heard": 7,
    "/tags/nature": 7,
    "/feeds/stories.atom": 2,
    "/feeds/tags/not-heard.atom": 3,
}
# A signed-in reader adds the session check, the account, its recovery codes and the header's
# count of their stories with news (forum/following); on a story page, whether they follow it.
SIGNED_IN_EXTRA = 4
FOLLOW_CHECK = ("/stories/{story}",)
FEEDS = ("/feeds/stories.atom", "/feeds/tags/not-heard.atom")


@contextmanager
def counting(app):
    """Count the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def add_stories(app, first: int, count: int) -> list[int]:
    """Published stories with several tags, some with notes, answers, handles or featured."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = []
    with app.app_context():
        author = db.session.scalar(select(User).where(User.handle == "teller"))
        for n in range(first, first + count):
            practice = n % 4 == 0
            story = make_story(
                status=Status.PUBLISHED,
                published_at=start + timedelta(hours=n),
                title=f"Story {n}",
                kind=StoryKind.PRACTICE if practice else StoryKind.EXPERIENCE,
                harm_tags=[HARM[n % 6], HARM[(n + 1) % 6], "not-heard"][: 3 if n % 2 else 2],
                practice_tags=[PRACTICE[n % 3], PRACTICE[(n + 1) % 3]] if practice else [],
                content_notes=["self-harm"] if n % 5 == 0 else [],
                answers={"affected": "A lot."} if n % 3 == 0 else {},
                author=author if n % 2 else None,
                show_handle=bool(n % 2),
            )
            story.featured = n % 7 in (0, 1)  # authored and anonymous ones, at any size
            ids.append(story.id)
        content_changed()
        db.session.commit()
        db.session.remove()
    return ids


def add_replies(app, story_id: int, count: int, first: int = 0) -> None:
    """Published replies (some by an account showing its handle) and reactions."""
    with app.app_context():
        moderator = db.session.scalar(select(User).where(User.handle == "mod"))
        author = db.session.scalar(select(User).where(User.handle == "teller"))
        for n in range(first, first + count):
            reply = responses.add_reply(
                story_id,
                author if n % 2 else None,
                f"Reply {n}",
                f"query-token-{n:05d}-padding",
                reader_id=f"reader-{n}",
                teller=services.Teller(),
                show_handle=bool(n % 2),
            )
            if reply.status is not Status.PUBLISHED:
                approve_reply(moderator, reply.id)
            for kind in ReactionKind:
                responses.react(story_id, kind, f"c:2025-01-01:{n:032d}")
        db.session.remove()


def _cold_and_warm(app, client, url: str) -> tuple[int, int]:
    """Statements for url with the page cache emptied, then again with it filled."""
    assert client.get(url).status_code == 200, url  # warm: day secret, caches
    with app.app_context():
        cache.clear()
    counts = []
    for _ in ("cold", "warm"):
        with counting(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(statements))
    return counts[0], counts[1]


def measure(app, client, story_id: int) -> dict[str, tuple[int, int]]:
    """Per page, the statements it runs with a cold and with a warm page cache."""
    return {t: _cold_and_warm(app, client, t.format(story=story_id)) for t in CEILINGS}


@pytest.fixture
def seeded(app):
    with app.app_context():
        load_tags()
        make_user("mod", role=Role.MODERATOR)
        make_user("teller")
        db.session.remove()
    return app


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_reading_pages_run_a_bounded_number_of_queries(seeded, client, signed_in):
    app = seeded
    if signed_in:
        with app.app_context():
            make_user("reader")
            db.session.remove()
        sign_in(client, "reader", PASSWORD)
    ids = add_stories(app, 0, 3)
    target = ids[1]
    add_replies(app, target, 2)  # one anonymous, one by an account showing its handle
    small = measure(app, client, target)

    add_stories(app, 3, 37)
    add_replies(app, target, 23, first=2)
    large = measure(app, client, target)

    for url, ceiling in CEILINGS.items():
        extra = SIGNED_IN_EXTRA if signed_in and url not in FEEDS else 0
        extra += 1 if signed_in and url in FOLLOW_CHECK else 0
        (small_cold, small_warm), (cold, warm) = small[url], large[url]
        assert cold <= small_cold, (url, small[url], large[url])
        assert cold <= ceiling + GENERATION + extra, (url, large[url])
        assert warm <= small_warm, (url, small[url], large[url])
        warm_ceiling = (SIGNED_IN_WARM_CEILINGS if signed_in else WARM_CEILINGS)[url]
        assert warm <= warm_ceiling, (url, large[url])
    print("\nstatements per page, (cold, warm) cache (small → large):")
    print({u: (small[u], large[u]) for u in CEILINGS})


def test_the_story_page_really_had_many_replies_and_tags(seeded, client):
    ids = add_stories(seeded, 0, 40)
    add_replies(seeded, ids[1], 25)
    html = client.get(f"/stories/{ids[1]}").get_data(as_text=True)
    assert html.count('class="reply"') == 25
    assert "Replies (25)" in html
    listing = client.get("/stories").get_data(as_text=True)
    assert listing.count('class="story-card"') == 20
    with seeded.app_context():
        assert db.session.scalar(select(db.func.count(Reply.id))) == 25


MUTED_PAGES = (
    "/",
    "/stories",
    "/stories?tag=not-heard&exclude=prejudice&type=experience",
    "/tags/not-heard",
)


def _mute(client, notes: list[str], words: list[str]) -> None:
    with client.session_transaction() as session:
        session["muted_notes"], session["muted_words"] = notes, words


def test_muting_adds_no_query(seeded, client):
    """Muted content notes and words filter inside the same statements: with 3 and with 40
    stories, each listing runs as many statements muted as not, under the same ceiling."""
    app = seeded
    add_stories(app, 0, 3)
    counts = {}
    for size in ("small", "large"):
        if size == "large":
            add_stories(app, 3, 37)
        for muted in (False, True):
            _mute(client, ["self-harm"] if muted else [], ["story 2", "50%_"] if muted else [])
            counts[size, muted] = {
                url: n for url, n in measure_pages(app, client, MUTED_PAGES).items()
            }
    for url in MUTED_PAGES:
        values = {counts[key][url] for key in counts}
        assert len(values) == 1, (url, {k: v[url] for k, v in counts.items()})
        assert values.pop() <= CEILINGS[url] + GENERATION, url
    # The mutes really applied: "Story 2…" titles and self-harm notes are gone (authored
    # stories stay, so the same author and feature queries run either way).
    html = client.get("/stories").get_data(as_text=True)
    assert "Some stories are hidden" in html and "Story 2" not in html
    assert "Story 35" not in html and "Story 39" in html


def measure_pages(app, client, urls) -> dict[str, int]:
    """Statements per page for these urls, with a cold page cache."""
    return {url: _cold_and_warm(app, client, url)[0] for url in urls}
