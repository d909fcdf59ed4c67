"""The status code people can keep: 140 bits in Crockford base32, grouped in fours, typed back
in any case with or without spaces or dashes; codes issued before still work; a copy button
for JavaScript and a "save as a text file" form that works without it, never in a URL and
never cached."""

from __future__ import annotations

import re
import secrets

import pytest

from forum.db import db
from forum.safety import tokens
from forum.stories.models import Status
from forum.stories.services import open_with_status_token
from tests.factories import load_tags, make_story
from tests.sharing.flow import share
from tests.web import post_form


@pytest.fixture
def tags(app):
    """The taxonomy, which /share needs."""
    with app.app_context():
        load_tags()
        db.session.remove()


GROUPED = re.compile(r"[0-9a-hjkmnp-tv-z]{4}(?:-[0-9a-hjkmnp-tv-z]{4}){6}")


def _sent_page(client) -> str:
    assert share(client).status_code == 303
    return client.get("/share/sent").get_data(as_text=True)


def _code_on(page: str) -> str:
    return re.search(r'<code id="status-code">([^<]+)</code>', page)[1]


def test_a_status_code_has_at_least_128_bits_in_an_unambiguous_alphabet():
    code = tokens.status_code_from(secrets.token_bytes(32))
    assert len(code) * 5 >= 128
    assert not set(code) & set("ilou")
    grouped = tokens.group_status_code(code)
    assert GROUPED.fullmatch(grouped)
    assert tokens.normalise_status_code(grouped.upper().replace("-", " ")) == code
    assert tokens.normalise_status_code(code[:-1]) is None
    with pytest.raises(ValueError):
        tokens.status_code_from(b"too short")


def test_look_alikes_are_read_as_the_digits_they_resemble():
    code = "0123" * 7
    assert tokens.normalise_status_code("oi23-" + "0123-" * 5 + "OL23") == code


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.replace("-", ""),
        lambda code: code.upper(),
        lambda code: " " + code.replace("-", " ") + " ",
        lambda code: code.replace("-", " - ").upper(),
    ],
    ids=["as-shown", "no-dashes", "capitals", "spaces", "spaced-dashes"],
)
def test_the_new_code_opens_the_story_however_it_is_typed(app, client, tags, typed):
    code = _code_on(_sent_page(client))
    assert GROUPED.fullmatch(code), code
    response = post_form(client, "/status", {"code": typed(code)})
    assert response.status_code == 303 and response.headers["Location"] == "/status"
    assert "Nobody listened" in client.get("/status").get_data(as_text=True)


def test_a_code_issued_before_still_opens_its_story(app, client, tags):
    """Older codes were 43 URL-safe base64 characters, hashed as issued: still accepted."""
    old = secrets.token_urlsafe(32)
    with app.app_context():
        story = make_story(title="An older story")
        story.status_token_hash = tokens.token_hash(old)
        db.session.commit()
        story_id = story.id
        assert open_with_status_token(f"  {old} ").id == story_id
        db.session.remove()
    response = post_form(client, "/status", {"code": old})
    assert response.status_code == 303
    assert "An older story" in client.get("/status").get_data(as_text=True)
    # Case matters for an older code: it was issued case-sensitive.
    other = post_form(client, "/status", {"code": old.swapcase()})
    assert "That status code was not recognised." in other.get_data(as_text=True)


def test_the_sent_page_offers_copy_and_save_without_javascript(app, client, tags):
    page = _sent_page(client)
    code = _code_on(page)
    copy = re.search(r"<button[^>]*data-copy-target=\"status-code\"[^>]*>", page)[0]
    assert " hidden" in copy and 'type="button"' in copy  # shown by heard.js only
    form = re.search(
        r'<form method="post" action="/share/sent/status-code.txt".*?</form>', page, re.S
    )
    assert form and f'name="code" value="{code}"' in form[0] and "csrf_token" in form[0]
    assert "Save as a text file" in form[0]


def test_save_as_a_text_file_downloads_the_code_uncached(app, client, tags):
    page = _sent_page(client)
    code = _code_on(page)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = client.post(
        "/share/sent/status-code.txt", data={"csrf_token": token, "code": code.upper()}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == 'attachment; filename="status-code.txt"'
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert code in text and "/status" in text
    assert code not in response.request.url and code.replace("-", "") not in response.request.url


@pytest.mark.parametrize("posted", ["<script>alert(1)</script>", "u" * 28, ""])
def test_save_refuses_anything_but_a_status_code(client, tags, posted):
    response = post_form(client, "/share/sent/status-code.txt", {"code": posted}, page="/status")
    assert response.status_code == 303 and response.headers["Location"] == "/status"


def test_save_needs_the_csrf_token(client, tags):
    response = client.post("/share/sent/status-code.txt", data={"code": "0123" * 7})
    assert response.status_code in (303, 400)
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_a_published_story_still_opens_with_its_code(app, client, tags):
    code = _code_on(_sent_page(client))
    with app.app_context():
        story = open_with_status_token(code.replace("-", ""))
        assert story.status is Status.PENDING
