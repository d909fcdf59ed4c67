"""Data-rights pages: download everything Heard holds about an account, take a break, delete it.

A feature of its own because it reaches into every feature that keeps what a member wrote
(stories, replies, reactions, reports); accounts itself sits below those.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import login_required

from forum.accounts.forms import BreakForm, DeleteAccountForm, ExportForm
from forum.accounts.session import sign_out
from forum.data_rights import services as data_rights
from forum.errors import DomainError
from forum.forms import keeps_input_on_csrf_failure
from forum.governance.identity import current_account

bp = Blueprint("data_rights", __name__)


@bp.route("/account/export", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def export():
    """Download everything Heard holds about this account, as JSON."""
    form = ExportForm()
    if form.validate_on_submit():
        try:
            data = data_rights.export_data(current_account(), form.password.data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            return Response(
                json.dumps(data, ensure_ascii=False, indent=2),
                mimetype="application/json",
                headers={"Content-Disposition": 'attachment; filename="heard-my-data.json"'},
            )
    return render_template("accounts/export.html", form=form)


@bp.route("/account/break", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def take_a_break():
    """Pause the account for a while; signing in waits until the break is over."""
    form = BreakForm()
    if form.validate_on_submit():
        try:
            user = data_rights.take_a_break(
                current_account(), form.password.data, int(form.days.data)
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            assert user.break_until is not None  # take_a_break sets it
            until = user.break_until.strftime("%-d %B %Y")
            sign_out()
            flash(f"Your break has started. You can sign in again from {until}. Take care.")
            return redirect(url_for("pages.home"), code=303)
    return render_template("accounts/break.html", form=form)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def delete():
    """Close the account, erasing or keeping (as Anonymous) what it wrote."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            data_rights.delete_account(
                current_account(), form.password.data, erase_posts=form.posts.data == "erase"
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            sign_out()
            flash("Your account has been deleted.")
            return redirect(url_for("pages.home"), code=303)
    return render_template("accounts/delete.html", form=form)
