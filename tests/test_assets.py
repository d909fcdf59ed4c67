"""Static files: fingerprinted URLs cached for a year, others briefly; responses compressed
when the browser asks, except small ones and pages carrying a CSRF token (BREACH)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from forum.db import db
from forum.stories.models import Status
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.web import sign_in


def _static_urls(client) -> list[str]:
    return re.findall(r'"(/static/[^"]+)"', client.get("/about").get_data(as_text=True))


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(client):
    urls = _static_urls(client)
    assert {u.split("?")[0] for u in urls} >= {"/static/css/heard.css", "/static/js/heard.js"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{16}$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"]
        assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("query", ["", "?v=0000000000000000"])
def test_a_static_url_without_the_current_hash_is_cached_briefly(client, query):
    response = client.get("/static/css/heard.css" + query)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    from forum.assets import fingerprints

    (tmp_path / "a.css").write_text("body { color: black }")
    before = fingerprints(tmp_path)
    (tmp_path / "a.css").write_text("body { color: navy }")
    assert fingerprints(tmp_path)["a.css"] != before["a.css"]


@pytest.fixture
def listing(app):
    with app.app_context():
        load_tags()
        for n in range(20):
            make_story(status=Status.PUBLISHED, title=f"Story number {n} about being heard")
        db.session.remove()
    return app


@pytest.mark.parametrize(
    ("asked", "encoding", "decode"),
    [("gzip", "gzip", gzip.decompress), ("br, gzip", "br", brotli.decompress)],
)
def test_a_large_page_is_compressed_when_asked(listing, client, asked, encoding, decode):
    plain = client.get("/stories").get_data()
    response = client.get("/stories", headers={"Accept-Encoding": asked})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    assert len(response.get_data()) < len(plain) / 3
    assert decode(response.get_data()) == plain


def test_the_feed_and_static_files_are_compressed_too(listing, client):
    feed = client.get("/feeds/stories.atom", headers={"Accept-Encoding": "gzip"})
    assert feed.headers["Content-Encoding"] == "gzip"
    css = client.get(_static_urls(client)[1], headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"


def test_nothing_is_compressed_unasked_or_small(listing, client):
    assert "Content-Encoding" not in client.get("/stories").headers
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and "Content-Encoding" not in small.headers


def test_a_page_with_a_csrf_token_is_never_compressed(listing, client):
    """A secret beside reflected text must not be compressed (BREACH)."""
    with listing.app_context():
        make_user("reader")
        db.session.remove()
    sign_in(client, "reader", PASSWORD)
    response = client.get("/stories?q=heard", headers={"Accept-Encoding": "gzip, br"})
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers
