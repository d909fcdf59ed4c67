"""Harm types and community practices: the taxonomy with counts, one tag's stories."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from forum.stories import services as stories
from forum.stories.forms import parse_cursor, reader_hidden_tags
from forum.taxonomy import services
from forum.taxonomy.models import TagKind

bp = Blueprint("taxonomy", __name__)


@bp.get("/tags")
def index():
    """The harm types in their four groups and the community practices, with story counts."""
    return render_template(
        "taxonomy/index.html",
        title="Harm types and what helped",
        groups=services.list_groups_with_tags(),
        practices=services.list_practice_tags(),
        counts=stories.tag_page_counts(),
        hidden=set(reader_hidden_tags()),
    )


@bp.get("/tags/<slug>")
def show(slug: str):
    """One tag: what it means and its published stories, newest first, a page at a time.

    Tags the reader has hidden are left out; if this tag is one of them, no stories show.
    """
    tag = services.get_tag(slug)
    hidden = reader_hidden_tags()
    page = older = None
    if tag.slug not in hidden:
        after = parse_cursor(request.args.get("after"))
        page = stories.published_tag_stories(tag, after=after, exclude=hidden)
        if page.next_cursor:
            older = url_for(".show", slug=tag.slug, after=page.next_cursor.encode())
    names = {t.slug: t for g in services.list_groups_with_tags() for t in g.tags} if hidden else {}
    return render_template(
        "taxonomy/show.html",
        title=tag.name,
        tag=tag,
        is_harm=tag.kind is TagKind.HARM,
        page=page,
        older=older,
        hidden=[names[s] for s in hidden if s in names],
        back=url_for(".show", slug=tag.slug),
    )
