"""The cached, shared parts of the reader's pages: story cards, tag counts, a story's text and
replies. Each is the same for every reader who asks with the same values, so it is kept under
the content generation (forum/caching.py); the page around it (forms with their CSRF tokens,
the reader's hidden tags and mutes notice, a member's controls, the resources panel for the
reader's region) is rendered on every request.

A reader's hidden tags and mutes change which stories a listing holds, so they are part of the
filters, and so of the key. Everything kept is plain data or rendered HTML, never ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import get_template_attribute, render_template
from markupsafe import Markup

from forum.caching import remember
from forum.search.query import SearchQuery
from forum.stories import reading
from forum.stories.content import ATTRIBUTION_LABELS, FORMAT_LABELS, PROMPTS, SETTING_LABELS
from forum.stories.models import ReactionKind
from forum.taxonomy.models import Tag


@dataclass(frozen=True)
class Cards:
    """A page of story cards, rendered, with where the next page starts."""

    html: Markup
    count: int
    next_cursor: str | None = None  # encoded, for ?after=
    next_page: int | None = None


def _cards(page: reading.StoryPage, level: int, search: SearchQuery | None = None) -> Cards:
    if not page.stories:
        return Cards(Markup(""), 0, None, page.next_page)
    story_list = get_template_attribute("stories/_macros.html", "story_list")
    html = Markup(story_list(page.stories, level, page.counts, search, page.tags))  # noqa: S704 - rendered by Jinja
    cursor = page.next_cursor.encode() if page.next_cursor else None
    return Cards(html, len(page.stories), cursor, page.next_page)


@dataclass(frozen=True)
class Listing:
    """A /stories page: its cards, the pinned cards leading a first page, and the total."""

    page: Cards
    pinned: Cards | None
    total: reading.Total


def listing(
    filters: reading.StoryFilters, after: reading.Cursor | None, number: int, newest: bool
) -> Listing:
    """One page of /stories for these filters (the reader's hidden tags and mutes included)."""

    def build() -> Listing:
        page = reading.published_stories(filters, after=after, ranked=not newest, page=number)
        pinned = reading.pinned_for_page(filters, after, number)
        return Listing(
            _cards(page, 2, filters.search),
            _cards(pinned, 3, filters.search) if pinned else None,
            reading.count_published_stories(filters),
        )

    return remember("listing", (filters, after, number, newest), build)


def home(filters: reading.StoryFilters) -> tuple[Cards, Cards]:
    """The home page's recent and featured cards."""

    def build() -> tuple[Cards, Cards]:
        recent = reading.published_stories(filters, limit=5)
        featured = reading.published_stories(filters, limit=3, featured_only=True)
        return _cards(recent, 3), _cards(featured, 3)

    return remember("home", (filters,), build)


def tag_cards(
    tag: Tag,
    after: reading.Cursor | None,
    exclude: tuple[str, ...],
    mute_notes: tuple[str, ...],
    mute_words: tuple[str, ...],
) -> Cards:
    """One page of a tag's stories, without the reader's hidden tags and mutes."""

    def build() -> Cards:
        page = reading.published_tag_stories(
            tag, after=after, exclude=exclude, mute_notes=mute_notes, mute_words=mute_words
        )
        return _cards(page, 3)

    return remember("tag", (tag.slug, after, exclude, mute_notes, mute_words), build)


def tag_page_counts() -> dict[str, int]:
    """Per tag, how many published stories its page lists (the /tags counts)."""
    return remember("tag-counts", (), reading.tag_page_counts)


@dataclass(frozen=True)
class TagLink:
    """A story's tag as the resources panel needs it."""

    tag_id: int


@dataclass(frozen=True)
class StoryView:
    """A published story's page, rendered, less the forms and the reader's resources panel."""

    id: int
    title: str
    locked: bool
    article: Markup
    replies: Markup
    counts: dict[ReactionKind, int]
    # Whose story it is (never shown): a member sees no Follow control on their own story.
    author_id: int | None = None
    # What the resources panel matches help to (forum/resources/services.py).
    story_tags: tuple[TagLink, ...] = ()
    content_note_slugs: tuple[str, ...] = field(default=())


def story_view(
    story_id: int, after: reading.Cursor | None, before: reading.Cursor | None, newest: bool
) -> StoryView:
    """A published story and one page of its replies; NotFound (never kept) for any other."""

    def build() -> StoryView:
        shown = reading.published_story_page(story_id)
        story = shown.story
        replies = reading.reply_page(story, after=after, before=before, newest=newest)
        byline = story.author.handle if story.show_handle and story.author else "Anonymous"
        article = render_template(
            "stories/_story.html",
            story=story,
            tags=shown.tags,
            byline=byline,
            prompts=PROMPTS,
            settings=SETTING_LABELS,
            formats=FORMAT_LABELS,
            attributions=ATTRIBUTION_LABELS,
        )
        replies_html = render_template("stories/_replies.html", story=story, replies=replies)
        return StoryView(
            id=story.id,
            title=story.title,
            locked=story.locked,
            article=Markup(article),  # noqa: S704 - rendered by Jinja
            replies=Markup(replies_html),  # noqa: S704 - rendered by Jinja
            counts=shown.reactions,
            author_id=story.author_id,
            story_tags=tuple(TagLink(tag.id) for tag in shown.tags),
            content_note_slugs=tuple(story.content_note_slugs),
        )

    return remember("story", (story_id, after, before, newest), build)
