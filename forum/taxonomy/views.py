"""Harm types and community practices: the taxonomy with counts, one tag's stories."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import SelectChoice

from forum.accounts.forms import PlainForm
from forum.errors import DomainError
from forum.forms import keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.stories import reading
from forum.stories.content import CONTENT_NOTES
from forum.stories.forms import parse_cursor
from forum.stories.preferences import reader_hidden_tags, reader_mutes
from forum.taxonomy import services
from forum.taxonomy.forms import TagAddForm, TagEditForm
from forum.taxonomy.models import TagKind

bp = Blueprint("taxonomy", __name__)


def _me():
    """The signed-in account asking (the views here are for signed-in accounts only)."""
    return current_identity().user


@bp.get("/tags")
def index():
    """The harm types in their four groups and the community practices, with story counts."""
    return render_template(
        "taxonomy/index.html",
        title="Harm types and what helped",
        groups=services.list_groups_with_tags(),
        practices=services.list_practice_tags(),
        counts=reading.tag_page_counts(),
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
        notes, words = reader_mutes()
        page = reading.published_tag_stories(
            tag, after=after, exclude=hidden, mute_notes=notes, mute_words=words
        )
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
        muted_notes=[CONTENT_NOTES[n] for n in reader_mutes()[0]],
        muted_words=reader_mutes()[1],
        back=url_for(".show", slug=tag.slug),
    )


# --- Admin: rename, describe, retire and add tags ---------------------------------------------


@bp.route("/admin/tags", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def manage():
    """Every tag, retired ones too, and a form to add one (admins only)."""
    groups, practices = services.list_for_admin(_me())
    form = TagAddForm()
    form.group.choices = [SelectChoice("", "Not in a group")] + [
        SelectChoice(g.group.slug, g.group.name) for g in groups
    ]
    if form.validate_on_submit():
        try:
            data = form.data
            description = data["description"] or ""
            group = data["group"] or None
            tag = services.add_tag(
                _me(), data["slug"], data["name"], description, data["kind"], group
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            flash(f"Added “{tag.name}”.", "success")
            return redirect(url_for(".manage"), code=303)
    return render_template(
        "taxonomy/manage.html",
        title="Manage tags",
        form=form,
        groups=groups,
        practices=practices,
        plain=PlainForm(),
    )


@bp.route("/admin/tags/<slug>", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def edit(slug: str):
    """Rename a tag or change its description (admins only)."""
    tag = services.get_tag_for_admin(_me(), slug)
    form = TagEditForm(obj=tag)
    if form.validate_on_submit():
        try:
            services.update_tag(_me(), tag, form.name.data, form.description.data or "")
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            flash(f"Saved “{tag.name}”.", "success")
            return redirect(url_for(".manage"), code=303)
    return render_template("taxonomy/edit.html", title=f"Edit {tag.name}", form=form, tag=tag)


@bp.post("/admin/tags/<slug>/<any(retire, restore):change>")
@login_required
def retire(slug: str, change: str):
    """Retire a tag (hidden from lists; stories keep it) or bring it back (admins only)."""
    tag = services.get_tag_for_admin(_me(), slug)
    if PlainForm().validate_on_submit():
        action = services.retire_tag if change == "retire" else services.restore_tag
        action(_me(), tag)
        flash(f"“{tag.name}” is {'retired' if tag.retired else 'back in use'}.", "success")
    return redirect(url_for(".manage"), code=303)
