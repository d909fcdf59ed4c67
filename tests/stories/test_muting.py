"""Reader muting: hide stories by content note and by words in their title or opening, kept in
the session like hidden tags, with the "some stories are hidden" notice and a one-click undo."""

from __future__ import annotations

import re

import pytest

from forum.db import db
from forum.stories.models import Status
from tests.factories import load_tags, make_story
from tests.web import post_form


@pytest.fixture
def stories(app):
    with app.app_context():
        load_tags()
        make_story(status=Status.PUBLISHED, title="Notes about abuse", content_notes=["abuse"])
        make_story(
            status=Status.PUBLISHED, title="A sexual-abuse note", content_notes=["sexual-abuse"]
        )
        make_story(
            status=Status.PUBLISHED,
            title="The Waiting Room",
            body="Plain words.",
            harm_tags=["not-heard"],
        )
        make_story(
            status=Status.PUBLISHED, title="Opening words", body="It began with a HOSPITAL stay."
        )
        make_story(
            status=Status.PUBLISHED, title="Late words", body="Calm. " * 80 + "hospital at the end"
        )
        make_story(status=Status.PUBLISHED, title="Odd 100% title", body="Percent.")
        db.session.remove()


def _listing(client) -> str:
    return client.get("/stories").get_data(as_text=True)


def _save(client, **data):
    return post_form(client, "/stories/preferences", {"next": "/stories", **data})


def test_muting_a_content_note_hides_only_that_note(client, stories):
    response = _save(client, mute_notes="abuse")
    assert response.status_code == 303
    html = _listing(client)
    assert "Notes about abuse" not in html
    assert "A sexual-abuse note" in html  # a note's name inside another is not a match
    assert "Some stories are hidden" in html and "Abuse or violence" in html


def test_muting_words_hides_by_title_and_opening_in_any_case(client, stories):
    _save(client, mute_words="waiting room\nHospital")
    html = _listing(client)
    assert "The Waiting Room" not in html and "Opening words" not in html
    assert "Late words" in html  # the word is far past the excerpt
    assert "“waiting room” or “hospital”" in html


def test_wildcards_in_muted_words_match_only_themselves(client, stories):
    _save(client, mute_words="100%")
    html = _listing(client)
    assert "Odd 100% title" not in html and "The Waiting Room" in html
    _save(client, mute_words="_")
    assert "The Waiting Room" in _listing(client)


def test_one_click_shows_everything_again(client, stories):
    _save(client, mute_notes="abuse", mute_words="hospital")
    assert "Notes about abuse" not in _listing(client)
    response = _save(client, show_all="1")
    assert response.status_code == 303
    html = _listing(client)
    assert "Notes about abuse" in html and "Opening words" in html
    assert "Some stories are hidden" not in html
    with client.session_transaction() as session:
        assert session["muted_notes"] == [] and session["muted_words"] == []


def test_the_preferences_page_keeps_what_was_muted(client, stories):
    _save(client, mute_notes="suicide", mute_words="Hospital, clinic")
    html = client.get("/stories/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="mute_notes"[^>]*value="suicide"', html)
    assert ">hospital\nclinic</textarea>" in html


def test_unknown_content_notes_are_refused_and_words_are_bounded(client, stories):
    response = _save(client, mute_notes="not-a-note")
    assert response.status_code == 200 and "Error: " in response.get_data(as_text=True)
    _save(client, mute_words="\n".join(f"word{n}" for n in range(30)) + "\n" + "x" * 41)
    with client.session_transaction() as session:
        assert len(session["muted_words"]) == 20 and "x" * 41 not in session["muted_words"]


def test_the_home_page_respects_mutes(client, stories):
    _save(client, mute_words="waiting room")
    assert "The Waiting Room" not in client.get("/").get_data(as_text=True)


def test_tag_pages_respect_mutes(client, stories):
    assert "The Waiting Room" in client.get("/tags/not-heard").get_data(as_text=True)
    _save(client, mute_words="waiting room")
    html = client.get("/tags/not-heard").get_data(as_text=True)
    assert "The Waiting Room" not in html and "Some stories are hidden" in html
