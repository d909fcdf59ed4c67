"""One page through the Flask test client in this process: its SQL statements and CPU time.

Shared by `make bench` and `make bench-search`. "Cold" empties every Flask-Caching backend
the app has (app.extensions["cache"]) before each request, as any change to what the page
shows would; "warm" asks for the same page again.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event

from forum.db import db


def flush_caches(app) -> None:
    """Empty every Flask-Caching backend the app has."""
    for backend in app.extensions.get("cache", {}).values():
        backend.clear()


@dataclass(frozen=True)
class Measured:
    """One page in-process: the most statements a request ran, and median ms of the runs."""

    statements: int
    cpu_ms: float  # this process's CPU (time.process_time): not the database server's
    wall_ms: float  # what the request took, the database's work included


def measure(app, path: str, cold: bool, runs: int) -> Measured:
    """SQL statements, CPU and wall ms of `runs` requests of `path` (after one warm-up
    request: imports, templates, the day secret)."""
    client = app.test_client()
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    client.get(path)
    cpu, wall, counts = [], [], []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            if cold:
                flush_caches(app)
            statements[0] = 0
            start, started = time.process_time(), time.perf_counter()
            response = client.get(path)
            cpu.append((time.process_time() - start) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            counts.append(statements[0])
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} in-process")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return Measured(max(counts), statistics.median(cpu), statistics.median(wall))
