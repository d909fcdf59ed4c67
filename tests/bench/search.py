"""Search benchmark: in-process time and SQL statements per search page, beside /stories.

Seeds a fresh SQLite database (or DATABASE_URL, which it empties first) with 10,000 published
stories of varied text, or 100,000 with --large, then requests each page through the test
client and prints the median time of a few runs and the number of SQL statements it ran. The
tag listing, /tags and a tag's page are measured too: their cost must not grow with the data.

    make bench-search            # 10,000 stories
    make bench-search LARGE=1    # 100,000 stories
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

from forum import create_app
from forum.db import db, utcnow
from forum.stories import counters
from forum.stories.models import Setting, Status, Story, StoryTag
from forum.taxonomy.models import Tag
from forum.taxonomy.services import load_taxonomy

RUNS = 7
BATCH = 1000
FILLER = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "su", "ta", "vo", "ri") for b in range(250)]


def story_text(rng: random.Random, n: int) -> tuple[str, str]:
    """A title and a body: a common word in most, a rare one in a few, a phrase in some."""
    words = rng.choices(FILLER, k=120)
    if rng.random() < 0.6:
        words.insert(rng.randrange(len(words)), "therapist")
    if n % 1000 == 7:
        words.insert(rng.randrange(len(words)), "lighthouse")
    if rng.random() < 0.3:
        words[rng.randrange(len(words)) :] += ["not", "being", "heard"]
    return f"Story {n} {rng.choice(FILLER)}", " ".join(words) + "."


def seed(count: int) -> str:
    """Insert `count` published stories in batches; return a busy harm tag's slug."""
    rng = random.Random(13)
    load_taxonomy()
    harm = list(db.session.query(Tag).filter_by(kind="harm"))
    settings = list(Setting)
    now = utcnow()
    for start in range(0, count, BATCH):
        for n in range(start, min(start + BATCH, count)):
            title, body = story_text(rng, n)
            when = now - timedelta(minutes=n)
            story = Story(
                kind="experience",
                status=Status.PUBLISHED,
                title=title,
                body=body,
                body_html=f"<p>{body}</p>",
                form_token_hash=f"{n:064d}",
                author_key=f"{n:064x}",
                published_at=when,
                submitted_at=when,
                setting=settings[n % len(settings)],
                content_notes="self-harm" if n % 10 == 0 else "",
                pinned=n % 5000 == 3,  # a few, as moderators pin them
            )
            story.story_tags = [
                StoryTag(tag=tag, position=i) for i, tag in enumerate(rng.sample(harm, 3))
            ]
            db.session.add(story)
        db.session.commit()
    counters.recount()  # the rows went in directly, not through the lifecycle
    db.session.commit()
    return harm[0].slug


def measure(app, client, path: str) -> tuple[float, int]:
    """Median milliseconds over RUNS requests (after one warm-up), and statements per request."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    assert client.get(path).status_code == 200, path
    times = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), len(statements) // RUNS


def main() -> None:
    """Seed, measure, print."""
    count = 100_000 if "--large" in sys.argv else 10_000
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-search-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database, "ENV_NAME": "testing", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        tag = seed(count)
        seconds = time.perf_counter() - start
        print(f"seeded {count} stories on {db.engine.dialect.name} in {seconds:.0f} s")
    client = app.test_client()
    pages = {
        "/stories (no search)": "/stories",
        "tag listing": f"/stories?tag={tag}",
        "/tags": "/tags",
        "a tag's page": f"/tags/{tag}",
        "common word": "/stories?q=therapist",
        "common word, newest": "/stories?q=therapist&order=newest",
        "rare word": "/stories?q=lighthouse",
        "phrase": '/stories?q="not+being+heard"',
        "word + 2 filters": f"/stories?q=therapist&tag={tag}&setting=private",
        "feed of a search": "/feeds/stories.atom?q=therapist",
    }
    print(f"{'page':<24} {'median ms':>10} {'statements':>11}")
    for name, path in pages.items():
        ms, statements = measure(app, client, path)
        print(f"{name:<24} {ms:10.1f} {statements:11d}")


if __name__ == "__main__":
    main()
