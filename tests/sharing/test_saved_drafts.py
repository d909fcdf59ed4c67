"""Drafts only when asked, over HTTP on each engine: nothing is kept without "Save and come
back later"; a saved draft comes back whole, is deleted by its teller, goes when the story is
sent, and `heard purge` removes it after DRAFT_RETENTION_DAYS."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from forum.db import db, utcnow
from forum.errors import DomainError
from forum.retention import services as retention
from forum.stories import saved_drafts
from forum.stories.models import SavedDraft
from tests.factories import PASSWORD, load_tags, make_user
from tests.sharing.flow import carry, hidden_fields, main_of, start, step, valid_story
from tests.test_fuzz_forms import PAYLOADS
from tests.web import csrf_token, sign_in

CODE = re.compile(r'<p class="status-code"><code>([^<]+)</code></p>')

# Every kind of field the compose form has: text, answers, tags, impacts, notes, choices.
WHOLE = {
    "kind": "experience",
    "title": "Half a story",
    "body": "I got as far as the second year & then <stopped>.",
    "answer_affected": "I stopped sleeping.",
    "answer_support": "My sister, and long walks.",
    "harm_tags": ["not-heard", "prejudice"],
    "impact-not-heard": "3",
    "content_notes": ["abuse"],
    "therapy_kind": "Counselling",
    "setting": "private",
    "format": "individual",
    "roughly_when": "A few years ago",
    "attribution": "unsure",
    "helped_instead": "Writing it down.",
}


class _Values(HTMLParser):
    """What a browser would send from the /share form: text, checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: MultiDict = MultiDict()
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("action") == "/share"
        if not self._in_form:
            return
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.values.add(a["name"], a.get("value") or "")
        elif tag == "input" and a.get("name") and a.get("type") != "hidden":
            if a.get("value"):
                self.values.add(a["name"], a["value"])
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.add(self._textarea, "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a and a.get("value"):
            self.values.add(self._select, a["value"])

    def handle_data(self, data):
        if self._textarea:
            name, before = self._textarea, self.values.get(self._textarea, "")
            if not before:  # a browser drops one line break just after <textarea>
                data = data.removeprefix("\r\n").removeprefix("\n")
            self.values.setlist(name, [before + data])

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def shown_values(html: str) -> MultiDict:
    parser = _Values()
    parser.feed(html)
    return parser.values


@pytest.fixture
def tags(app):
    with app.app_context():
        load_tags()
        make_user("heron")
        db.session.remove()


def drafts(app) -> list[SavedDraft]:
    with app.app_context():
        rows = list(db.session.scalars(select(SavedDraft)))
        db.session.expunge_all()
        return rows


def save(client, data: dict, tokens: dict | None = None):
    response = step(client, "save", data, tokens)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def resume(client, code: str):
    return client.post(
        "/share/drafts", data={"csrf_token": csrf_token(client, "/share/drafts"), "code": code}
    )


def assert_whole(html: str) -> None:
    values = shown_values(html)
    for name, value in WHOLE.items():
        expected = value if isinstance(value, list) else [value]
        assert sorted(values.getlist(name)) == sorted(expected), name


def test_walking_every_step_without_the_button_keeps_nothing(app, client, tags):
    tokens = start(client)
    assert step(client, "check", WHOLE, tokens).status_code == 200
    preview = step(client, "preview", valid_story(), tokens)
    assert "Save and come back later" in preview.get_data(as_text=True)
    assert step(client, "edit", WHOLE, tokens).status_code == 200
    assert carry(client, preview, "submit").status_code == 303
    assert drafts(app) == []


def test_saving_says_what_is_kept_and_a_new_browser_gets_every_field_back(app, client, tags):
    response = save(client, WHOLE)
    page = main_of(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    assert "Your draft code" in page and "14 days after you last saved it" in page
    assert "If someone else uses this device" in page
    code = CODE.search(page)[1]
    [row] = drafts(app)
    assert row.user_id is None and row.code_hash and code.replace("-", "") not in row.fields

    elsewhere = app.test_client()
    resumed = resume(elsewhere, code)
    html = resumed.get_data(as_text=True)
    assert resumed.status_code == 200 and "Delete this draft" in html
    assert_whole(html)
    assert "&lt;stopped&gt;" in html  # kept as text, shown escaped


def test_saving_the_same_draft_again_keeps_one_row_and_the_same_code(app, client, tags):
    tokens = start(client)
    first = CODE.search(save(client, WHOLE, tokens).get_data(as_text=True))[1]
    again = CODE.search(
        save(client, {**WHOLE, "title": "More now"}, tokens).get_data(as_text=True)
    )[1]
    assert first == again
    [row] = drafts(app)
    assert "More now" in row.fields


def test_an_unknown_code_is_refused_kindly(app, client, tags):
    response = resume(client, "0000-0000-0000-0000-0000-0000-0000")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert "That draft code was not recognised" in html


def test_the_teller_deletes_the_draft(app, client, tags):
    code = CODE.search(save(client, WHOLE).get_data(as_text=True))[1]
    resumed = resume(client, code)
    fields = hidden_fields(resumed.get_data(as_text=True))
    values = shown_values(resumed.get_data(as_text=True))
    response = client.post(
        "/share/drafts/delete", data=MultiDict([*fields, *values.items(multi=True)])
    )
    assert response.status_code == 303
    assert drafts(app) == []
    assert resume(client, code).status_code == 400


def test_sending_the_story_deletes_its_draft(app, client, tags):
    tokens = start(client)
    save(client, valid_story(), tokens)
    preview = step(client, "preview", valid_story(), tokens)
    assert carry(client, preview, "submit").status_code == 303
    assert drafts(app) == []


def test_a_members_draft_is_kept_with_the_account(app, client, tags):
    sign_in(client, "heron", PASSWORD)
    page = main_of(save(client, WHOLE).get_data(as_text=True))
    assert "kept with your account" in page and "Your draft code" not in page
    [row] = drafts(app)
    assert row.user_id is not None and row.code_hash is None
    listing = client.get("/share/drafts").get_data(as_text=True)
    assert "The draft kept with your account" in listing
    resumed = client.post(
        "/share/drafts/mine", data={"csrf_token": csrf_token(client, "/share/drafts")}
    )
    assert_whole(resumed.get_data(as_text=True))
    deleted = client.post(
        "/share/drafts/delete", data={"csrf_token": csrf_token(client, "/share/drafts")}
    )
    assert deleted.status_code == 303 and drafts(app) == []


def test_purge_deletes_drafts_after_the_settings_days(app, client, tags):
    save(client, WHOLE)
    save(app.test_client(), valid_story())
    with app.app_context():
        old, fresh = db.session.scalars(select(SavedDraft).order_by(SavedDraft.id)).all()
        days = app.config["DRAFT_RETENTION_DAYS"]
        old.saved_at = utcnow() - timedelta(days=days, minutes=1)
        fresh.saved_at = utcnow() - timedelta(days=days - 1)
        db.session.commit()
        report = retention.purge()
        assert report.drafts == 1 and "1 saved drafts past their time" in report.summary()
        assert db.session.scalar(select(func.count(SavedDraft.id))) == 1


def test_the_attack_corpus_is_kept_as_text(app, tags):
    allowed = frozenset({"title", "body", "answer_affected", "form_token"})
    with app.test_request_context():
        for i, payload in enumerate(PAYLOADS):
            token = f"draft-attack-{i:06d}-padding-xx"
            fields = {"title": payload, "body": payload, "answer_affected": [payload], "x": 1}
            try:
                saved = saved_drafts.save(None, token, fields, allowed)
            except DomainError:
                db.session.rollback()
                continue
            back = saved_drafts.fields_of(saved_drafts.open_with_code(saved.code or ""))
            assert set(back) <= allowed and "\x00" not in back.get("body", "")
