"""Shared form pieces: the base form, the CSRF-expiry behaviour that keeps what was typed,
and the one rule for choices (a value is exactly one that was offered, or it is refused)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField
from wtforms.fields.choices import SelectFieldBase
from wtforms.widgets import CheckboxInput, ListWidget

CSRF_EXPIRED = (
    "This page was open for a long time, so for your safety we could not send it yet. "
    "Everything you wrote is still here: check it and send it again"
)
UNKNOWN_CHOICE = "Choose from the list"
E = TypeVar("E", bound=Enum)


class BaseForm(FlaskForm):
    """FlaskForm with CSRF on, and a kind message when the token has expired or is missing."""

    class Meta:
        def render_field(self, field, render_kw):
            """Never the HTML `required` attribute: GOV.UK validates on the server only
            (its validation pattern advises against `required`), and so does Heard."""
            return super().render_field(  # type: ignore[misc]  # WTForms adds DefaultMeta
                field, {**render_kw, "required": False}
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if not offered(field):
                # Replaces WTForms' wording, which quotes the value back, and overrides
                # Optional(), which would wave a whitespace value through as "no answer".
                field.errors = [UNKNOWN_CHOICE]
                valid = False
        if "csrf_token" in self.errors:
            self.csrf_token.errors = [CSRF_EXPIRED]
        return valid

    def add_error(self, field: str | None, message: str) -> None:
        """Attach a service's error to a field (or to the first field) for re-rendering."""
        name = field if field in self._fields else next(iter(self._fields))
        target = self._fields[name]
        target.errors = [*target.errors, message] if isinstance(target.errors, list) else [message]


class PlainForm(BaseForm):
    """A form with only its CSRF token: sign out and other one-button actions."""


def offered(field: Field) -> bool:
    """Whether every value sent for a choice field is exactly one of the values it offers.

    The one rule for radios, selects and checkboxes: no stripping, no case folding, so a
    value is either a known choice or a form error, never half-parsed further on (an Enum
    built from " " is a 500). Not sending the field at all is fine here; required fields
    say so through their own validators. Fields that are not choices always pass.
    """
    sent = getattr(field, "raw_data", None)
    if not isinstance(field, SelectFieldBase) or not sent:
        return True
    known = {str(choice.value) for choice in field.iter_choices()}
    return all(isinstance(value, str) and value in known for value in sent)


def choice_of(choices: Iterable[str], raw: object) -> str | None:
    """A query-string value by the same rule: raw when it is exactly one of choices, else None."""
    return raw if isinstance(raw, str) and raw in frozenset(choices) else None


def enum_of(enum: type[E], raw: object) -> E | None:
    """The member of enum whose value is exactly raw, else None (never a ValueError)."""
    value = choice_of((str(member.value) for member in enum), raw)
    return enum(value) if value is not None else None


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
    view.keeps_input_on_csrf_failure = True  # type: ignore[attr-defined]
    return view
