"""The filters story cards and pages use in templates: content-note words, the excerpt, the
search snippet and the tags shown. Registered app-wide by the stories blueprint, because the
home page and tag pages show story cards too."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint
from markupsafe import Markup

from forum.search.query import SearchQuery
from forum.search.snippets import snippet
from forum.stories import feeds
from forum.stories.models import Story
from forum.stories.reading import CardTag
from forum.taxonomy.models import Tag, TagKind

EXCERPT_LENGTH = 220


def story_notes(story: Story) -> str:
    """The story's content notes in plain words ("self-harm, medication")."""
    return feeds.note_text(story)


def story_excerpt(story: Story) -> str:
    """A short plain-text excerpt; none at all for a story with content notes."""
    if story.behind_content_note:
        return ""
    text = _plain_text(story)
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _plain_text(story: Story) -> str:
    """The story's words without markup; escaped again wherever they are shown."""
    # body_html was sanitised when it was stored; only its text is kept.
    return Markup(story.body_html).striptags()  # noqa: S704


def search_snippet(story: Story, search: SearchQuery) -> Markup:
    """The part of a story around the searched words, marked; none with content notes."""
    if story.behind_content_note:
        return Markup("")
    return snippet(_plain_text(story), search.marked_words)  # snippet() escapes it


def shown_tags(tags: Iterable[Tag | CardTag]) -> list[Tag | CardTag]:
    """Of a story's tags (in the teller's order), those to show: harm tags, then practice
    tags, never retired ones."""
    kept = [tag for tag in tags if not tag.retired]
    return [t for t in kept if t.kind == TagKind.HARM] + [
        t for t in kept if t.kind == TagKind.PRACTICE
    ]


def story_tags(story: Story) -> list[Tag | CardTag]:
    """The tags to show on a story whose tags are loaded with it (its own page)."""
    return shown_tags(story_tag.tag for story_tag in story.story_tags)


def register(bp: Blueprint) -> None:
    """Make the filters available to every template of the app."""
    bp.add_app_template_filter(story_notes, "story_notes")
    bp.add_app_template_filter(story_excerpt, "story_excerpt")
    bp.add_app_template_filter(search_snippet, "search_snippet")
    bp.add_app_template_filter(story_tags, "story_tags")
    bp.add_app_template_filter(shown_tags, "shown_tags")
