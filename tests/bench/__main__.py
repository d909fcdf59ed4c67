"""Load benchmark in the shape of Discourse's script/bench.rb, sized for a 2-core machine.

Seeds a fresh SQLite database (or DATABASE_URL) with fixed data, serves Heard with gunicorn
on 127.0.0.1, warms up, then sends a bounded number of requests per page from one client
and prints p50/p90/p99 latency, requests per second and the workers' memory (RSS).
Only loopback traffic; every loop is bounded in count and time.

    make bench                   # defaults: 400 stories, 200 requests per page
    BENCH_STORIES=2000 BENCH_REQUESTS=500 make bench
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from forum import create_app
from forum.accounts import passwords
from forum.db import db
from tests.bench.seed import seed

ROOT = Path(__file__).resolve().parents[2]
STORIES = int(os.environ.get("BENCH_STORIES", "400"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 20
DEADLINE_SECONDS = 300


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def timed_get(url: str) -> float:
    """Seconds for one GET, which must answer 200."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - start


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1)]


def main() -> None:
    """Seed, serve, measure, print."""
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    secret = "bench-" + "x" * 40
    env = {
        **os.environ,
        "FORUM_ENV": "production",
        "FORUM_SECRET_KEY": secret,
        "DATABASE_URL": database,
        "FORUM_RATELIMIT_ENABLED": "false",
    }
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": secret, "ENV_NAME": "production"}
    )
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        story_id, tag = seed(STORIES)
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        passwords.hash_password("benchmark passphrase")
        hash_seconds = time.perf_counter() - start
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    pages = {
        "home": "/",
        "stories": "/stories",
        "stories?tag": f"/stories?tag={tag}",
        "story": f"/stories/{story_id}",
        "tags": "/tags",
        "tag page": f"/tags/{tag}",
        "feed": "/feeds/stories.atom",
        "help": "/help",
    }
    try:
        for _ in range(100):
            try:
                timed_get(base + "/help")
                break
            except OSError:
                time.sleep(0.1)
        print(f"seeded {STORIES} stories in {seeded:.1f} s")
        print(f"one argon2id password hash: {hash_seconds * 1000:.0f} ms")
        print(f"{'page':<12} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'req/s':>7}")
        deadline = time.monotonic() + DEADLINE_SECONDS
        for name, path in pages.items():
            for _ in range(WARMUP):
                timed_get(base + path)
            times = []
            for _ in range(REQUESTS):
                if time.monotonic() > deadline:
                    break
                times.append(timed_get(base + path))
            p50, p90, p99 = (percentile(times, p) * 1000 for p in (50, 90, 99))
            print(f"{name:<12} {p50:8.1f} {p90:8.1f} {p99:8.1f} {len(times) / sum(times):7.1f}")
        print(f"gunicorn master + 2 workers, resident memory: {rss_mib(server.pid):.0f} MiB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
