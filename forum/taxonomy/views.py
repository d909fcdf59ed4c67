"""Admins' tag pages: rename, describe, retire and add tags.

The public tag pages (the taxonomy with counts, one tag's stories) list stories, so they are
stories.tags and stories.tag in forum/stories/views.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from wtforms import SelectChoice

from forum.errors import DomainError
from forum.forms import PlainForm, keeps_input_on_csrf_failure
from forum.governance.identity import current_account
from forum.taxonomy import services
from forum.taxonomy.forms import TagAddForm, TagEditForm

bp = Blueprint("taxonomy", __name__)


# --- Admin: rename, describe, retire and add tags ---------------------------------------------


@bp.route("/admin/tags", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def manage():
    """Every tag, retired ones too, and a form to add one (admins only)."""
    groups, practices = services.list_for_admin(current_account())
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
                current_account(), data["slug"], data["name"], description, data["kind"], group
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
    tag = services.get_tag_for_admin(current_account(), slug)
    form = TagEditForm(obj=tag)
    if form.validate_on_submit():
        try:
            services.update_tag(current_account(), tag, form.name.data, form.description.data or "")
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
    tag = services.get_tag_for_admin(current_account(), slug)
    if PlainForm().validate_on_submit():
        action = services.retire_tag if change == "retire" else services.restore_tag
        action(current_account(), tag)
        flash(f"“{tag.name}” is {'retired' if tag.retired else 'back in use'}.", "success")
    return redirect(url_for(".manage"), code=303)
