"""Account forms: shape only (lengths, required fields); rules live in the services."""

from __future__ import annotations

from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from forum.accounts.models import BREAK_DAYS
from forum.forms import BaseForm

HANDLE_REQUIRED = "Enter a handle"
PASSWORD_REQUIRED = "Enter a password"  # noqa: S105 - a message


class SignUpForm(BaseForm):
    """Choose a handle and a password. No email, ever."""

    handle = StringField("Handle", validators=[DataRequired(HANDLE_REQUIRED), Length(max=60)])
    password = PasswordField(
        "Password", validators=[InputRequired(PASSWORD_REQUIRED), Length(max=1024)]
    )


class LoginForm(BaseForm):
    """Sign in with a handle and a password."""

    handle = StringField("Handle", validators=[DataRequired(HANDLE_REQUIRED), Length(max=60)])
    password = PasswordField(
        "Password", validators=[InputRequired(PASSWORD_REQUIRED), Length(max=1024)]
    )


class RecoverForm(BaseForm):
    """Use one recovery code to choose a new password."""

    handle = StringField("Handle", validators=[DataRequired(HANDLE_REQUIRED), Length(max=60)])
    code = StringField(
        "Recovery code", validators=[DataRequired("Enter a recovery code"), Length(max=100)]
    )
    new_password = PasswordField(
        "New password", validators=[InputRequired("Enter a new password"), Length(max=1024)]
    )


class ChangePasswordForm(BaseForm):
    """Re-authenticate, then choose a new password."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password"), Length(max=1024)],
    )
    new_password = PasswordField(
        "New password", validators=[InputRequired("Enter a new password"), Length(max=1024)]
    )


class RecoveryCodesForm(BaseForm):
    """Re-authenticate to replace every recovery code."""

    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=1024)]
    )


class ExportForm(BaseForm):
    """Re-authenticate to download everything held about the account."""

    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=1024)]
    )


class BreakForm(BaseForm):
    """Choose how long to pause the account for."""

    days = RadioField(
        "How long would you like your break to be?",
        choices=[SelectChoice(str(d), f"{d} day" if d == 1 else f"{d} days") for d in BREAK_DAYS],
        validators=[InputRequired("Choose how long your break should be")],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=1024)]
    )


class DeleteAccountForm(BaseForm):
    """Close the account, choosing what happens to what it wrote."""

    posts = RadioField(
        "What should happen to your stories and replies?",
        choices=[
            SelectChoice("erase", "Erase them all, everywhere"),
            SelectChoice("keep", "Keep them on Heard, shown as Anonymous"),
        ],
        validators=[InputRequired("Choose what should happen to your stories and replies")],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=1024)]
    )
