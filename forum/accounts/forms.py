"""Account forms: shape only (lengths, required fields); rules live in the services."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from forum.forms import BaseForm

HANDLE_REQUIRED = "Enter a handle"
PASSWORD_REQUIRED = "Enter a password"


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


class PlainForm(BaseForm):
    """A form with only its CSRF token: sign out and other one-button actions."""
