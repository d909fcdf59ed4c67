"""Write throughput: stories sent through the real /share flow over HTTP by concurrent clients.

Each client is a browser without JavaScript: it opens /share (session cookie, CSRF and form
tokens), posts the preview step, then presses "Send" on the preview page by posting its hidden
fields back, as tests/sharing/flow.py does through the test client. Afterwards every title
sent must be in the database exactly once: nothing lost, nothing doubled.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from sqlalchemy import func, select

from forum.db import db
from forum.stories.models import Story
from tests.sharing.flow import hidden_fields, valid_story

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
TITLE = "Bench write {client} {n}"


@dataclass
class Writes:
    """How many stories were sent, how fast, and whether every one was stored once."""

    sent: int
    seconds: float
    missing: list[str]
    doubled: list[str]

    @property
    def per_second(self) -> float:
        """Stories stored per second of wall time."""
        return self.sent / self.seconds if self.seconds else 0.0


def _post(opener, url: str, fields: list[tuple[str, str]]) -> str:
    body = urllib.parse.urlencode(fields).encode()
    with opener.open(url, data=body, timeout=30) as response:
        return response.read().decode()


def share_one(base: str, opener, title: str) -> None:
    """Open /share, preview, send; raise if any step does not go as a browser expects."""
    with opener.open(base + "/share", timeout=30) as response:
        html = response.read().decode()
    story = valid_story(title=title, body=f"{title}: for two years I talked and nobody listened.")
    tokens = [("csrf_token", CSRF.search(html)[1]), ("form_token", FORM_TOKEN.search(html)[1])]
    fields = [*tokens, *((k, v) for k, v in story.items() if k != "harm_tags")]
    fields += [("harm_tags", slug) for slug in story["harm_tags"]]
    preview = _post(opener, base + "/share", [*fields, ("action", "preview")])
    sent = _post(opener, base + "/share", [*hidden_fields(preview), ("action", "submit")])
    if 'id="status-code"' not in sent and "/share/sent" not in sent:
        raise RuntimeError(f"{title}: the submit did not reach /share/sent")


def run(base: str, clients: int, per_client: int, seconds: float) -> tuple[list[str], float]:
    """Send up to clients × per_client stories within `seconds`; return titles sent, wall time."""
    sent: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for n in range(per_client):
            if time.monotonic() > deadline:
                return
            title = TITLE.format(client=number, n=n)
            try:
                share_one(base, opener, title)
            except (OSError, RuntimeError, TypeError) as error:
                errors.append(error)
                return
            with lock:
                sent.append(title)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} clients stopped on an error, first: {errors[0]!r}")
    return sent, elapsed


def verify(sent: list[str], seconds: float) -> Writes:
    """Count each sent title in the database (needs an app context on that database)."""
    rows = db.session.execute(
        select(Story.title, func.count(Story.id))
        .where(Story.title.like("Bench write %"))
        .group_by(Story.title)
    )
    stored = {title: count for title, count in rows}
    return Writes(
        sent=len(sent),
        seconds=seconds,
        missing=[t for t in sent if t not in stored],
        doubled=[t for t, count in stored.items() if count > 1],
    )
