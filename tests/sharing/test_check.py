"""The check step over HTTP: findings grouped by kind, in context, and "use a general word"."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import load_tags
from tests.sharing.flow import carry, hidden_fields, main_of, step, story_count, valid_story

SUGGESTION = re.compile(r'<button[^>]*name="suggestion" value="([^"]+)">([^<]+)<span')


@pytest.fixture
def tags(app):
    """The starting taxonomy."""
    with app.app_context():
        load_tags()


def _buttons(response) -> list[tuple[str, str]]:
    """(token, label) of each suggestion button on a check page."""
    text = response.get_data(as_text=True)
    return [(htmllib.unescape(t), htmllib.unescape(label)) for t, label in SUGGESTION.findall(text)]


def _press(client, response, token: str, drop: tuple[str, ...] = ()):
    """Press one suggestion button: post the page's hidden fields with its value."""
    fields = [(k, v) for k, v in hidden_fields(response.get_data(as_text=True)) if k not in drop]
    return client.post("/share", data=MultiDict([*fields, ("suggestion", token)]))


def _carried(response, name: str) -> str:
    return next(v for k, v in hidden_fields(response.get_data(as_text=True)) if k == name)


BODY = (
    "My therapist Dr Hargreaves ran a small practice in Harrogate.\n\n"
    "I was 23 and I told Sarah everything."
)


def test_findings_are_grouped_by_kind_and_quoted_in_their_sentence(client, tags):
    check = step(client, "check", valid_story(body=BODY))
    html = main_of(check.get_data(as_text=True))
    for heading in ("Names with a title", "Places", "Ages", "Names"):
        assert f">{heading}</h3>" in html
    assert html.index(">Names with a title</h3>") < html.index(">Places</h3>")
    # Each finding is quoted with the words around it on its own line, not the next paragraph.
    assert "My therapist <mark><q>Dr Hargreaves</q></mark> ran a small practice in" in html
    assert "I was <mark><q>23</q></mark> and I told Sarah everything." in html
    quotes = re.findall(r'<p class="finding__context">(.*?)</p>', html, re.S)
    assert len(quotes) == 4
    assert not any("\n" in quote for quote in quotes)
    assert "Nothing changes unless you choose it" in html


def test_each_finding_offers_a_general_word(client, tags):
    check = step(client, "check", valid_story(body=BODY))
    labels = [label for _, label in _buttons(check)]
    assert "Use “in my twenties” instead" in labels
    assert "Leave the name out" in labels  # "My therapist Dr Hargreaves": the title says who
    assert len(labels) == 4


def test_a_suggestion_changes_only_that_part_and_stores_nothing(app, client, tags):
    check = step(client, "check", valid_story(body=BODY, content_notes=["abuse"]))
    token = next(t for t, label in _buttons(check) if "twenties" in label)
    response = _press(client, check, token)
    html = main_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "“23” now reads “in my twenties”. Nothing has been sent yet." in html
    assert "<h1>Check before you share</h1>" in html  # the other findings are still there
    assert _carried(response, "body") == BODY.replace("I was 23", "I was in my twenties")
    assert _carried(response, "content_notes") == "abuse"
    assert _carried(response, "title") == "Nobody listened"
    assert all(k != "suggestion" for k, _ in hidden_fields(response.get_data(as_text=True)))
    assert story_count(app) == 0


def test_after_the_last_suggestion_the_teller_sees_the_preview(app, client, tags):
    page = step(client, "check", valid_story(body="When I was 23 it all went wrong."))
    (token, _label), *rest = _buttons(page)
    assert rest == []
    preview = _press(client, page, token)
    html = main_of(preview.get_data(as_text=True))
    assert "<h1>Check your story</h1>" in html
    assert "When I was in my twenties it all went wrong." in html
    assert "Nothing has been sent yet." in html
    assert carry(client, preview, "submit").status_code == 303
    assert story_count(app) == 1


def test_leaving_a_name_out_keeps_the_sentence_readable(client, tags):
    page = step(client, "check", valid_story(body="I told my sister Jane about it."))
    token = next(t for t, label in _buttons(page) if label == "Leave the name out")
    response = _press(client, page, token)
    assert "“Jane” has been left out." in response.get_data(as_text=True)
    assert "I told my sister about it." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "token",
    ["body:0:3:name", "body:999:1005:age", "nonsense", "csrf_token:0:5:name", "body:7:9:email"],
)
def test_a_stale_or_forged_suggestion_changes_nothing(client, tags, token):
    page = step(client, "check", valid_story(body=BODY))
    response = _press(client, page, token)
    html = main_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "nothing else was changed" in html
    assert _carried(response, "body") == BODY


def test_a_suggestion_without_the_csrf_token_changes_nothing(client, tags):
    page = step(client, "check", valid_story(body=BODY))
    token = _buttons(page)[0][0]
    response = _press(client, page, token, drop=("csrf_token",))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "now reads" not in html and "left out" not in html
    assert BODY.split("\n")[0] in html  # the words come back as they were, on the compose form


def test_a_suggestion_in_the_title_keeps_the_title_valid(client, tags):
    page = step(client, "check", valid_story(title="What Dr Hargreaves did"))
    token = next(t for t, _ in _buttons(page) if t.startswith("title:"))
    response = _press(client, page, token)
    assert response.status_code == 200
    assert _carried(response, "title") in ("What my therapist did", "What did")


def test_coarse_dates_alone_never_bring_the_check_page(client, tags):
    page = step(client, "check", valid_story(body="In March 2021 I started therapy on a Tuesday."))
    assert "<h1>Check your story</h1>" in page.get_data(as_text=True)


def test_coarse_dates_are_shown_last_and_apart_when_the_check_page_shows(client, tags):
    body = "In March 2021 I started seeing Dr Hargreaves, every Tuesday."
    page = step(client, "check", valid_story(body=body))
    html = main_of(page.get_data(as_text=True))
    low = html.index("finding-group--low")
    assert html.index(">Names with a title</h3>") < low < html.index(">Smaller details</h3>")
    assert "rarely identify anyone on their own" in html
    assert "<mark><q>March 2021</q></mark>" in html[low:] and "<mark><q>Tuesday</q></mark>" in html
    token = next(t for t, label in _buttons(page) if label == "Use “that day” instead")
    again = _press(client, page, token)
    assert _carried(again, "body") == body.replace("Tuesday", "that day")
