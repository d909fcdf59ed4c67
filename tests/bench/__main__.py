"""`make bench`: what reader pages cost at 10,000 stories (or 100,000), against a bare ceiling.

Seeds a fresh SQLite database in bulk (tests/bench/seed.py), then for each reader page:

- SQL statements and CPU ms in-process (the Flask test client in this process);
- server CPU ms per request under gunicorn (`-c gunicorn.conf.py --workers 4`, 127.0.0.1):
  the workers' /proc/<pid>/stat utime+stime before and after a fixed number of requests, so a
  busy machine makes it slower to measure but not wrong;
- that figure divided by the same figure for a bare Flask + Jinja page rendering 20 items from
  memory (tests/bench/ceiling.py), served by the same command;
- p50/p99 latency from 16 concurrent clients (wall time: noisy on a shared machine);
- each worker's RSS (/proc/<pid>/status VmRSS) after warm-up.

Cold and warm cache: the "cold" server runs with FORUM_CACHE_TYPE=NullCache (Flask-Caching's
cache that stores nothing, so every request misses), the "warm" one with whatever cache the app
configures, after a warm-up; in-process, "cold" clears every Flask-Caching backend before each
request (tests/bench/inprocess.py).

Then write throughput: 8 clients send stories through the real /share flow over HTTP (GET the
form, POST preview, POST send with the preview's hidden fields), and every story sent is looked
up afterwards: it must be stored exactly once.

Only loopback traffic; every loop is bounded in count and time. Rate limits stay on (memory
store, or REDIS_URL's if set) with the share limits raised through their documented settings
(FORUM_LIMIT_SHARE_STEPS, FORUM_LIMIT_SUBMIT), as an operator would for a load test.

    make bench                      # 10,000 stories / 50,000 replies
    make bench BENCH_SCALE=100k     # 100,000 stories / 1,000,000 replies
    BENCH_REQUESTS=400 make bench   # requests per page and cache state (default 200)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from forum import create_app
from forum.db import db
from forum.resources.loading import load_resources
from forum.stories.models import Status, Story
from forum.stories.reading import Cursor
from tests.bench import inprocess, writes
from tests.bench.seed import Seeded, seed
from tests.bench.serve import Load, Server, get

SCALES = {"10k": (10_000, 50_000), "100k": (100_000, 1_000_000)}
SCALE = os.environ.get("BENCH_SCALE", "10k")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
CLIENTS = 16
WARMUP = 40  # per page, spread over the workers, before anything is measured
PAGE_SECONDS = 150  # the most one page's burst may take
BUDGET_SECONDS = int(os.environ.get("BENCH_SECONDS", "2400"))  # the whole run, after seeding
IN_PROCESS_RUNS = 5
WRITE_CLIENTS, WRITES_PER_CLIENT, WRITE_SECONDS = 8, 25, 120
SECRET = "bench-only-" + "x" * 40


@dataclass
class Row:
    """One page's figures."""

    name: str
    sql: dict[str, int]
    cpu_ms: dict[str, float]
    loads: dict[str, Load | None]


def pages(seeded: Seeded) -> dict[str, str]:
    """The reader pages, by the names the issue's table uses."""
    offset = 199 * 20 - 1  # the last story of page 199: page 200 starts after it
    last = db.session.execute(
        select(Story.published_at, Story.id)
        .where(Story.status == Status.PUBLISHED)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .offset(offset)
        .limit(1)
    ).one()
    cursor = Cursor(published_at=last[0], story_id=last[1]).encode()
    return {
        "/": "/",
        "/stories page 1": "/stories",
        "/stories page 200": f"/stories?after={cursor}",
        f"/stories?tag={seeded.tag}": f"/stories?tag={seeded.tag}",
        "story, 40 replies": f"/stories/{seeded.story_with_replies}",
        "/tags": "/tags",
        f"/tags/{seeded.tag}": f"/tags/{seeded.tag}",
        "feed": "/feeds/stories.atom",
        f"search ?q={seeded.search_word}": f"/stories?q={seeded.search_word}",
    }


def server_env(database: str, cold: bool) -> dict:
    """The environment gunicorn runs Heard with: production settings, loopback-only HTTP."""
    env = {
        **os.environ,
        "FORUM_ENV": "production",
        "FORUM_SECRET_KEY": SECRET,
        "DATABASE_URL": database,
        # Plain HTTP on loopback: the cookie cannot be Secure, so not __Host- either.
        "FORUM_SESSION_COOKIE_SECURE": "false",
        "FORUM_SESSION_COOKIE_NAME": "heard_session",
        "FORUM_LIMIT_SHARE_STEPS": "100000 per hour",
        "FORUM_LIMIT_SUBMIT": "100000 per hour",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    if cold:
        env["FORUM_CACHE_TYPE"] = "NullCache"
    return env


def serve(target: str, env: dict, log: Path, probe: str) -> Server:
    """Start gunicorn and wait for every worker."""
    server = Server(target, env, log)
    try:
        server.wait_ready(probe)
    except BaseException:
        server.stop()
        raise
    return server


Memory = list[tuple[float, float, float]]


def measure(
    server: Server, paths: dict[str, str], deadline: float, requests: int = REQUESTS
) -> tuple[dict[str, Load | None], Memory]:
    """Warm every page, read the workers' memory, then one bounded burst per page."""
    for path in paths.values():
        for _ in range(WARMUP):
            get(server.base + path, timeout=60)
    memory = server.worker_memory()
    loads: dict[str, Load | None] = {}
    for name, path in paths.items():
        if time.monotonic() > deadline:
            loads[name] = None
            continue
        try:
            loads[name] = server.load(path, requests, CLIENTS, PAGE_SECONDS)
        except RuntimeError as error:  # e.g. requests timing out: report it, measure the rest
            print(f"not measured: {error}")
            loads[name] = None
    return loads, memory


def memory_line(label: str, memory: Memory) -> str:
    """RSS, PSS and private MiB of each worker."""
    each = ", ".join(f"{rss:.0f}/{pss:.0f}/{private:.0f}" for rss, pss, private in memory)
    top = max(m[0] for m in memory)
    return f"{label} worker memory RSS/PSS/private MiB: {each} (max RSS {top:.0f})"


def ratio(load: Load | None, ceiling: float) -> str:
    """CPU per request as a multiple of the ceiling's."""
    return f"{load.cpu_ms_per_request / ceiling:.1f}×" if load else "-"


def cpu(load: Load | None) -> str:
    """Server CPU ms per request."""
    return f"{load.cpu_ms_per_request:.1f}" if load else "skipped"


def latency(load: Load | None) -> str:
    """p50/p99 ms."""
    return f"{load.p50_ms:.0f}/{load.p99_ms:.0f}" if load else "-"


def print_table(rows: list[Row], ceiling: Load) -> None:
    """The issue's table, with cold and warm cache side by side."""
    base = ceiling.cpu_ms_per_request
    head = (
        "| page | SQL cold/warm | in-process CPU ms cold/warm | server CPU ms/req cold | "
        f"× ceiling ({base:.2f} ms) cold | server CPU ms/req warm | × ceiling warm | "
        "p50/p99 ms cold | p50/p99 ms warm |"
    )
    print(head)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        cold, warm = row.loads["cold"], row.loads["warm"]
        print(
            f"| `{row.name}` | {row.sql['cold']}/{row.sql['warm']} | "
            f"{row.cpu_ms['cold']:.1f}/{row.cpu_ms['warm']:.1f} | {cpu(cold)} | "
            f"{ratio(cold, base)} | {cpu(warm)} | {ratio(warm, base)} | "
            f"{latency(cold)} | {latency(warm)} |"
        )


def main() -> None:
    """Seed, measure in-process, serve cold and warm, measure writes, print."""
    stories, replies = SCALES[SCALE]
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-"))
    database = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("DATABASE_URL", None)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": SECRET,
            "ENV_NAME": "production",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        seeded = seed(stories, replies)
        load_resources()  # the reference data `make run` loads: help lines, story panels
        seeding = time.perf_counter() - start
        paths = pages(seeded)
    print(f"scale {SCALE}: seeded {stories:,} stories / {replies:,} replies in {seeding:.1f} s")
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 and 5 min)")
    sql: dict[str, dict[str, int]] = {name: {} for name in paths}
    cpu_ms: dict[str, dict[str, float]] = {name: {} for name in paths}
    for state in ("cold", "warm"):
        for name, path in paths.items():
            measured = inprocess.measure(app, path, state == "cold", IN_PROCESS_RUNS)
            sql[name][state], cpu_ms[name][state] = measured.statements, measured.cpu_ms
    with app.app_context():
        db.engine.dispose()

    deadline = time.monotonic() + BUDGET_SECONDS
    log = workdir / "gunicorn.log"
    ceiling_server = serve("tests.bench.ceiling:app", server_env(database, False), log, "/")
    try:
        # Five times the requests: a bare page costs about one 10 ms clock tick per 5 requests.
        ceiling_loads, ceiling_memory = measure(
            ceiling_server, {"ceiling": "/"}, deadline, requests=REQUESTS * 5
        )
    finally:
        ceiling_server.stop()
    ceiling = ceiling_loads["ceiling"]
    assert ceiling is not None
    loads: dict[str, dict[str, Load | None]] = {name: {} for name in paths}
    memory: dict[str, Memory] = {}
    for state in ("cold", "warm"):
        server = serve("wsgi:app", server_env(database, state == "cold"), log, "/help")
        try:
            measured, memory[state] = measure(server, paths, deadline)
        finally:
            server.stop()
        for name, load in measured.items():
            loads[name][state] = load

    server = serve("wsgi:app", server_env(database, False), log, "/share")
    try:
        before = server.worker_cpu()
        sent, seconds = writes.run(server.base, WRITE_CLIENTS, WRITES_PER_CLIENT, WRITE_SECONDS)
        write_cpu_ms = (server.worker_cpu() - before) * 1000 / max(len(sent), 1)
    finally:
        server.stop()
    with app.app_context():
        result = writes.verify(sent, seconds)
        db.engine.dispose()

    rows = [Row(name, sql[name], cpu_ms[name], loads[name]) for name in paths]
    print()
    print_table(rows, ceiling)
    short = [
        f"{row.name} {state}: {load.requests}"
        for row in rows
        for state, load in row.loads.items()
        if load is not None and load.requests < REQUESTS
    ]
    if short:
        print("bursts cut short by the time bound (requests sent): " + "; ".join(short))
    print()
    print(
        f"ceiling: {ceiling.cpu_ms_per_request:.2f} CPU ms/request, p50/p99 "
        f"{ceiling.p50_ms:.1f}/{ceiling.p99_ms:.1f} ms"
    )
    print(memory_line("ceiling", ceiling_memory))
    for state, values in memory.items():
        print(memory_line(f"Heard ({state} cache, after warm-up)", values))
    print(
        f"writes: {result.sent} stories through /share from {WRITE_CLIENTS} clients in "
        f"{result.seconds:.1f} s = {result.per_second:.1f} stories/s on SQLite; "
        f"{write_cpu_ms:.0f} server CPU ms per story (4 requests: form, preview, send, "
        "the page after); "
        f"missing {len(result.missing)}, stored twice {len(result.doubled)}"
    )
    load_1, load_5, _ = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    print(f"load after: {load_1:.2f} {load_5:.2f}; uptime: {uptime.strip()}")
    print(f"{REQUESTS} requests per page and cache state, {CLIENTS} clients, {WARMUP} warm-up")
    if result.missing or result.doubled:
        raise SystemExit("writes lost or doubled: " + ", ".join(result.missing + result.doubled))


if __name__ == "__main__":
    main()
