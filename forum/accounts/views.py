"""Account pages: sign up, sign in, sign out, recover, change password, the account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from forum.accounts import services
from forum.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    RecoverForm,
    RecoveryCodesForm,
    SignUpForm,
)
from forum.accounts.session import current_token, sign_in, sign_out
from forum.errors import DomainError
from forum.extensions import rate_limit
from forum.forms import PlainForm, keeps_input_on_csrf_failure
from forum.governance import sanctions
from forum.governance.identity import current_account
from forum.safety.redirects import safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/signup", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_SIGN_UP")
def signup():
    """Create a pseudonymous account, then show its recovery codes once."""
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user, codes = services.sign_up(form.handle.data, form.password.data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            sign_in(user)
            return render_template("accounts/recovery_codes.html", codes=codes, new=True)
    return render_template("accounts/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_SIGN_IN")
def login():
    """Sign in, then go back to where the person was (a local path only)."""
    form = LoginForm()
    next_path = safe_next(request.values.get("next"), url_for("accounts.account"))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.handle.data, form.password.data)
        except DomainError as error:
            form.add_error("handle", error.message)
        else:
            sign_in(user)
            return redirect(next_path, code=303)
    return render_template("accounts/login.html", form=form, next_path=next_path)


@bp.post("/logout")
def logout():
    """Sign out here: the server forgets the session, so a copied cookie stops working."""
    form = PlainForm()
    if form.validate_on_submit():
        sign_out()
        flash("You have signed out.", "success")
    return redirect(url_for("pages.home"), code=303)


@bp.route("/recover", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_RECOVERY")
def recover():
    """Choose a new password with one recovery code."""
    form = RecoverForm()
    if form.validate_on_submit():
        try:
            user = services.recover(form.handle.data, form.code.data, form.new_password.data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            sign_in(user)
            flash("Your password has been changed. Every other browser has been signed out.")
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/recover.html", form=form)


@bp.get("/account")
@login_required
def account():
    """The account page: handle, recovery codes left, and what can be done."""
    return render_template(
        "accounts/account.html",
        logout_form=PlainForm(),
        warnings=sanctions.warnings_for(current_account()),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def change_password():
    """Change the password; other browsers are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_account(),
                form.current_password.data,
                form.new_password.data,
                current_token(),
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            flash("Your password has been changed. Every other browser has been signed out.")
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
def recovery_codes():
    """Replace every recovery code after checking the password again."""
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(current_account(), form.password.data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            return render_template("accounts/recovery_codes.html", codes=codes, new=False)
    return render_template("accounts/regenerate_codes.html", form=form)
