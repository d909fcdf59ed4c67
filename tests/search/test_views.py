"""Search on /stories and in the header: plain GET forms, kind pages, no 5xx on any input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.caching import cache
from forum.db import db
from forum.search import query as search_query
from forum.stories import reading
from forum.stories.models import Status, Story
from forum.stories.reading import StoryFilters
from tests.factories import load_tags, make_story
from tests.payloads import PAYLOADS


@pytest.fixture
def stories(app):
    with app.app_context():
        load_tags()
        make_story(
            status=Status.PUBLISHED,
            title="The harbour",
            harm_tags=["prejudice"],
            body="Everyone said the <b>harbour</b> was calm, but my counsellor never listened.",
        )
        make_story(
            status=Status.PUBLISHED,
            title="Noted harbour",
            content_notes=["self-harm"],
            body="A harbour story behind a content note.",
        )
        db.session.remove()
    return app


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_search_box_in_the_header_and_on_stories(client, stories):
    home = page(client, "/")
    assert 'role="search"' in home and 'name="q"' in home
    listing = page(client, "/stories?q=harbour&tag=prejudice")
    assert 'id="stories-q"' in listing and 'value="harbour"' in listing
    assert '<input type="hidden" name="tag" value="prejudice">' in listing  # filters kept


def test_results_show_a_marked_escaped_snippet_and_none_under_a_content_note(client, stories):
    html = page(client, "/stories?q=counsellor")
    assert "1 story matching “counsellor”" in html
    assert "my <mark>counsellor</mark> never listened" in html
    html = page(client, "/stories?q=harbour")
    assert "<mark>harbour</mark>" in html and "<b>" not in html.split("<main", 1)[1]
    assert "A harbour story behind" not in html and "Content note:" in html


def test_filters_combine_with_q_and_nothing_found_is_kind(client, stories):
    html = page(client, "/stories?q=harbour&tag=prejudice")
    assert "1 story matching “harbour” about" in html
    html = page(client, "/stories?q=zeppelin&tag=prejudice")
    assert "No stories found" in html and "search all stories for" in html
    assert 'href="/tags"' in html


def test_too_common_words_get_a_kind_answer(client, stories):
    html = page(client, "/stories?q=the+and")
    assert "too common to search for" in html


def test_newest_first_option(client, stories):
    html = page(client, "/stories?q=harbour")
    assert "best matches first" in html and "order=newest" in html
    assert "Show best matches first" in page(client, "/stories?q=harbour&order=newest")


def test_cards_show_reply_and_support_counts(client, stories):
    html = page(client, "/stories")
    assert "0 replies" in html


def test_the_feed_follows_the_search(client, stories):
    xml = page(client, "/feeds/stories.atom?q=counsellor")
    assert '<title type="text">The harbour</title>' in xml
    assert "Noted harbour" not in xml
    assert "Noted harbour" in page(client, "/feeds/stories.atom?q=harbour")
    assert "The harbour" not in page(client, "/feeds/stories.atom?q=harbour&tag=no-say")


def _lines():
    for path in sorted(PAYLOADS.rglob("*")):
        if path.is_file() and not path.name.startswith("LICENSE") and path.suffix != ".md":
            yield from path.read_text(errors="replace").splitlines()


EXTREMES = ["\x00", '"' * 50, "(" * 500, "a" * 2000, "NEAR(a b, 1)", "x*:^"]


def _attack_lines() -> list[str]:
    lines = [*_lines(), *EXTREMES]
    assert len(lines) > 4000
    return lines


def _page_shape(line: str):
    """What of a line /stories acts on: the words, phrases and exclusions the engine's query is
    built from, and the skipped words the page names (the rest is only shown back, escaped)."""
    search = search_query.parse(line)
    if search is None:
        return None
    return (search.words, search.phrases, search.excluded, search.skipped)


def _distinct_lines() -> list[str]:
    """One line for every distinct way /stories reads them (2,761 of the 4,848 lines on
    2026-12-03; the others differ only in separators and case, which the reading drops)."""
    lines = list({_page_shape(line): line for line in _attack_lines()}.values())
    assert len(lines) > 2000
    return lines


HTTP_SAMPLE = 20  # every 20th distinct line also goes through the whole page


def test_every_attack_payload_runs_as_an_engine_query_without_error(stories):
    """Every distinct line's engine query runs on each engine, as the very SQL a page sends:
    the listing's own search (reading.published_stories), best matches first. Newest first
    sends the same match expression in another order, so a spread of lines takes it too."""
    with stories.app_context():
        for i, line in enumerate(_distinct_lines()):
            search = search_query.parse(line)
            if search is None or search.is_empty:
                continue
            for ranked in (True, False) if i % HTTP_SAMPLE == 0 else (True,):
                page = reading.published_stories(StoryFilters(search=search), ranked=ranked)
                assert len(page.stories) <= 2, repr(line)
        assert db.session.scalar(select(db.func.count(Story.id))) == 2


def test_attack_payloads_through_q_answer_without_error(client, stories):
    """Through HTTP, a spread of the distinct lines and the hand-made extremes: each page
    answers 200 (the words shown back escaped, the snippets marked), and nothing changed."""
    sample = [*_distinct_lines()[::HTTP_SAMPLE], *EXTREMES]
    assert len(sample) > 100
    for line in sample:
        response = client.get("/stories", query_string={"q": line})
        assert response.status_code == 200, repr(line)
    with stories.app_context():
        assert db.session.scalar(select(db.func.count(Story.id))) == 2


def test_a_ranking_of_only_the_newest_matches_says_so(client, stories, monkeypatch):
    with client.application.app_context():
        for n in range(3):
            make_story(status=Status.PUBLISHED, title=f"Quay {n}", body="A harbour again.")
        db.session.remove()
    monkeypatch.setattr(reading, "NEWEST_EXAMINED", 2)
    html = page(client, "/stories?q=harbour")
    assert "3 or more stories matching “harbour”" in html  # it reads one more to know
    assert "best matches first, from the most recent stories with these words" in html
    assert "to see them all" in html
    # None of the newest two carries the tag: the ranking has nothing, so newest first it is.
    response = client.get("/stories?q=harbour&tag=prejudice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/stories?q=harbour&tag=prejudice&order=newest"
    html = page(client, response.headers["Location"])
    assert "The harbour" in html and "Showing newest first" in html
    monkeypatch.setattr(reading, "NEWEST_EXAMINED", 2000)
    with client.application.app_context():
        cache.clear()  # the pages above were kept; the setting is not part of their key
    html = page(client, "/stories?q=harbour")
    assert "5 stories matching “harbour”" in html and "most recent stories" not in html
