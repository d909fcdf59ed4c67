"""Admin pages of moderation: the full audit log, roles, watched words, reason templates.

Registered on the moderation blueprint by `register`; each is marked `admin_only`, which the
blueprint's gate enforces (and the decorator checks again), and the services check the
actor a third time.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from forum.errors import Invalid, NotFound
from forum.forms import PlainForm
from forum.governance.identity import current_account, current_identity
from forum.governance.watched_words import all_words
from forum.moderation import logs, people, reasons, watched_words
from forum.moderation.forms import (
    LogFilterForm,
    RoleForm,
    TemplateEditForm,
    TemplateForm,
    WatchedWordForm,
    choices,
)
from forum.routing import query_id


def admin_only(view):
    """Mark (and check) a view as admins' only."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not current_identity().is_admin:
            abort(403)
        return view(*args, **kwargs)

    checked.admin_only = True  # type: ignore[attr-defined]
    return checked


@admin_only
def audit_log():
    """The full audit log, filterable by action, type and date."""
    form = LogFilterForm(request.args)
    form.action.choices = choices([("", "Any action")] + [(a, a) for a in logs.known_actions()])
    filters = logs.LogFilter()
    # Unfiltered (no query at all) is not an error: validating empty args would say so.
    if request.args and form.validate():
        filters = logs.LogFilter(
            action=form.action.data or None,
            target_type=form.target_type.data or None,
            since=form.since.data,
            until=form.until.data,
            before=query_id(request.args, "before"),
        )
    rows, next_before = logs.audit_log(current_account(), filters)
    args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template(
        "moderation/audit_log.html",
        form=form,
        rows=rows,
        next_before=next_before,
        args=args,
        title="Audit log",
    )


@admin_only
def roles():
    """Grant and remove the moderator and admin roles."""
    form = RoleForm()
    if form.validate_on_submit():
        try:
            user = people.find_account(current_account(), form.handle.data)
            people.set_role(current_account(), user.id, form.role.data, form.reason.data)
        except (Invalid, NotFound) as error:
            form.add_error(error.field or "handle", error.message)
        else:
            flash(f"{user.handle} is now a {user.role.value}.", "success")
            return redirect(url_for(".roles"), code=303)
    status = 400 if form.errors else 200
    return render_template(
        "moderation/roles.html", form=form, staff=people.staff(), title="Roles"
    ), status


@admin_only
def watched():
    """The watched words, and a form to add one."""
    form = WatchedWordForm()
    if form.validate_on_submit():
        try:
            watched_words.add_word(
                current_account(), form.word.data, form.action.data, form.replacement.data
            )
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash("Word added.", "success")
            return redirect(url_for(".watched"), code=303)
    status = 400 if form.errors else 200
    return render_template(
        "moderation/watched_words.html",
        form=form,
        words=all_words(),
        delete_form=PlainForm(),
        title="Watched words",
    ), status


@admin_only
def unwatch(word_id: int):
    """Stop watching a word."""
    if PlainForm().validate_on_submit():
        watched_words.remove_word(current_account(), word_id)
        flash("Word removed.", "success")
    return redirect(url_for(".watched"), code=303)


def _reasons_page(form=None, failed=None, status=200):
    templates = reasons.all_templates()
    edits = {t.id: TemplateEditForm(prefix=f"t{t.id}", formdata=None, obj=t) for t in templates}
    if failed is not None:
        edits[failed[0]] = failed[1]
    return render_template(
        "moderation/reasons.html",
        form=form or TemplateForm(formdata=None),
        templates=templates,
        edits=edits,
        actions=reasons.ACTIONS,
        plain=PlainForm(),
        suggested=reasons.SUGGESTED,
        title="Reason templates",
    ), status


@admin_only
def reason_templates():
    """The reason templates, and a form to add one."""
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            reasons.add_template(
                current_account(), form.action.data, form.label.data, form.text.data
            )
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash("Reason added.", "success")
            return redirect(url_for(".reason_templates"), code=303)
    return _reasons_page(form=form, status=400 if request.method == "POST" else 200)


@admin_only
def edit_reason(template_id: int):
    """Change one reason template."""
    form = TemplateEditForm(prefix=f"t{template_id}")
    if form.validate_on_submit():
        try:
            reasons.update_template(current_account(), template_id, form.label.data, form.text.data)
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash("Reason saved.", "success")
            return redirect(url_for(".reason_templates"), code=303)
    return _reasons_page(failed=(template_id, form), status=400)


@admin_only
def delete_reason(template_id: int):
    """Remove one reason template."""
    if PlainForm().validate_on_submit():
        reasons.delete_template(current_account(), template_id)
        flash("Reason removed.", "success")
    return redirect(url_for(".reason_templates"), code=303)


@admin_only
def save_suggested():
    """Save the suggested reasons as the admins' own list."""
    if PlainForm().validate_on_submit():
        count = reasons.save_suggestions(current_account())
        flash(f"Saved {count} suggested reasons." if count else "Nothing to add.", "success")
    return redirect(url_for(".reason_templates"), code=303)


def register(bp: Blueprint) -> None:
    """Add the admin pages to the moderation blueprint."""
    rules = [
        ("/moderation/log", audit_log, ["GET"]),
        ("/moderation/roles", roles, ["GET", "POST"]),
        ("/moderation/watched-words", watched, ["GET", "POST"]),
        ("/moderation/watched-words/<id:word_id>/delete", unwatch, ["POST"]),
        ("/moderation/reasons", reason_templates, ["GET", "POST"]),
        ("/moderation/reasons/<id:template_id>", edit_reason, ["POST"]),
        ("/moderation/reasons/<id:template_id>/delete", delete_reason, ["POST"]),
        ("/moderation/reasons/suggested", save_suggested, ["POST"]),
    ]
    for rule, view, methods in rules:
        bp.add_url_rule(rule, view_func=view, methods=methods)
