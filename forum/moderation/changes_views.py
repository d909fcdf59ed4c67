"""Moderators' pages for tellers' updates and revisions: the list waiting, and one change with
the diff of a revision (escaped, marked by forum/moderation/highlight.py) and the decision."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from forum.errors import Invalid
from forum.forms import BaseForm
from forum.governance.identity import current_account, current_identity
from forum.governance.versions import AlreadyHandled
from forum.moderation import teller_changes
from forum.moderation.forms import MAX_REASON
from forum.stories.models import ChangeKind

bp = Blueprint("teller_changes", __name__)


class DecisionForm(BaseForm):
    """Accept or decline, with the reason the teller reads, and the version the moderator saw."""

    decision = HiddenField()
    reason = TextAreaField(
        "Reason (the teller sees this)",
        validators=[Length(max=MAX_REASON, message="Reason must be 2000 characters or fewer")],
    )
    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("This page is out of date. Open it again and retry")],
    )


@bp.app_template_global()
def teller_changes_waiting() -> int:
    """How many updates and edits wait, for the line on the moderation queue."""
    return teller_changes.waiting_count()


@bp.before_request
def gate():
    """Moderators only (the services check again)."""
    me = current_identity()
    if not me.is_signed_in:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not me.is_moderator:
        abort(403)
    return None


@bp.get("/moderation/changes")
def waiting():
    """Updates and revisions from tellers, waiting for a decision."""
    return render_template(
        "moderation/changes.html",
        changes=teller_changes.waiting(current_account()),
        title="Updates and edits from tellers",
    )


def _page(change, form, notice: str | None = None, status: int = 200):
    diff = teller_changes.diff_of(change) if change.kind is ChangeKind.REVISION else None
    return render_template(
        "moderation/change.html",
        change=change,
        diff=diff,
        form=form,
        notice=notice,
        title="Edit from the teller" if diff else "Update from the teller",
    ), status


@bp.route("/moderation/changes/<id:change_id>", methods=["GET", "POST"])
def change(change_id: int):
    """One update or revision: its words (a revision as a diff) and accept or decline."""
    item = teller_changes.get_change(current_account(), change_id)
    form = DecisionForm(data={"version": item.version})
    if not form.validate_on_submit():
        return _page(item, form, status=400 if request.method == "POST" else 200)
    decision = request.form.get("decision", "")
    try:
        if decision == "hide":
            teller_changes.hide_update(
                current_account(), item, form.reason.data or "", form.version.data
            )
        else:
            teller_changes.decide(
                current_account(), item, decision, form.reason.data or "", form.version.data
            )
    except AlreadyHandled as error:
        return _page(item, DecisionForm(data={"version": item.version}), error.message, 409)
    except Invalid as error:
        form.add_error(error.field, error.message)
        return _page(item, form, status=400)
    flash("Done. The teller will see your reason on their status page.", "success")
    return redirect(url_for(".waiting"), code=303)
