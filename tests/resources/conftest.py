"""Fixtures for the resources tests: loaded data, curators, a local link server, query counts."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, select

from forum.accounts.models import Role
from forum.db import db
from forum.resources.loading import load_resources
from forum.resources.models import Category, Resource, ResourceContact, ResourceRegion
from forum.taxonomy.models import Tag
from forum.taxonomy.services import load_taxonomy
from tests.factories import make_user

TEST_DOMAIN = "heard.test"


@contextmanager
def count_queries():
    """Count the SQL queries run inside the block (transaction control is not a query)."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


class _Client(FlaskClient):
    """A test client that first ends the test's own transaction.

    Tests here read and write through the `ctx` session too; on SQLite its open transaction
    holds the write lock (BEGIN IMMEDIATE), and a request would wait for it. Ending it before
    each request also means the test's next read sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.rollback()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client that never waits on the test's own transaction."""
    app.test_client_class = _Client
    return app.test_client()


@pytest.fixture
def tags(ctx):
    """The starting taxonomy, loaded."""
    load_taxonomy()
    return ctx


@pytest.fixture
def loaded(tags):
    """The taxonomy and the starter resources and guides, loaded."""
    load_resources()
    return tags


@pytest.fixture
def member(ctx):
    return make_user("member-one")


@pytest.fixture
def moderator(ctx):
    return make_user("moderator-one", role=Role.MODERATOR)


@pytest.fixture
def admin(ctx):
    return make_user("admin-one", role=Role.ADMIN)


def make_resource(
    title: str = "A resource",
    url: str | None = None,
    category: Category = Category.FIND_THERAPIST,
    regions: tuple[str, ...] = ("GB",),
    tags: tuple[str, ...] = (),
    serves_all_harms: bool = False,
    show_on_help: bool = False,
    contacts: tuple[tuple[str, str, str], ...] = (),
    position: int = 0,
) -> Resource:
    """A resource straight into the database (the curation rules are tested on their own)."""
    resource = Resource(
        title=title,
        url=url or f"https://{title.lower().replace(' ', '-')}.example.org/",
        organisation="An organisation",
        description=f"What {title} offers.",
        category=category,
        serves_all_harms=serves_all_harms,
        show_on_help=show_on_help,
        position=position,
    )
    resource.regions = [ResourceRegion(code=code) for code in regions]
    resource.tags = list(db.session.scalars(select(Tag).where(Tag.slug.in_(tags)))) if tags else []
    resource.contacts = [
        ResourceContact(kind=kind, number=number, label=label, position=i)
        for i, (kind, number, label) in enumerate(contacts)
    ]
    db.session.add(resource)
    db.session.commit()
    return resource


class _Handler(BaseHTTPRequestHandler):
    """Answers by path: 200, 404, a redirect loop, a slow answer, a server refusing HEAD."""

    slow_seconds = 2.0

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _answer(self, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/ok":
            self._send(200, with_body)
        elif path == "/missing":
            self._send(404, with_body)
        elif path == "/loop":
            self._send(302, with_body, location="/loop")
        elif path == "/moved":
            self._send(301, with_body, location="/ok")
        elif path == "/to-javascript":
            self._send(302, with_body, location="javascript:alert(1)")
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            self._send(200, with_body)
        elif path == "/no-head":
            self._send(405 if self.command == "HEAD" else 200, with_body)
        else:
            self._send(500, with_body)

    def _send(self, status: int, with_body: bool, location: str | None = None) -> None:
        body = b"<!doctype html><title>test</title>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_GET(self) -> None:
        self._answer(with_body=True)


@pytest.fixture
def link_server():
    """A local HTTP server on 127.0.0.1; yields a function giving a heard.test URL for a path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield lambda path: f"http://site.{TEST_DOMAIN}:{port}{path}"
    finally:
        server.shutdown()
        server.server_close()


def local_resolver(host: str, port: int) -> list[str]:
    """Every heard.test name is the local server; anything else is refused (never the internet)."""
    if host == TEST_DOMAIN or host.endswith(f".{TEST_DOMAIN}"):
        return ["127.0.0.1"]
    raise OSError(f"tests never resolve {host}")
