"""Fixed seed data for benchmarks: published stories with tags, replies and reactions, in bulk.

Rows go in as multi-row INSERTs inside ONE transaction (10,000 stories / 50,000 replies in
seconds on SQLite; 100,000 / 1,000,000 takes as long as it takes). The rows are what the app
itself stores for a published story: sanitised HTML made by the app's own renderer, unique
form-token hashes, tags from the real taxonomy, one reply alias per reader per thread. The
search index follows by its own triggers (forum/search/schema.py), as for any insert.

What the app keeps derived from these rows (the tag and story counters,
forum/stories/counters.py) is recomputed at the end of `seed`, in the same transaction.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from forum.db import db, utcnow
from forum.safety.sanitize import render_markdown
from forum.stories import counters
from forum.stories.models import (
    Reaction,
    ReactionKind,
    Reply,
    Setting,
    Status,
    Story,
    StoryTag,
)
from forum.taxonomy.models import Tag
from forum.taxonomy.services import load_taxonomy

BATCH = 2000
# Words that vary between stories, so a search for one of them finds a few hundred, not all.
TOPICS = [f"{a}{b}" for a in ("harbour", "meadow", "lantern", "orchard", "willow") for b in "ab"]
SEARCH_WORD = "lantern"
# For the search benchmark: a word in 60% of stories, one in 1 of 1,000, a phrase in 30%.
COMMON_WORD, RARE_WORD, PHRASE = "therapist", "lighthouse", "nobody believed me"
BUSY_TAG = "not-heard"
BODY = (
    "For a long time I felt I was not being heard in the room. The sessions went on and I said "
    "less each week, until I stopped going. {topic} is the word I kept coming back to.{extra}"
    "\n\nWhat helped instead was a peer group that met on Thursdays, and writing it down here."
)


def _extra(n: int) -> str:
    """The words only some stories hold: the common word, the rare one, the phrase."""
    words = []
    if n % 5 < 3:
        words.append(f"My {COMMON_WORD} changed the subject.")
    if n % 1000 == 7:
        words.append(f"I think of a {RARE_WORD} now.")
    if n % 10 in (0, 3, 7):
        words.append(f"For years {PHRASE}.")
    return "".join(" " + sentence for sentence in words)


REPLY = "Thank you for writing this. I recognise so much of it, and I am glad you found the group."


@dataclass(frozen=True)
class Seeded:
    """What the benchmark needs to know about the seeded data."""

    story_with_replies: int  # a story with exactly `replies_on_busy_story` replies
    tag: str
    search_word: str


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model, rows: Iterator[dict]) -> None:
    for batch in _batches(rows):
        db.session.execute(insert(model), batch)


def seed(stories: int, replies: int, replies_on_busy_story: int = 40) -> Seeded:
    """Insert `stories` published stories and `replies` published replies in one transaction.

    Story 1 (the newest) gets `replies_on_busy_story` replies; the rest are spread evenly.
    Expects an empty database with the schema made (db.create_all() or migrations).
    """
    rng = random.Random(42)
    load_taxonomy()
    harm = list(db.session.scalars(select(Tag).where(Tag.kind == "harm").order_by(Tag.id)))
    busy = next(t for t in harm if t.slug == BUSY_TAG)
    others = [t for t in harm if t is not busy]
    html: dict[str, str] = {}  # a few thousand distinct bodies at most: render each once
    settings = list(Setting)
    reply_html = render_markdown(REPLY)
    now = utcnow()
    first = (db.session.scalar(select(func.max(Story.id))) or 0) + 1
    ids = range(first, first + stories)

    def story_rows() -> Iterator[dict]:
        for n, story_id in enumerate(ids):
            body = BODY.format(topic=TOPICS[n % len(TOPICS)].capitalize(), extra=_extra(n))
            if body not in html:
                html[body] = render_markdown(body)
            when = now - timedelta(minutes=n)
            yield {
                "id": story_id,
                "kind": "experience",
                "status": Status.PUBLISHED,
                "title": f"Story {n}: not heard in the room",
                "body": body,
                "body_html": html[body],
                "form_token_hash": f"{story_id:064x}",
                "author_key": f"{story_id:064x}"[::-1],
                "published_at": when,
                "submitted_at": when - timedelta(minutes=5),
                "created_at": when - timedelta(minutes=5),
                "updated_at": when,
                "content_notes": "self-harm" if n % 10 == 0 else "",
                "setting": settings[n % len(settings)],
                "pinned": n % 5000 == 3,  # a few, as moderators pin them
            }

    def tag_rows() -> Iterator[dict]:
        for story_id in ids:
            chosen = rng.sample(others, 2)
            if rng.random() < 0.3:  # the busy tag is on about 30% of stories
                chosen[0] = busy
            for position, tag in enumerate(chosen):
                yield {"story_id": story_id, "tag_id": tag.id, "position": position}

    rest = max(replies - replies_on_busy_story, 0)

    def reply_rows() -> Iterator[dict]:
        per, extra = divmod(rest, max(stories - 1, 1))
        serial = 0
        for i, story_id in enumerate(ids):
            if i == 0:
                count = min(replies_on_busy_story, replies)
            else:
                count = per + (1 if i <= extra else 0)
            for r in range(count):
                serial += 1
                when = now - timedelta(minutes=i, seconds=-r - 1)
                yield {
                    "story_id": story_id,
                    "status": Status.PUBLISHED,
                    "body": REPLY,
                    "body_html": reply_html,
                    "alias": f"Reader {r + 1}",
                    "form_token_hash": f"r{serial:063x}",
                    "published_at": when,
                    "created_at": when,
                    "updated_at": when,
                }

    def reaction_rows() -> Iterator[dict]:
        for i, story_id in enumerate(ids):
            for r in range(i % 4):
                yield {"story_id": story_id, "kind": ReactionKind.HEAR, "actor_key": f"c:{r}"}

    _insert(Story, story_rows())
    _insert(StoryTag, tag_rows())
    _insert(Reply, reply_rows())
    _insert(Reaction, reaction_rows())
    _advance_sequences()
    counters.recount()  # the tag and story counters, as the lifecycle would have kept them
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Table statistics, as autovacuum keeps them on a live database: without them the
        # planner prices a table filled a moment ago as nearly empty.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return Seeded(
        story_with_replies=ids[0],
        tag=BUSY_TAG,
        search_word=SEARCH_WORD,
    )


def _advance_sequences() -> None:
    """PostgreSQL: move id sequences past the explicit ids, so the app's inserts still work."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("stories", "replies", "reactions"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )
