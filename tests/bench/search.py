"""Search benchmark: SQL statements and in-process CPU ms of each search page, beside /stories.

Seeds a fresh SQLite database (or DATABASE_URL, which it empties first) with the bulk seed of
`make bench` (tests/bench/seed.py): 10,000 published stories, or 100,000 with --large, where a
common word is in 60% of stories, a rare one in 1 of 1,000 and a phrase in 30%. Then it asks
for each page through the test client, with the page cache emptied before every request (cold:
what a search costs the database) and again warm, and prints the median of a few runs and the
most statements one request ran. The tag listing, /tags and a tag's page are measured too:
their cost must not grow with the data either.

    make bench-search            # 10,000 stories
    make bench-search LARGE=1    # 100,000 stories
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from forum import create_app
from forum.db import db
from tests.bench import inprocess
from tests.bench.seed import COMMON_WORD, PHRASE, RARE_WORD, seed

RUNS = 7


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
        tag = seed(count, count * 5).tag
        seconds = time.perf_counter() - start
        print(f"seeded {count:,} stories, {count * 5:,} replies on {db.engine.dialect.name}")
        print(f"in {seconds:.0f} s; load average {os.getloadavg()[0]:.2f}")
    phrase = '"' + PHRASE.replace(" ", "+") + '"'
    pages = {
        "/stories (no search)": "/stories",
        "tag listing": f"/stories?tag={tag}",
        "tag + setting listing": f"/stories?tag={tag}&setting=private",
        "/tags": "/tags",
        "a tag's page": f"/tags/{tag}",
        "common word": f"/stories?q={COMMON_WORD}",
        "common word, newest": f"/stories?q={COMMON_WORD}&order=newest",
        "rare word": f"/stories?q={RARE_WORD}",
        "phrase": f"/stories?q={phrase}",
        "word + 2 filters": f"/stories?q={COMMON_WORD}&tag={tag}&setting=private",
        "feed of a search": f"/feeds/stories.atom?q={COMMON_WORD}",
    }
    columns = ("cold CPU", "wall", "SQL", "warm CPU", "wall", "SQL")
    print(f"{'page':<24} " + " ".join(f"{c:>{max(len(c), 6)}}" for c in columns))
    for name, path in pages.items():
        cold = inprocess.measure(app, path, cold=True, runs=RUNS)
        warm = inprocess.measure(app, path, cold=False, runs=RUNS)
        print(
            f"{name:<24} {cold.cpu_ms:8.1f} {cold.wall_ms:6.1f} {cold.statements:4d} "
            f"{warm.cpu_ms:8.1f} {warm.wall_ms:6.1f} {warm.statements:4d}"
        )
    print(
        f"ms per request, median of {RUNS}: CPU of this process (time.process_time; on "
        "PostgreSQL the server's work is in wall only) and wall time; load average after "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
