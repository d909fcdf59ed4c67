"""Export, delete and take a break: each re-authenticates, each is complete."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum.accounts import services
from forum.accounts.models import AccountSession, RecoveryCode, User
from forum.data_rights import services as data_rights
from forum.db import db
from forum.errors import Invalid, NotAllowed
from forum.governance.models import AuditEntry
from forum.moderation.reports import file_report
from forum.stories import responses
from forum.stories import services as stories
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.web import post_form, sign_in

SECRET_WORDS = "the unmistakable words of this teller"


@pytest.fixture
def writer(ctx):
    """An account with a published story, a reply elsewhere and a reaction."""
    load_tags()
    user, _codes = make_user("heron", codes=2)
    mine = make_story(
        author=user, status=Status.PUBLISHED, body=SECRET_WORDS, answers={"affected": SECRET_WORDS}
    )
    theirs = make_story(author=make_user("egret"), status=Status.PUBLISHED, title="Theirs")
    responses.add_reply(
        theirs.id,
        user,
        f"Reply: {SECRET_WORDS}",
        "a" * 32,
        reader_id="r",
        teller=stories.Teller(user=user),
    )
    responses.add_reply(
        mine.id,
        make_user("wren"),
        "Someone else's reply",
        "b" * 32,
        reader_id="w",
        teller=stories.Teller(),
    )
    responses.react(theirs.id, ReactionKind.HEAR, f"u:{user.id}")
    file_report(user, "", "story", theirs.id, "unkind", f"Report: {SECRET_WORDS}")
    services.start_session(user)
    return user


def _dump() -> str:
    rows = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            rows.extend(str(value) for value in row)
    return "\n".join(rows)


def test_every_right_needs_the_password(writer):
    for action in (
        lambda: data_rights.export_data(writer, "wrong"),
        lambda: data_rights.take_a_break(writer, "wrong", 7),
        lambda: data_rights.delete_account(writer, "wrong", erase_posts=True),
    ):
        with pytest.raises(Invalid):
            action()
    assert writer.deleted_at is None and writer.break_until is None


def test_export_holds_mine_and_nothing_of_anyone_else(writer):
    data = data_rights.export_data(writer, PASSWORD)
    text = json.dumps(data)
    assert data["account"]["handle"] == "heron"
    assert [s["body"] for s in data["stories"]] == [SECRET_WORDS]
    assert data["stories"][0]["answers"] == {"affected": SECRET_WORDS}
    assert [r["body"] for r in data["replies"]] == [f"Reply: {SECRET_WORDS}"]
    assert [r["kind"] for r in data["reactions"]] == ["hear"]
    assert [r["detail"] for r in data["reports_you_made"]] == [f"Report: {SECRET_WORDS}"]
    assert "Someone else's reply" not in text and "Theirs" not in text
    assert "egret" not in text and "wren" not in text
    assert "password" not in text and "$argon2" not in text


def test_erasing_leaves_none_of_the_words_anywhere_and_twice_changes_nothing(writer):
    data_rights.delete_account(writer, PASSWORD, erase_posts=True)
    dump = _dump()
    assert SECRET_WORDS not in dump
    assert "heron" not in dump.lower()
    assert db.session.scalar(select(func.count(Reply.id))) == 0  # both lived under/by heron
    assert db.session.scalar(select(func.count(Reaction.id))) == 0
    assert db.session.scalar(select(func.count(AccountSession.id))) == 0
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    before = _dump()
    data_rights.delete_account(writer, PASSWORD, erase_posts=True)
    assert _dump() == before
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account_deleted"))
    assert entry.reason == ""


def test_keeping_posts_makes_them_anonymous(writer):
    story_id = db.session.scalar(select(Story.id).where(Story.author_id == writer.id))
    data_rights.delete_account(writer, PASSWORD, erase_posts=False)
    story = db.session.get(Story, story_id)
    assert story.author_id is None and not story.show_handle
    assert story.body == SECRET_WORDS
    assert "heron" not in _dump().lower()
    with pytest.raises(Invalid):
        services.authenticate("heron", PASSWORD)


def test_a_break_ends_sessions_and_stops_sign_in_with_a_kind_message(writer):
    data_rights.take_a_break(writer, PASSWORD, 7)
    assert db.session.scalar(select(func.count(AccountSession.id))) == 0
    with pytest.raises(NotAllowed, match="take a break"):
        services.authenticate("heron", PASSWORD)
    with pytest.raises(Invalid):
        data_rights.take_a_break(writer, PASSWORD, 5)


def test_export_downloads_json_through_the_page(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    response = post_form(client, "/account/export", {"password": PASSWORD})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["account"]["handle"] == "heron"


def test_deleting_through_the_page_signs_out_and_frees_nothing_of_the_handle(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    response = post_form(client, "/account/delete", {"password": PASSWORD, "posts": "erase"})
    assert response.status_code == 303
    assert client.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.handle)).startswith("deleted-")


def test_a_wrong_password_on_the_delete_page_keeps_the_choice(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    response = post_form(client, "/account/delete", {"password": "nope", "posts": "keep"})
    html = response.get_data(as_text=True)
    assert "Password is not right" in html
    assert (
        'value="keep" checked' in html
        or 'checked value="keep"' in html
        or ('id="posts-1"' in html and "checked" in html)
    )
    with app.app_context():
        assert db.session.scalar(select(User.deleted_at)) is None


def test_taking_a_break_through_the_page(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    response = post_form(client, "/account/break", {"password": PASSWORD, "days": "3"})
    assert response.status_code == 303
    assert client.get("/account").status_code == 302
    again = post_form(app.test_client(), "/login", {"handle": "heron", "password": PASSWORD})
    assert "chose to take a break" in again.get_data(as_text=True)
