"""When the database fails: no lock timeout reaches a teller, every page answers a kind 503 with
the person's words kept, a retry with the same token makes one story, and domain errors met in a
CSRF re-render answer as they would without it (issue 9, items 2-4)."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select, update
from werkzeug.datastructures import MultiDict

from forum.accounts.models import AccountSession, Role
from forum.db import db, utcnow
from forum.stories.models import Status, Story
from tests.conftest import make_test_app
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.sharing.flow import carry, share, start, step, story_count, valid_story
from tests.web import csrf_token, sign_in

sqlite_only = pytest.mark.parametrize("engine_name", ["sqlite"])

BODY = "I said it three times & nobody wrote it down.\nThe second line <matters> too."
HOLD_SECONDS = 10


@pytest.fixture
def tags(app):
    """The starting taxonomy."""
    with app.app_context():
        load_tags()


def _sqlite_path(app) -> str:
    with app.app_context():
        return db.engine.url.database


class _Kept(HTMLParser):
    """The 503 page's form: where it posts, its hidden inputs and its textareas, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method") == "post" and self.action is None:
            self.action = attributes.get("action")
        elif tag == "input" and attributes.get("type") == "hidden" and self.action is not None:
            self.fields.append((attributes["name"], attributes.get("value") or ""))
        elif tag == "textarea":
            self._textarea = attributes["name"]
            self.fields.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def kept_form(html: str) -> tuple[str, MultiDict]:
    """The action and fields of the form a 503 page gives back, as a browser would send it."""
    parser = _Kept()
    parser.feed(html)
    assert parser.action, "the 503 page has no form to send again"
    return parser.action, MultiDict(parser.fields)


def assert_kind_503(response) -> str:
    """A 503 with Retry-After, the calm page, crisis help and the exit; no trace of the cause."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert "not available just now" in html
    assert 'href="/exit"' in html and 'href="/help"' in html
    assert "emergency number" in html
    for leak in ("Traceback", "OperationalError", "sqlite3", "psycopg", "SELECT", "INSERT"):
        assert leak not in html
    return html


# --- Item 2: no lock timeout reaches a teller on SQLite ------------------------------------


class HeldLock:
    """Another process's write transaction on the same SQLite file, held until release()."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("CREATE TABLE IF NOT EXISTS other_writer (n INTEGER)")
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO other_writer VALUES (1)")
        self.released = threading.Event()

    def release(self) -> None:
        """Commit the other writer's work (it changes the database) and let go of the lock."""
        self.released.set()
        self.conn.execute("COMMIT")
        self.conn.close()


@sqlite_only
def test_four_tellers_share_while_another_writer_holds_the_lock_for_ten_seconds(app, tags):
    clients = [app.test_client() for _ in range(4)]
    tokens = [start(client) for client in clients]  # open /share before the lock is taken
    lock = HeldLock(_sqlite_path(app))
    timer = threading.Timer(HOLD_SECONDS, lock.release)
    results: dict[int, dict] = {}

    def teller(n: int) -> None:
        client, story = clients[n], valid_story(title=f"Teller {n}", body=f"{BODY} ({n})")
        checked = step(client, "check", story, tokens[n])
        previewed = step(client, "preview", story, tokens[n])
        read_steps_done_while_locked = not lock.released.is_set()
        submitted = carry(client, previewed, "submit")
        results[n] = {
            "check": checked.status_code,
            "preview": previewed.status_code,
            "locked": read_steps_done_while_locked,
            "submit": submitted.status_code,
            "location": submitted.headers.get("Location", ""),
        }

    threads = [threading.Thread(target=teller, args=(n,)) for n in range(4)]
    timer.start()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=HOLD_SECONDS + 30)
    finally:
        timer.cancel()
        if not lock.released.is_set():
            lock.release()
    assert len(results) == 4, results
    for result in results.values():
        assert result["check"] == 200 and result["preview"] == 200, result
        assert result["locked"], f"check and preview waited for the lock: {result}"
        assert result["submit"] == 303 and result["location"].endswith("/share/sent"), result
    with app.app_context():
        titles = set(db.session.scalars(select(Story.title)))
    assert titles == {f"Teller {n}" for n in range(4)}


@sqlite_only
def test_a_lock_held_past_the_retry_gives_the_story_back_and_a_retry_stores_it_once(
    database_uri, tmp_path
):
    app = make_test_app(database_uri, DATABASE_BUSY_TIMEOUT=0.2)
    with app.app_context():
        db.create_all()
        load_tags()
    client = app.test_client()
    preview = step(client, "preview", valid_story(body=BODY, practice_tags=["peer-support-group"]))
    assert preview.status_code == 200
    lock = HeldLock(_sqlite_path(app))
    try:
        refused = carry(client, preview, "submit")
        html = assert_kind_503(refused)
    finally:
        lock.release()
    assert "&lt;matters&gt;" in html and "<matters>" not in html  # kept, and escaped
    action, fields = kept_form(html)
    assert action == "/share"
    assert fields["body"].replace("\r\n", "\n") == BODY
    assert fields["action"] == "submit" and fields.getlist("harm_tags") == ["not-heard"]
    assert story_count(app) == 0
    assert client.post(action, data=fields).status_code == 303
    assert client.post(action, data=fields).status_code == 303  # sent twice: still one
    assert story_count(app) == 1
    with app.app_context():
        db.engine.dispose()


@sqlite_only
def test_a_signed_in_readers_bookkeeping_never_fails_a_page_while_the_lock_is_held(app, tags):
    client = app.test_client()
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    with app.app_context():
        # Due a last-seen update, which a read-only request cannot wait for.
        db.session.execute(
            update(AccountSession).values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    lock = HeldLock(_sqlite_path(app))
    try:
        began = time.monotonic()
        page = client.get("/account")
        waited = time.monotonic() - began
    finally:
        lock.release()
    assert page.status_code == 200
    assert waited < 5, "a page waited for the write lock"


@sqlite_only
def test_a_reply_with_errors_takes_no_lock_and_a_good_one_waits_for_it(app, tags):
    client = app.test_client()
    with app.app_context():
        story_id = make_story(status=Status.PUBLISHED).id
    token = csrf_token(client, f"/stories/{story_id}")
    lock = HeldLock(_sqlite_path(app))
    timer = threading.Timer(2, lock.release)
    timer.start()
    try:
        empty = client.post(f"/stories/{story_id}/replies", data={"csrf_token": token, "body": ""})
        answered_while_locked = not lock.released.is_set()
        sent = client.post(
            f"/stories/{story_id}/replies",
            data={"csrf_token": token, "body": BODY, "form_token": "f" * 32},
        )
    finally:
        timer.cancel()
        if not lock.released.is_set():
            lock.release()
    assert empty.status_code in {200, 400} and answered_while_locked
    assert sent.status_code == 303


# --- Item 3: the database unavailable -------------------------------------------------------


class Outage:
    """Make the app's database unreachable the way it fails in production, then bring it back.

    PostgreSQL: every new connection goes to a closed port (connection refused). SQLite: every
    new connection opens a path that cannot be opened, or (read_only) the file in read-only mode.
    """

    def __init__(self, app, read_only: bool = False) -> None:
        self.app, self.read_only = app, read_only
        with app.app_context():
            self.engine = db.engine

    def _connect(self, dialect, conn_rec, cargs, cparams):
        if self.engine.dialect.name == "postgresql":
            cparams.update(host="127.0.0.1", port=1, connect_timeout=2)
            return None
        if self.read_only:
            return sqlite3.connect(f"file:{cargs[0]}?mode=ro", uri=True, **cparams)
        cargs[0] = "/nonexistent/heard/database.sqlite3"
        return None

    def __enter__(self) -> Outage:
        self.engine.dispose()  # connections already open would hide the fault
        event.listen(self.engine, "do_connect", self._connect)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "do_connect", self._connect)
        self.engine.dispose()


def test_every_page_answers_a_kind_503_when_the_database_is_unreachable(app, tags):
    client = app.test_client()
    with app.app_context():
        story = make_story(status=Status.PUBLISHED)
        story_id = story.id
    client.get("/")  # today's client-key secret is read once, before the outage
    assert client.get("/status").status_code == 200  # pages that need no database still work
    with Outage(app):
        for path in ("/", "/stories", f"/stories/{story_id}", "/share"):
            assert_kind_503(client.get(path))
    assert client.get(f"/stories/{story_id}").status_code == 200


def test_crisis_help_still_answers_from_the_data_file_when_the_database_is_away(app):
    client = app.test_client()
    client.get("/")
    with Outage(app):
        for path in ("/help", "/help?region=GB"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert "Samaritans" in page.get_data(as_text=True)
            assert "Befrienders Worldwide" in page.get_data(as_text=True)


def test_an_unreachable_database_gives_the_story_back_and_a_retry_makes_one_story(app, tags):
    client = app.test_client()
    story = valid_story(body=BODY, setting="private", content_notes=["self-harm"])
    preview = step(client, "preview", story)
    assert preview.status_code == 200
    with Outage(app):
        html = assert_kind_503(carry(client, preview, "submit"))
        action, fields = kept_form(html)
        assert_kind_503(client.post(action, data=fields))  # still down: still kept
    assert fields["body"].replace("\r\n", "\n") == BODY
    assert fields["title"] == story["title"]
    assert fields["setting"] == "private" and fields["content_notes"] == "self-harm"
    assert fields["form_token"] and fields["csrf_token"]
    assert story_count(app) == 0  # nothing half-saved
    assert client.post(action, data=fields).status_code == 303
    assert client.post(action, data=fields).status_code == 303
    assert story_count(app) == 1


def test_a_reply_form_comes_back_from_a_503_for_a_signed_in_member(app, tags):
    client = app.test_client()
    with app.app_context():
        make_user("heron")
        story_id = make_story(status=Status.PUBLISHED).id
    sign_in(client, "heron", PASSWORD)
    token = csrf_token(client, f"/stories/{story_id}")
    with Outage(app):
        refused = client.post(
            f"/stories/{story_id}/replies",
            data={"csrf_token": token, "body": BODY, "form_token": "r" * 32, "show_handle": "y"},
        )
        html = assert_kind_503(refused)
    action, fields = kept_form(html)
    assert action == f"/stories/{story_id}/replies"
    assert fields["body"].replace("\r\n", "\n") == BODY and fields["show_handle"] == "y"
    assert client.post(action, data=fields).status_code == 303


def test_a_status_edit_comes_back_from_a_503_and_a_retry_saves_it(app, tags):
    client = app.test_client()
    assert share(client).status_code == 303
    with app.app_context():
        story_id = db.session.scalar(select(Story.id))
    token = csrf_token(client, f"/status/{story_id}/edit")
    edited = valid_story(title="Nobody listened, again", body=BODY)
    with Outage(app):
        html = assert_kind_503(
            client.post(f"/status/{story_id}/edit", data={"csrf_token": token, **edited})
        )
    action, fields = kept_form(html)
    assert action == f"/status/{story_id}/edit"
    assert fields["title"] == "Nobody listened, again"
    assert fields["body"].replace("\r\n", "\n") == BODY
    with app.app_context():
        assert db.session.get(Story, story_id).title == "Nobody listened"  # nothing half-saved
    assert client.post(action, data=fields).status_code == 303
    with app.app_context():
        assert db.session.get(Story, story_id).body == BODY


def test_a_report_and_a_moderators_reason_come_back_from_a_503(app, tags):
    reader, moderator = app.test_client(), app.test_client()
    with app.app_context():
        make_user("owl", role=Role.MODERATOR)
        published = make_story(status=Status.PUBLISHED).id
        waiting = make_story().id
    sign_in(moderator, "owl", PASSWORD)
    report_token = csrf_token(reader, f"/stories/{published}/report")
    act_token = csrf_token(moderator, f"/moderation/story/{waiting}")
    reason = "Names a clinic & a town; asking the teller to take them out."
    with Outage(app):
        reported = reader.post(
            f"/stories/{published}/report",
            data={"csrf_token": report_token, "reason": "identifies", "detail": BODY},
        )
        acted = moderator.post(
            f"/moderation/story/{waiting}/request_changes",
            data={"csrf_token": act_token, "template": "", "reason": reason, "version": "1"},
        )
        report_html, act_html = assert_kind_503(reported), assert_kind_503(acted)
    action, fields = kept_form(report_html)
    assert action == f"/stories/{published}/report"
    assert fields["detail"].replace("\r\n", "\n") == BODY and fields["reason"] == "identifies"
    action, fields = kept_form(act_html)
    assert action == f"/moderation/story/{waiting}/request_changes"
    assert fields["reason"] == reason and fields["version"] == "1"
    assert "Reason" in act_html  # the field's own label


@sqlite_only
def test_a_read_only_database_file_answers_503_for_writes_and_keeps_the_story(app, tags):
    client = app.test_client()
    preview = step(client, "preview", valid_story(body=BODY))
    with Outage(app, read_only=True):
        assert client.get("/stories").status_code == 200  # reading still works
        html = assert_kind_503(carry(client, preview, "submit"))
    action, fields = kept_form(html)
    assert fields["body"].replace("\r\n", "\n") == BODY
    assert story_count(app) == 0
    assert client.post(action, data=fields).status_code == 303
    assert story_count(app) == 1


def test_a_sign_in_password_is_never_echoed_on_the_503_page(app):
    client = app.test_client()
    token = csrf_token(client, "/login")
    with Outage(app):
        html = assert_kind_503(
            client.post(
                "/login",
                data={"csrf_token": token, "handle": "heron", "password": "a secret pass phrase"},
            )
        )
    assert "a secret pass phrase" not in html and "heron" in html


# --- Item 4: domain errors inside a CSRF re-render -------------------------------------------


def test_a_reply_with_an_expired_token_to_a_story_hidden_meanwhile_answers_404(app, tags):
    client = app.test_client()
    with app.app_context():
        story = make_story(status=Status.PUBLISHED)
        story_id = story.id
    client.get(f"/stories/{story_id}")
    with app.app_context():
        db.session.get(Story, story_id).status = Status.REMOVED
        db.session.commit()
    for token in ("", "an-expired-or-forged-token"):
        response = client.post(
            f"/stories/{story_id}/replies", data={"csrf_token": token, "body": BODY}
        )
        assert response.status_code == 404, response.get_data(as_text=True)[:300]


def test_a_reply_with_an_expired_token_keeps_the_text_while_the_story_is_up(app, tags):
    client = app.test_client()
    with app.app_context():
        story_id = make_story(status=Status.PUBLISHED).id
    response = client.post(f"/stories/{story_id}/replies", data={"body": BODY})
    assert response.status_code in {200, 400}
    assert "I said it three times &amp; nobody wrote it down." in response.get_data(as_text=True)


def test_an_edit_with_a_bad_token_for_someone_elses_story_answers_404(app, tags):
    client = app.test_client()
    with app.app_context():
        story_id = make_story().id  # in review, sent from another browser
    response = client.post(
        f"/status/{story_id}/edit", data={"csrf_token": "bad", **valid_story(body=BODY)}
    )
    assert response.status_code in {403, 404}, response.get_data(as_text=True)[:300]
