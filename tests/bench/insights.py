"""Insights at scale: SQL statements and in-process time of /insights, its CSV and the API.

Seeds N published stories (tests/bench/seed.py: three harm tags each, no replies) in a fresh
SQLite database, or DATABASE_URL, then times each page through the test client.

    python -m tests.bench.insights            # 10,000 stories, 20 requests per page
    BENCH_STORIES=2000 python -m tests.bench.insights
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

from forum import create_app
from forum.db import db
from tests.bench.seed import seed

STORIES = int(os.environ.get("BENCH_STORIES", "10000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
PAGES = ("/insights", "/insights/harm-tags.csv", "/api/v1/insights", "/api/v1/stories")


def main() -> None:
    """Seed, then print statements and p50/max milliseconds per page."""
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-insights-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        seed(STORIES, replies_per_story=0)
        # As autovacuum would soon after a bulk load: without statistics PostgreSQL plans
        # the tag joins for a dozen rows and takes ten times as long.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"seeded {STORIES} stories in {time.perf_counter() - started:.1f} s ({database})")
        engine = db.engine
    client = app.test_client()
    client.get("/insights")
    for page in PAGES:
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany, into=statements):
            into.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        assert client.get(page).status_code == 200, page
        event.remove(engine, "before_cursor_execute", count)
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(page)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{page:28} {len(statements):3} statements  "
            f"p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms"
        )


if __name__ == "__main__":
    main()
