"""The sanctions page: every suspension, ban and anonymous pause in force, and "Lift early".

Registered on the moderation blueprint by `register` (its gate admits moderators only); the
services check the actor again. An anonymous pause is shown by an opaque reference, never by
its ban key.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from forum.errors import Invalid, NotAllowed
from forum.governance.identity import current_account
from forum.moderation import sanctions
from forum.moderation.forms import LiftEarlyForm


def _lift_form(sanction_id: int, formdata=None) -> LiftEarlyForm:
    return LiftEarlyForm(prefix=f"lift-{sanction_id}", **({} if formdata else {"formdata": None}))


def _page(failed: LiftEarlyForm | None = None, failed_id: int | None = None, status: int = 200):
    active = sanctions.active_sanctions(current_account())
    forms = {s.id: _lift_form(s.id) for s in active}
    if failed is not None and failed_id in forms:
        forms[failed_id] = failed
    return render_template(
        "moderation/sanctions.html",
        active=active,
        forms=forms,
        form=failed or LiftEarlyForm(formdata=None),
        reference=sanctions.pause_reference,
        limit=sanctions.ACTIVE_LIMIT,
        title="Sanctions in force",
    ), status


def active():
    """Suspensions, bans and anonymous pauses in force, with who set them, why, and until when."""
    return _page()


def lift_early(sanction_id: int):
    """End one early with a reason; an empty reason brings the page back with the error."""
    form = _lift_form(sanction_id, formdata=True)
    if form.validate_on_submit():
        try:
            sanctions.lift(current_account(), sanction_id, form.reason.data)
        except (Invalid, NotAllowed) as error:
            form.add_error("reason", error.message)
        else:
            flash("Lifted. It is in the log.", "success")
            return redirect(url_for(".sanctions"), code=303)
    return _page(failed=form, failed_id=sanction_id, status=400)


def register(bp: Blueprint) -> None:
    """Add the sanctions page to the moderation blueprint."""
    bp.add_url_rule("/moderation/sanctions", "sanctions", active, methods=["GET"])
    bp.add_url_rule(
        "/moderation/sanctions/<id:sanction_id>/lift-early",
        "lift_early",
        lift_early,
        methods=["POST"],
    )
