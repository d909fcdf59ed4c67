"""Atom feeds: well-formed whatever the stories hold, published content only, no Host header.

The XML parsed here is Heard's own output under test, so the standard library parser is used
on purpose (S314): a malformed document must make these tests fail.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from forum.accounts.models import Role
from forum.db import db
from forum.safety.sanitize import clean_text
from forum.stories.feeds import TAG_PREFIX, month_stamp, xml_text
from forum.stories.models import Status, StoryKind
from forum.taxonomy.services import get_tag, retire_tag
from tests.factories import load_tags, make_user
from tests.stories.test_views import (
    HIDDEN_STATUSES,
    add_story,
    database,
    payloads,
    publish,
    update,
)

NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def tags(app):
    with database(app):
        load_tags()


def fetch(client, url: str = "/feeds/stories.atom", **kwargs) -> ET.Element:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)  # noqa: S314


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall("a:entry", NS)


def titles(feed: ET.Element) -> list[str]:
    return [e.findtext("a:title", namespaces=NS) for e in entries(feed)]


def test_the_feed_lists_published_stories_newest_first(app, client, tags):
    start = datetime(2025, 4, 9, 13, 27, tzinfo=UTC)
    publish(app, when=start, title="First")
    publish(app, when=start + timedelta(days=40), title="Second")
    feed = fetch(client)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert titles(feed) == ["Second", "First"]
    assert feed.findtext("a:title", namespaces=NS) == "Heard: stories"
    assert feed.findtext("a:updated", namespaces=NS) == "2025-05-01T00:00:00Z"
    assert feed.find("a:author/a:name", NS).text == "Heard"


def test_entry_dates_are_the_first_of_the_month_and_ids_are_tag_uris(app, client, tags):
    story_id = publish(app, when=datetime(2025, 4, 9, 13, 27, 55, tzinfo=UTC))
    (entry,) = entries(fetch(client))
    assert entry.findtext("a:published", namespaces=NS) == "2025-04-01T00:00:00Z"
    assert entry.findtext("a:updated", namespaces=NS) == "2025-04-01T00:00:00Z"
    assert entry.findtext("a:id", namespaces=NS) == f"{TAG_PREFIX}/stories/{story_id}"
    assert entry.find("a:link", NS).get("href") == f"/stories/{story_id}"
    assert entry.findtext("a:author/a:name", namespaces=NS) == "Anonymous"
    assert [c.get("term") for c in entry.findall("a:category", NS)] == ["not-heard"]


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_only_published_stories_are_in_any_feed(app, client, tags, status):
    publish(app, title="Published")
    add_story(app, status, title="Not for the feed", body="secret body words")
    for url in ("/feeds/stories.atom", "/feeds/tags/not-heard.atom"):
        response = client.get(url)
        assert b"Not for the feed" not in response.data and b"secret body" not in response.data
        assert titles(ET.fromstring(response.data)) == ["Published"]  # noqa: S314


def test_no_address_is_taken_from_the_host_header(app, client, tags):
    story_id = publish(app)
    for url in ("/feeds/stories.atom", "/feeds/tags/not-heard.atom"):
        response = client.get(
            url, headers={"Host": "evil.example", "X-Forwarded-Host": "evil2.example"}
        )
        assert b"evil" not in response.data
        assert f'href="/stories/{story_id}"'.encode() in response.data


def test_a_configured_site_url_makes_links_absolute_and_keeps_ids(app, client, tags):
    app.config["SITE_URL"] = "https://heard.example/"
    story_id = publish(app)
    feed = fetch(client, headers={"Host": "evil.example"})
    (entry,) = entries(feed)
    assert entry.find("a:link", NS).get("href") == f"https://heard.example/stories/{story_id}"
    assert entry.findtext("a:id", namespaces=NS) == f"{TAG_PREFIX}/stories/{story_id}"
    links = {link.get("rel"): link.get("href") for link in feed.findall("a:link", NS)}
    assert links == {
        "self": "https://heard.example/feeds/stories.atom",
        "alternate": "https://heard.example/stories",
    }


def test_a_story_with_content_notes_gives_only_the_note_and_a_link(app, client, tags):
    story_id = publish(
        app, body="Distressing detail", content_notes=["suicide"], helped_instead="Also hidden"
    )
    response = client.get("/feeds/stories.atom")
    assert b"Distressing detail" not in response.data and b"Also hidden" not in response.data
    (entry,) = entries(ET.fromstring(response.data))  # noqa: S314
    assert entry.find("a:content", NS) is None
    summary = entry.findtext("a:summary", namespaces=NS)
    assert summary.startswith("Content note: suicidal thoughts or feelings.")
    assert summary.endswith(f"/stories/{story_id}")


def test_a_story_without_notes_carries_its_sanitised_body(app, client, tags):
    publish(app, body="Some **words**.", helped_instead="Walking.")
    (entry,) = entries(fetch(client))
    content = entry.find("a:content", NS)
    assert content.get("type") == "html"
    assert "<strong>words</strong>" in content.text and "What helped instead" in content.text


def test_the_handle_shows_only_when_chosen(app, client, tags):
    with database(app):
        from tests.factories import make_story

        author = make_user("alder")
        make_story(status=Status.PUBLISHED, author=author, show_handle=True, title="Named")
        make_story(status=Status.PUBLISHED, author=author, show_handle=False, title="Unnamed")
    feed = fetch(client)
    names = {
        e.findtext("a:title", namespaces=NS): e.findtext("a:author/a:name", namespaces=NS)
        for e in entries(feed)
    }
    assert names == {"Named": "alder", "Unnamed": "Anonymous"}


def test_control_characters_and_cdata_ends_in_titles_keep_the_feed_well_formed(app, client, tags):
    story_id = publish(app, title="placeholder", body="Body ]]> <![CDATA[ x ]]>")
    # PostgreSQL refuses NUL in text, so every other control character stands in for it.
    update(app, story_id, title="Bad\x01\x08\x0b\x0c\x1f\ufffe title ]]> & <b>")
    feed = fetch(client)  # ET.fromstring raises on anything ill-formed
    assert titles(feed) == ["Bad title ]]> & <b>"]
    (entry,) = entries(feed)
    assert "]]&gt; &lt;![CDATA[" in entry.find("a:content", NS).text


def test_a_tag_name_with_markup_is_escaped_in_the_tag_feed(app, client, tags):
    with database(app):
        tag = get_tag("not-heard")
        tag.name = 'Not <heard> & "ignored"\x07'
        db.session.commit()
    publish(app)
    feed = fetch(client, "/feeds/tags/not-heard.atom")
    assert feed.findtext("a:title", namespaces=NS) == 'Heard: Not <heard> & "ignored"'
    (entry,) = entries(feed)
    assert entry.find("a:category", NS).get("label") == 'Not <heard> & "ignored"'


class Active(HTMLParser):
    """Anything in an HTML fragment that could run script."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "svg", "img", "object", "embed", "math", "style", "base"}:
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}")
            if name == "href" and not (value or "").startswith(("http://", "https://")):
                self.problems.append(f"href={value!r}")


def test_script_payloads_stay_text_in_the_feed(app, client, tags):
    lines = payloads()
    for i, line in enumerate(lines[:20]):
        publish(
            app,
            when=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            title=line[:200],
            body=line,
        )
    for url in ("/feeds/stories.atom", "/feeds/tags/not-heard.atom"):
        feed = fetch(client, url)
        assert sorted(titles(feed)) == sorted(
            xml_text(clean_text(line[:200])) for line in lines[:20]
        )
        for entry in entries(feed):
            # Feed readers render type="html" content: it must be the sanitised HTML.
            assert Active(entry.find("a:content", NS).text).problems == []
            assert entry.find("a:title", NS).get("type") == "text"


def test_the_tag_feed_lists_that_tags_stories_only(app, client, tags):
    publish(app, title="Not heard", harm_tags=["not-heard"])
    publish(app, title="Prejudice", harm_tags=["prejudice"])
    publish(app, title="A walk", kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"])
    assert titles(fetch(client, "/feeds/tags/not-heard.atom")) == ["Not heard"]
    assert titles(fetch(client, "/feeds/tags/nature.atom")) == ["A walk"]
    feed = fetch(client, "/feeds/tags/nature.atom")
    links = {link.get("rel"): link.get("href") for link in feed.findall("a:link", NS)}
    assert links == {"self": "/feeds/tags/nature.atom", "alternate": "/tags/nature"}
    assert feed.findtext("a:id", namespaces=NS) == f"{TAG_PREFIX}/feeds/tags/nature"


@pytest.mark.parametrize(
    "slug", ["no-such-tag", "NOT-HEARD", "not_heard", "%00", "a" * 300, "..%2f..%2fetc", "%ff"]
)
def test_unknown_tag_feeds_are_not_found(client, tags, slug):
    assert client.get(f"/feeds/tags/{slug}.atom").status_code == 404


def test_a_retired_tags_feed_is_not_found(app, client, tags):
    with database(app):
        admin = make_user("admin-one", role=Role.ADMIN)
        retire_tag(admin, get_tag("dependency"))
    assert client.get("/feeds/tags/dependency.atom").status_code == 404


def test_an_empty_feed_is_still_valid(client, tags):
    feed = fetch(client)
    assert entries(feed) == []
    assert feed.findtext("a:updated", namespaces=NS).endswith("-01T00:00:00Z")


def test_xml_text_drops_only_what_xml_cannot_carry():
    assert xml_text("a\x00b\x1fc\ud800d\ufffee\tf\ng\rh😀") == "abcde\tf\ng\rh😀"


def test_month_stamp_hides_the_day_and_time():
    assert month_stamp(datetime(2024, 12, 31, 23, 59, tzinfo=UTC)) == "2024-12-01T00:00:00Z"
