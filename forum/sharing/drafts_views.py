"""Drafts only when asked: "Save and come back later" on /share, opening a saved draft again,
and deleting it. Nothing is stored unless that button is pressed (forum/stories/saved_drafts.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from forum.db import reads_first, start_writing
from forum.errors import DomainError
from forum.forms import PlainForm, keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.safety.tokens import group_status_code
from forum.sharing import steps
from forum.sharing.forms import DraftCodeForm, StoryForm
from forum.stories import saved_drafts
from forum.stories.content import IMPACT_LABELS

bp = Blueprint("drafts", __name__)


@bp.context_processor
def vocabulary() -> dict:
    """The compose form's fixed labels, as on /share."""
    return {"impact_labels": IMPACT_LABELS}


NOT_KEPT = ("csrf_token", "action", "suggestion")


def _fields(form: StoryForm) -> dict[str, object]:
    """The compose form as it stands, complete or not: every step's fields, tags, answers."""
    kept: dict[str, object] = {}
    for field in form:
        if field.name in NOT_KEPT:
            continue
        kept[field.name] = field.raw if field.type == "ImpactsField" else field.data
    return kept


def _allowed() -> frozenset[str]:
    return frozenset(name for name in StoryForm()._fields if name not in NOT_KEPT)


def save_response(form: StoryForm, taxonomy):
    """The teller pressed "Save and come back later": keep the draft, say what was kept."""
    start_writing()
    user = current_identity().user
    try:
        saved = saved_drafts.save(user, form.form_token.data, _fields(form), _allowed())
    except DomainError as error:
        form.add_error(error.field, error.message)
        return render_template(
            "sharing/share.html", form=form, taxonomy=taxonomy, title="Share your story"
        ), 400
    response = render_template(
        "sharing/draft_saved.html",
        form=form,
        code=group_status_code(saved.code) if saved.code else None,
        days=current_app.config["DRAFT_RETENTION_DAYS"],
        delete_form=PlainForm(),
        title="Your draft is saved",
    )
    return response, 200, {"Cache-Control": "no-store"}


def _resume(data: dict):
    form, taxonomy = steps.story_form(data=data, restoring=True)
    steps.ensure_form_token(form)
    return (
        render_template(
            "sharing/share.html",
            form=form,
            taxonomy=taxonomy,
            resumed=True,
            title="Share your story",
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.route("/share/drafts", methods=["GET", "POST"])
@reads_first
@keeps_input_on_csrf_failure
def resume():
    """Open a saved draft: with its draft code, or the account's own."""
    user = current_identity().user
    form = DraftCodeForm()
    if form.validate_on_submit():
        try:
            draft = saved_drafts.open_with_code(form.code.data)
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            return _resume(saved_drafts.fields_of(draft))
    return render_template(
        "sharing/drafts.html",
        form=form,
        own=saved_drafts.for_account(user),
        action_form=PlainForm(),
        days=current_app.config["DRAFT_RETENTION_DAYS"],
        title="Carry on with a saved draft",
    ), (400 if form.errors else 200)


@bp.post("/share/drafts/mine")
def resume_own():
    """A signed-in teller opens the draft kept for their account."""
    draft = saved_drafts.for_account(current_identity().user)
    if not PlainForm().validate_on_submit() or draft is None:
        return redirect(url_for(".resume"), code=303)
    return _resume(saved_drafts.fields_of(draft))


@bp.post("/share/drafts/delete")
def delete():
    """Delete a draft now: the account's, or the one this compose session saved."""
    form = PlainForm()
    if form.validate_on_submit():
        start_writing()
        token = StoryForm().form_token.data
        saved_drafts.discard(current_identity().user, form_token=token)
        flash("Your draft has been deleted from Heard.", "success")
    return redirect(url_for(".resume"), code=303)
