"""Fixtures for the browser tests: one Chromium per session, a live server and a watched
context per test.

Browser tests run on SQLite only: each test gets a fresh app whose database is a SQLite file
in its tmp_path, served on 127.0.0.1 by Werkzeug in a thread. PostgreSQL behaviour is covered
by the rest of the suite. Every context blocks requests that leave loopback and records
them, along with console CSP reports, page errors, dialogs and failed assets; teardown fails
the test if any of those happened.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from forum.db import db
from tests.browser import AXE_JS, NEUTRAL_PAGE, NEUTRAL_URL, is_loopback
from tests.conftest import make_test_app, service_missing

HERE = Path(__file__).resolve().parent
HOST_RULES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
# Budgets for a quiet machine; every one is multiplied by LOAD_FACTOR, so a 2-core machine
# running other suites beside this one (load 10 and more) still finishes in time. Tests wait
# on state (a selector, a URL, Playwright's expect), so a generous budget only costs time when
# something really hangs. HEARD_TEST_LOAD_FACTOR changes the factor.
LOAD_FACTOR = float(os.environ.get("HEARD_TEST_LOAD_FACTOR", "3"))
TIMEOUT_SECONDS = 60  # a whole test (pytest-timeout)
ACTION_TIMEOUT_MS = 10_000  # one Playwright action, navigation or expect


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test, with a timeout so a hang fails.

    A test's own @pytest.mark.timeout(N) is a quiet-machine budget too, scaled the same way.
    """
    has_timeout = config.pluginmanager.hasplugin("timeout")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if has_timeout:
                own = item.get_closest_marker("timeout")
                seconds = own.args[0] if own and own.args else TIMEOUT_SECONDS
                item.add_marker(pytest.mark.timeout(seconds * LOAD_FACTOR), append=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once per session; never a downloaded browser build."""
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("Debian chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("playwright not installed (pip install -e '.[test]')")
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS * LOAD_FACTOR)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", HOST_RULES]
        )
        yield chromium
        chromium.close()


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line per request."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveServer:
    """A running Heard on 127.0.0.1 with its own database."""

    app: object
    base_url: str
    delays: dict[str, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base_url + path


def _delaying(wsgi_app, delays: dict[str, float]):
    """Wrap a WSGI app so requests to some paths wait first (to watch in-between states)."""

    def middleware(environ, start_response):
        pause = delays.get(environ.get("PATH_INFO", ""))
        if pause:
            time.sleep(pause)
        return wsgi_app(environ, start_response)

    return middleware


@pytest.fixture
def live_server(tmp_path):
    """A fresh app with an empty SQLite database, served in a daemon thread."""
    app = make_test_app(f"sqlite:///{tmp_path / 'browser.sqlite3'}", EXIT_URL=NEUTRAL_URL)
    with app.app_context():
        db.create_all()
    live = LiveServer(app=app, base_url="")
    app.wsgi_app = _delaying(app.wsgi_app, live.delays)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live.base_url = f"http://127.0.0.1:{server.server_port}"
    yield live
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@dataclass
class Watch:
    """What one browser context did that a test should know about."""

    blocked: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[tuple[str, str]] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that must not happen on any page."""
        found = [f"request left 127.0.0.1: {url}" for url in self.blocked]
        found += [f"CSP violation: {text}" for kind, text in self.console if _is_csp(text)]
        found += [f"page error: {error}" for error in self.page_errors]
        found += [f"dialog {kind}: {message!r}" for kind, message in self.dialogs]
        found += [f"asset failed: {asset}" for asset in self.failed_assets]
        return found


def _is_csp(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


class ContextFactory:
    """Makes watched browser contexts for one test and checks them all at teardown."""

    def __init__(self, browser, live: LiveServer) -> None:
        self._browser = browser
        self._live = live
        self.made: list[tuple[object, Watch]] = []

    def __call__(self, axe: bool = True, **options):
        """A new context on the live server; options go to browser.new_context.

        axe=False leaves axe out: a page then loads without parsing its 650 KB (crawls).
        """
        options.setdefault("base_url", self._live.base_url)
        options.setdefault("service_workers", "block")
        context = self._browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS * LOAD_FACTOR)
        context.set_default_navigation_timeout(ACTION_TIMEOUT_MS * LOAD_FACTOR)
        watch = Watch()

        def only_loopback(route) -> None:
            url = route.request.url
            if url.startswith(NEUTRAL_URL):
                watch.exits.append(url)
                route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE
                )
            elif is_loopback(url):
                route.continue_()
            else:
                watch.blocked.append(url)
                route.abort()

        def on_response(response) -> None:
            request = response.request
            if (
                response.status >= 400
                and request.resource_type != "document"
                and is_loopback(request.url)
            ):
                watch.failed_assets.append(f"{response.status} {request.url}")

        def on_request_failed(request) -> None:
            # ERR_ABORTED is a load cut short by a navigation (the exit does that on purpose).
            failure = request.failure or ""
            if (
                request.resource_type != "document"
                and is_loopback(request.url)
                and "ERR_ABORTED" not in failure
            ):
                watch.failed_assets.append(f"{failure} {request.url}")

        def on_console(message) -> None:
            watch.console.append((message.type, message.text))
            url = (message.location or {}).get("url", "")
            # A stylesheet or script refused for its MIME type (a 404 page with nosniff) fires
            # no response event; the console is where it shows.
            if message.type == "error" and message.text.startswith("Refused to"):
                watch.failed_assets.append(message.text)
            elif (
                message.type == "error"
                and message.text.startswith("Failed to load resource")
                and is_loopback(url)
                and url not in watch.documents
            ):
                watch.failed_assets.append(f"{message.text} {url}")

        def on_request(request) -> None:
            watch.requests.append(request.url)
            if request.resource_type == "document":
                watch.documents.add(request.url)

        def on_dialog(dialog) -> None:
            watch.dialogs.append((dialog.type, dialog.message))
            dialog.accept()

        context.route("**/*", only_loopback)
        context.on("request", on_request)
        context.on("response", on_response)
        context.on("requestfailed", on_request_failed)
        context.on("console", on_console)
        context.on("weberror", lambda error: watch.page_errors.append(str(error.error)))
        context.on("dialog", on_dialog)
        if axe:
            context.add_init_script(path=str(AXE_JS))
        self.made.append((context, watch))
        return context

    def watch(self, context) -> Watch:
        """The record kept for a context this factory made."""
        return next(w for c, w in self.made if c is context)

    def close_and_check(self) -> list[str]:
        """Close every context; return the problems they recorded."""
        problems = []
        for context, watch in self.made:
            context.close()
            problems += watch.problems()
        return problems


@pytest.fixture
def new_context(browser, live_server):
    """Factory for watched contexts; teardown fails on third-party requests, CSP violations,
    page errors, dialogs or failed assets in any of them."""
    factory = ContextFactory(browser, live_server)
    yield factory
    problems = factory.close_and_check()
    if problems:
        pytest.fail("browser problems:\n" + "\n".join(sorted(set(problems))), pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    """Register `slow`: the crawls and the payload sweep (about half of this folder's time);
    `pytest tests/browser -m "not slow"` leaves them out while working on a page."""
    config.addinivalue_line("markers", "slow: a long browser sweep (crawls, payload corpora)")
