"""The teller's access list lives on the server: a copy of an old cookie opens nothing once the
browser forgets, exits or signs out, and each grant retires the handle the cookie held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.db import db
from forum.governance.session_keys import TELLER_HANDLE
from forum.governance.teller_access import TellerAccess
from forum.retention.services import purge
from forum.safety.tokens import normalise_status_code
from forum.stories.services import submit_story
from tests.factories import PASSWORD, load_tags, make_draft, make_user
from tests.sharing.flow import CODE, sent_code, share
from tests.web import post_form, sign_in


@pytest.fixture
def tags(app):
    """The starting taxonomy."""
    with app.app_context():
        load_tags()


def _submitted(app, title: str = "Nobody listened") -> tuple[int, str]:
    with app.app_context():
        sent = submit_story(None, make_draft(title=title), f"form-token-for-{title}".ljust(32, "x"))
        return sent.story.id, sent.status_token


def _cookie(app, client) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _replay(app, cookie: str):
    """A second browser holding a copy of the cookie as it was."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return other


def _opens(client, story_id: int) -> bool:
    edit = client.get(f"/status/{story_id}/edit").status_code
    download = client.get(f"/status/{story_id}/download").status_code
    assert edit == download, (edit, download)
    return edit == 200


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(TellerAccess.id)))


def _opened_by_code(app, client) -> int:
    story_id, code = _submitted(app)
    assert post_form(client, "/status", {"code": code}).status_code == 303
    return story_id


def test_the_cookie_holds_a_random_handle_not_story_ids(app, client, tags):
    story_id = _opened_by_code(app, client)
    with client.session_transaction() as session:
        handle = session[TELLER_HANDLE]
        assert "status_stories" not in session
    assert isinstance(handle, str) and str(story_id) != handle and len(handle) >= 40
    with app.app_context():
        stored = db.session.scalar(select(TellerAccess.handle_hash))
    assert stored != handle and len(stored) == 64  # only the hash is kept


def test_an_old_cookie_opens_nothing_after_forget(app, client, tags):
    story_id = _opened_by_code(app, client)
    copy = _cookie(app, client)
    assert _opens(_replay(app, copy), story_id)
    assert post_form(client, "/status/forget", {}, page="/status").status_code == 303
    assert not _opens(_replay(app, copy), story_id)
    assert not _opens(client, story_id)
    assert "Nobody listened" not in _replay(app, copy).get("/status").get_data(as_text=True)
    assert _rows(app) == 0


def test_an_old_cookie_opens_nothing_after_the_quick_exit(app, client, tags):
    share(client)
    story_id = _opened_by_code(app, client)  # a second story, by code, in the same browser
    copy = _cookie(app, client)
    assert _opens(_replay(app, copy), story_id)
    assert client.get("/exit").status_code == 303
    assert not _opens(_replay(app, copy), story_id)
    assert _rows(app) == 0


def test_an_old_cookie_opens_nothing_after_signing_out(app, client, tags):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    story_id = _opened_by_code(app, client)  # an anonymous story, opened while signed in
    copy = _cookie(app, client)
    assert _opens(_replay(app, copy), story_id)
    assert post_form(client, "/logout", {}, page="/account").status_code == 303
    replayed = _replay(app, copy)
    assert not _opens(replayed, story_id)
    assert replayed.get("/account").status_code == 302  # and the sign-in is gone too
    assert _rows(app) == 0


def test_each_grant_retires_the_handle_a_copied_cookie_holds(app, client, tags):
    first = _opened_by_code(app, client)
    copy = _cookie(app, client)
    second, code = _submitted(app, "A second story")
    post_form(client, "/status", {"code": code})
    assert _opens(client, first) and _opens(client, second)
    assert not _opens(_replay(app, copy), first)


def test_erasing_a_story_takes_it_off_the_list(app, client, tags):
    story_id = _opened_by_code(app, client)
    other, code = _submitted(app, "Another story")
    post_form(client, "/status", {"code": code})
    assert post_form(client, f"/status/{story_id}/erase", {}).status_code == 303
    assert _rows(app) == 1 and _opens(client, other)


def test_a_legacy_cookie_list_of_ids_opens_nothing(app, client, tags):
    story_id, _code = _submitted(app)
    with client.session_transaction() as session:
        session["status_stories"] = [story_id, True]
    assert not _opens(client, story_id)
    assert "Nobody listened" not in client.get("/status").get_data(as_text=True)


def test_a_handle_with_no_rows_or_a_bad_shape_opens_nothing(app, client, tags):
    story_id = _opened_by_code(app, client)
    for forged in ("x" * 43, 12345, ["x" * 43], None):
        with client.session_transaction() as session:
            session[TELLER_HANDLE] = forged
        assert not _opens(client, story_id)


# --- The status code hand-off to /share/sent ---------------------------------------------------


def _contents(app, cookie: str) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(cookie)


def test_the_cookie_never_carries_the_status_code(app, client, tags):
    share(client)
    copy = _cookie(app, client)
    code = sent_code(client)
    assert code and normalise_status_code(code)
    contents = repr(_contents(app, copy))
    assert normalise_status_code(code) not in contents and code not in contents
    with app.app_context():
        assert db.session.scalar(select(TellerAccess.sent_code)) is None  # cleared when shown
    assert sent_code(_replay(app, copy)) is None  # a copy cannot show it again


@pytest.mark.parametrize("leave", ["forget", "exit"])
def test_leaving_before_the_code_is_shown_leaves_nothing_to_show(app, client, tags, leave):
    share(client)
    copy = _cookie(app, client)
    if leave == "exit":
        client.get("/exit")
    else:
        post_form(client, "/status/forget", {}, page="/status")
    assert sent_code(_replay(app, copy)) is None
    assert _rows(app) == 0


def test_a_code_nobody_came_back_for_is_cleared(app, client, tags):
    share(client)
    with app.app_context():
        row = db.session.scalar(select(TellerAccess))
        row.granted_at -= timedelta(minutes=app.config["SENT_CODE_MINUTES"] + 1)
        db.session.commit()
        purge()
        assert db.session.scalar(select(TellerAccess.sent_code)) is None
    page = client.get("/share/sent")
    assert page.status_code == 200 and not CODE.search(page.get_data(as_text=True))
