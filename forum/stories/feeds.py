"""Atom feeds of published stories (RFC 4287), built with ElementTree.

Encoding per output (SECURITY.md §2, CVE-2026-30913): every string goes in as element text or
an attribute value, so ElementTree escapes it for XML; characters XML 1.0 cannot carry at all
(most control characters) are dropped first, so the feed stays well-formed whatever a title
holds. Absolute addresses come only from the configured SITE_URL, never from the request's
Host header (CVE-2026-29199); without it, links stay relative and ids are `tag:` URIs.
Dates are the first of the publication month at midnight UTC: Atom needs a timestamp, and
the public date of a story is its month (PRODUCT.md, privacy).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from forum.stories.content import CONTENT_NOTES
from forum.stories.models import Story
from forum.stories.reading import CardTag, StoryPage

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Stable whatever address the site moves to, so feed readers never see entries twice.
TAG_PREFIX = "tag:heard,2026:"

# Everything outside the XML 1.0 Char production (tab, newline and return are allowed).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """A string that XML 1.0 can carry: characters it cannot represent are removed."""
    return _NOT_XML.sub("", str(value))


def month_stamp(value: datetime | None) -> str:
    """An RFC 3339 timestamp at the first of the month, 00:00 UTC; no exact time leaks."""
    value = (value or datetime.now(UTC)).astimezone(UTC)
    return f"{value.year:04d}-{value.month:02d}-01T00:00:00Z"


def note_text(story: Story) -> str:
    """The content notes of a story in plain words, lower case, joined by commas."""
    labels = [CONTENT_NOTES[slug] for slug in story.content_note_slugs if slug in CONTENT_NOTES]
    return ", ".join(label[:1].lower() + label[1:] for label in labels)


@dataclass(frozen=True)
class FeedLinks:
    """How the feed names itself and its stories: paths, and the configured site address."""

    site_url: str  # "" when SITE_URL is not configured
    self_path: str
    html_path: str
    story_path: Callable[[Story], str]

    def absolute(self, path: str) -> str:
        """The path under SITE_URL if configured, else the path itself (relative to the feed)."""
        return f"{self.site_url.rstrip('/')}{path}" if self.site_url else path


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _author_name(story: Story) -> str:
    if story.show_handle and story.author is not None:
        return story.author.handle
    return "Anonymous"


def _entry(feed: ET.Element, story: Story, tags: Sequence[CardTag], links: FeedLinks) -> None:
    entry = _add(feed, "entry")
    path = links.story_path(story)
    url = links.absolute(path)
    _add(entry, "title", story.title, type="text")
    _add(entry, "id", f"{TAG_PREFIX}{path}")
    _add(entry, "published", month_stamp(story.published_at))
    _add(entry, "updated", month_stamp(story.published_at))
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    author = _add(entry, "author")
    _add(author, "name", _author_name(story))
    for tag in tags:
        if not tag.retired:
            _add(entry, "category", term=tag.slug, label=tag.name)
    if story.behind_content_note:
        # Content notes hide the body on the site; a feed reader cannot, so it never gets it.
        _add(
            entry,
            "summary",
            f"Content note: {note_text(story)}. Open the story to read it: {url}",
            type="text",
        )
        return
    _add(entry, "summary", f"{story.kind.label}.", type="text")
    html = story.body_html
    if story.helped_instead_html:
        html += f"<h3>What helped instead</h3>{story.helped_instead_html}"
    _add(entry, "content", html, type="html")


def build_feed(
    page: StoryPage, *, title: str, key: str, links: FeedLinks, site_name: str = "Heard"
) -> bytes:
    """An Atom document for a page of published stories (forum.stories.reading)."""
    stories = page.stories
    # Unprefixed names under a default namespace declared on the root, as Atom documents are.
    feed = ET.Element("feed", xmlns=ATOM)
    _add(feed, "title", title, type="text")
    _add(feed, "id", f"{TAG_PREFIX}{key}")
    newest = max((s.published_at for s in stories if s.published_at), default=None)
    _add(feed, "updated", month_stamp(newest))
    _add(
        feed, "link", rel="self", type="application/atom+xml", href=links.absolute(links.self_path)
    )
    _add(feed, "link", rel="alternate", type="text/html", href=links.absolute(links.html_path))
    author = _add(feed, "author")
    _add(author, "name", site_name)
    for story in stories:
        _entry(feed, story, page.tags.get(story.id, ()), links)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
