"""Shared form pieces: the base form and the CSRF-expiry behaviour that keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

CSRF_EXPIRED = (
    "This page was open for a long time, so for your safety we could not send it yet. "
    "Everything you wrote is still here: check it and send it again"
)


class BaseForm(FlaskForm):
    """FlaskForm with CSRF on, and a kind message when the token has expired or is missing."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "csrf_token" in self.errors:
            self.csrf_token.errors = [CSRF_EXPIRED]
        return valid

    class Meta:
        def render_field(self, field, render_kw):
            """Never the HTML `required` attribute: GOV.UK validates on the server only
            (its validation pattern advises against `required`), and so does Heard."""
            return super().render_field(field, {**render_kw, "required": False})

    def add_error(self, field: str | None, message: str) -> None:
        """Attach a service's error to a field (or to the first field) for re-rendering."""
        name = field if field in self._fields else next(iter(self._fields))
        target = self._fields[name]
        target.errors = [*target.errors, message] if isinstance(target.errors, list) else [message]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes inside a fieldset (GOV.UK checkboxes)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def keeps_input_on_csrf_failure(view: Callable) -> Callable:
    """Mark a view whose FlaskForm checks CSRF itself, so an expired token re-renders the form.

    CSRFProtect still runs first on every POST; when it fails for a marked view, the error
    handler calls the view again, whose form fails validation on the same token and shows the
    form with everything the person typed. Unmarked views get the plain 400 page.
    """
    view.keeps_input_on_csrf_failure = True
    return view
