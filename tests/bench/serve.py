"""Serve an app with gunicorn on 127.0.0.1 and measure it from outside: CPU and memory of the
workers from /proc, latency from concurrent clients. Only loopback traffic; every loop is
bounded in count and in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (/proc/<pid>/stat utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15 of stat(5)


def rss_mib(pid: int) -> float:
    """Resident memory of one process in MiB (/proc/<pid>/status VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_mib(pid: int) -> tuple[float, float]:
    """Proportional (PSS: shared pages split between their sharers) and private (USS) memory of
    one process in MiB (/proc/<pid>/smaps_rollup): what forking from a preloaded master saves
    shows here, while VmRSS counts every shared page in full in every worker."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Pss", 0) / 1024, private / 1024


def get(url: str, timeout: float = 10) -> float:
    """Seconds for one GET, which must answer 200."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - start


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


@dataclass
class Load:
    """What a bounded burst of requests cost the server and how long clients waited."""

    requests: int
    cpu_ms_per_request: float
    p50_ms: float
    p99_ms: float


class Server:
    """gunicorn with the repository's gunicorn.conf.py, on a free loopback port."""

    def __init__(self, target: str, env: dict, log: Path, workers: int = 4) -> None:
        self.log = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
                *("--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", target),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),  # a file, never a pipe: a full pipe would stall the workers
        )

    def wait_ready(self, path: str, seconds: float = 60) -> None:
        """Wait (bounded) until the page answers and every worker is forked."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                get(self.base + path, timeout=2)
                if len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {path} within {seconds} s")

    def worker_pids(self) -> list[int]:
        """The workers forked by the gunicorn master."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def worker_cpu(self) -> float:
        """CPU seconds used by all workers so far."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def worker_memory(self) -> list[tuple[float, float, float]]:
        """Each worker's RSS, PSS and private memory, MiB."""
        return [(rss_mib(pid), *memory_mib(pid)) for pid in self.worker_pids()]

    def load(self, path: str, requests: int, clients: int, seconds: float) -> Load:
        """Send `requests` GETs from `clients` threads (bounded by `seconds`); measure."""
        url = self.base + path
        lock = threading.Lock()
        left = [requests]
        times: list[float] = []
        errors: list[BaseException] = []
        deadline = time.monotonic() + seconds

        def client() -> None:
            while time.monotonic() < deadline:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                try:
                    elapsed = get(url, timeout=30)
                except (OSError, RuntimeError) as error:
                    errors.append(error)
                    return
                with lock:
                    times.append(elapsed)

        pids = self.worker_pids()
        before = sum(cpu_seconds(pid) for pid in pids)
        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0) + 15)
        if pids != self.worker_pids():
            raise RuntimeError("a worker was replaced during the run; CPU figures are void")
        spent = sum(cpu_seconds(pid) for pid in pids) - before
        if errors or not times:
            raise RuntimeError(f"{path}: {len(errors)} failed requests, first: {errors[:1]}")
        return Load(
            requests=len(times),
            cpu_ms_per_request=spent * 1000 / len(times),
            p50_ms=percentile(times, 50) * 1000,
            p99_ms=percentile(times, 99) * 1000,
        )

    def stop(self) -> None:
        """Stop gunicorn (bounded wait, then kill)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
