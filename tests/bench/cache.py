"""Page-cache benchmark: in-process time of reader pages with a cold and a warm cache.

Seeds a fresh SQLite database (or DATABASE_URL, which it empties first) with 10,000 published
stories and 5 replies each (BENCH_STORIES to change it) using tests/bench/seed.py, then
requests each page through the test client: cold (the page cache emptied before every
request, as after any change) and warm (the same page again). Prints the median milliseconds
of RUNS requests and the SQL statements per request. The cache is this process's memory, or
Redis with CACHE_REDIS_URL. Not a timed test: figures to read, on a busy machine too.

    make bench-cache
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from forum import create_app
from forum.caching import cache
from forum.db import db
from tests.bench.seed import seed

RUNS = 9
STORIES = int(os.environ.get("BENCH_STORIES", "10000"))


def measure(app, client, path: str, cold: bool) -> tuple[float, int]:
    """Median milliseconds over RUNS requests, and statements per request."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    assert client.get(path).status_code == 200, path  # day secret, the taxonomy, the cache
    times = []
    for _ in range(RUNS):
        if cold:
            with app.app_context():
                cache.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, path
    return statistics.median(times), len(statements) // RUNS


def main() -> None:
    """Seed, measure, print."""
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-cache-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "ENV_NAME": "testing",
            "RATELIMIT_ENABLED": False,
            "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL", ""),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        story_id, tag = seed(STORIES, replies_per_story=5)
        seconds = time.perf_counter() - start
        print(f"seeded {STORIES} stories, {STORIES * 5} replies on {db.engine.dialect.name}")
        print(f"in {seconds:.0f} s; page cache: {type(cache.cache).__name__}")
    client = app.test_client()
    pages = {
        "/": "/",
        "/stories": "/stories",
        f"/stories?tag={tag}": f"/stories?tag={tag}",
        "/stories?q=peer+group": "/stories?q=peer+group",
        "/tags": "/tags",
        f"/tags/{tag}": f"/tags/{tag}",
        "story page": f"/stories/{story_id}",
        "feed": "/feeds/stories.atom",
    }
    print(f"{'page':<28} {'cold ms':>8} {'SQL':>4} {'warm ms':>8} {'SQL':>4} {'ratio':>6}")
    for name, path in pages.items():
        cold_ms, cold_sql = measure(app, client, path, cold=True)
        warm_ms, warm_sql = measure(app, client, path, cold=False)
        ratio = cold_ms / warm_ms if warm_ms else 0
        print(f"{name:<28} {cold_ms:8.1f} {cold_sql:4d} {warm_ms:8.1f} {warm_sql:4d} {ratio:5.1f}x")


if __name__ == "__main__":
    main()
