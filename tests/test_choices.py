"""Choices are parsed strictly: a value is exactly one that was offered, or it is a form error.

Every form in the app is found by walking BaseForm's subclasses, and every choice field in
it (radios, selects, checkboxes) is sent whitespace, an unknown value and an empty value.
"""

from __future__ import annotations

import importlib

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectFieldBase

from forum.accounts.models import Role
from forum.forms import UNKNOWN_CHOICE, BaseForm, choice_of, enum_of
from forum.resources.models import Category
from forum.stories.models import Setting
from tests.factories import load_tags, make_user
from tests.moderation.web import client_as
from tests.sharing.flow import start, valid_story

FORM_MODULES = ["accounts", "moderation", "resources", "sharing", "stories", "taxonomy"]
BAD_VALUES = [" ", "\t", "\u00a0", "not-a-choice", "EXPERIENCE", " experience"]
KEPT = "Words the person typed, kept"


def _all_forms() -> list[type[BaseForm]]:
    for name in FORM_MODULES:
        importlib.import_module(f"forum.{name}.forms")
    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__qualname__)


def _choice_fields(form: BaseForm) -> list[SelectFieldBase]:
    return [field for field in form if isinstance(field, SelectFieldBase)]


def test_every_choice_field_of_every_form_refuses_odd_values_and_keeps_the_text(app) -> None:
    forms = _all_forms()
    checked = 0
    with app.test_request_context(method="POST"):
        for cls in forms:
            for name in [f.name for f in _choice_fields(cls(formdata=None, meta={"csrf": False}))]:
                texts = {
                    f.name: KEPT
                    for f in cls(formdata=None, meta={"csrf": False})
                    if isinstance(f, StringField | TextAreaField)
                }
                empty_offered = "" in {
                    str(c.value)
                    for c in cls(formdata=None, meta={"csrf": False})[name].iter_choices()
                }
                for value in [*BAD_VALUES, *([] if empty_offered else [""])]:
                    form = cls(formdata=MultiDict({**texts, name: value}), meta={"csrf": False})
                    assert not form.validate(), f"{cls.__name__}.{name}={value!r} was accepted"
                    # One plain message (a form may word it for its field), never the value.
                    errors = form[name].errors
                    assert len(errors) == 1 and errors[0].startswith("Choose"), (cls, name, errors)
                    for text_name in texts:
                        assert form[text_name].data == KEPT, (cls.__name__, text_name)
                    checked += 1
    # The walk really found the forms the issue is about, and their choice fields.
    names = {cls.__name__ for cls in forms}
    assert {"StoryForm", "ReportForm", "SanctionForm", "ResourceForm", "TagAddForm"} <= names
    assert checked > 100


def test_an_offered_value_is_still_accepted(app) -> None:
    from forum.moderation.forms import ReportForm

    with app.test_request_context(method="POST"):
        form = ReportForm(formdata=MultiDict({"reason": "spam"}), meta={"csrf": False})
        good = form.validate()
    assert good, form.errors


def test_choice_of_and_enum_of_take_exact_values_only() -> None:
    assert enum_of(Setting, Setting.PRIVATE.value) is Setting.PRIVATE
    for raw in [" ", "", None, Setting.PRIVATE.value + " ", Setting.PRIVATE.value.upper(), 3]:
        assert enum_of(Setting, raw) is None, raw
    assert choice_of(["a", "b"], "a") == "a"
    assert choice_of(["a", "b"], " a") is None


@pytest.mark.parametrize(
    "field", ["setting", "format", "attribution", "problem_kind", "show_handle", "kind"]
)
@pytest.mark.parametrize("value", [" ", "\t", "unknown"])
def test_share_with_an_odd_choice_is_a_form_error_with_the_text_kept(client, tags, field, value):
    tokens = start(client)
    data = valid_story(title="My own title", body="My own words, all of them.", **{field: value})
    response = client.post("/share", data={**tokens, **data, "action": "check"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert UNKNOWN_CHOICE in html
    assert "My own title" in html and "My own words, all of them." in html


@pytest.fixture
def tags(app):
    with app.app_context():
        load_tags()
        make_user("steward", role=Role.ADMIN)


@pytest.mark.parametrize(
    "url",
    [
        "/resources?category=%20",
        "/resources?category=%09",
        "/resources?category=" + Category.CRISIS.value.upper(),
        "/stories?type=%20&setting=%09&format=%20&kind=x",
        "/moderation/log?action=%20&target_type=%09",
    ],
)
def test_odd_choices_in_get_filters_are_ignored(app, tags, url) -> None:
    client = client_as(app, "steward")
    assert client.get(url).status_code == 200
