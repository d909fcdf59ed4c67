"""The compose form's shape checks: impacts per harm tag, offered choices only, no NUL."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from forum.sharing import steps
from tests.factories import load_tags


def _form(app, data: dict):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/share", method="POST", data=MultiDict(data)):
        load_tags()
        form, _taxonomy = steps.story_form()
        valid = form.validate()
        return form, valid


def test_impacts_keep_known_tags_only_and_ignore_blanks(app):
    data = {
        "kind": "experience",
        "title": "T",
        "body": "B",
        "harm_tags": "not-heard",
        "impact-not-heard": "4",
        "impact-got-worse": "",
        "impact-made-up": "3",
    }
    form, valid = _form(app, data)
    assert valid, form.errors
    assert form.impacts.data == {"not-heard": 4}


def test_an_impact_out_of_range_is_an_error(app):
    form, valid = _form(
        app, {"kind": "experience", "title": "T", "body": "B", "impact-not-heard": "7"}
    )
    assert not valid
    assert form.errors["impacts"] == ["Choose how much it affected you, from 0 to 4"]


def test_unoffered_choices_are_refused_without_echoing_them(app):
    form, valid = _form(
        app,
        {
            "kind": "experience",
            "title": "T",
            "body": "B",
            "content_notes": "<script>",
            "setting": "mars",
        },
    )
    assert not valid
    assert form.errors["content_notes"] == ["Choose from the list"]
    assert "setting" in form.errors


def test_text_fields_drop_nul_characters(app):
    form, _valid = _form(app, {"kind": "practice", "title": "A\x00B", "body": "C\x00D"})
    assert form.title.data == "AB" and form.body.data == "CD"


def test_a_draft_only_signs_with_the_handle_when_signed_in(app):
    data = {
        "kind": "experience",
        "title": "T",
        "body": "B",
        "harm_tags": "not-heard",
        "show_handle": "handle",
    }
    form, valid = _form(app, data)
    assert valid
    assert steps.draft_from_form(form, signed_in=False).show_handle is False
    assert steps.draft_from_form(form, signed_in=True).show_handle is True
