"""The moderation item page over HTTP: every possible identifier marked, and the redaction form
applying the check's general words in one step, as the usual receipt the teller answers."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.moderation.models import Redaction
from forum.stories.models import Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import act, client_as, post

BODY = "My therapist Dr Hargreaves had a practice in Harrogate.\nI was 23 and I told Sarah."
CHECKBOX = re.compile(r'name="redact-suggestions" type="checkbox" value="([^"]+)"')


@pytest.fixture
def story_id(app):
    """A story in review, by an account holder, with several kinds of identifier."""
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        heron = make_user("heron")
        return make_story(title="What happened in Harrogate", body=BODY, author=heron).id


def _page(app, story_id) -> str:
    return client_as(app, "keeper").get(f"/moderation/story/{story_id}").get_data(as_text=True)


def _tokens(html: str) -> list[str]:
    return [htmllib.unescape(t) for t in CHECKBOX.findall(html)]


def _send(app, story_id, suggestions, body=BODY, title="What happened in Harrogate"):
    return act(
        client_as(app, "keeper"),
        "story",
        story_id,
        "redact",
        1,
        reason="Removed details",
        title=title,
        body=body,
        helped_instead="",
        suggestions=suggestions,
    )


def _redactions(app) -> list[Redaction]:
    with app.app_context():
        found = db.session.scalars(select(Redaction)).all()
        for r in found:
            db.session.expunge(r)
        return found


def test_the_item_page_marks_every_kind_of_finding(app, story_id):
    html = _page(app, story_id)
    for text in ("Dr Hargreaves", "Harrogate", "23", "Sarah"):
        assert re.search(rf'<mark class="mark--identifier"[^>]*>{text}<span', html), text
    assert "Could identify someone: place" in html and "Could identify someone: age" in html


def test_the_redaction_form_offers_each_general_word_unticked(app, story_id):
    html = _page(app, story_id)
    tokens = _tokens(html)
    assert len(tokens) == 5  # four in the body, "Harrogate" in the title
    assert {t.split(":")[0] for t in tokens} == {"title", "body"}
    assert "“23” → “in my twenties”" in htmllib.unescape(html)
    assert "leave out “Dr Hargreaves”" in htmllib.unescape(html)
    assert not re.search(r'checked[^>]*name="redact-suggestions"', html)


def test_ticked_general_words_become_the_receipt_the_teller_accepts(app, story_id):
    tokens = [t for t in _tokens(_page(app, story_id)) if t.startswith("body:")]
    assert _send(app, story_id, tokens).status_code == 303
    [redaction] = _redactions(app)
    assert redaction.new_body == (
        "My therapist had a practice in a city.\nI was in my twenties and I told someone."
    )
    assert redaction.new_title == "What happened in Harrogate"  # not ticked, not changed
    teller = client_as(app, "heron")
    receipt = teller.get(f"/status/{story_id}/moderator-edit").get_data(as_text=True)
    assert "<ins>in my twenties</ins>" in receipt and "<del>23</del>" in receipt
    assert post(teller, f"/status/{story_id}/moderator-edit", {"decision": "accept"}).status_code
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status is Status.PUBLISHED and story.body == redaction.new_body


def test_only_the_ticked_words_change(app, story_id):
    age = next(t for t in _tokens(_page(app, story_id)) if t.endswith(":age"))
    assert _send(app, story_id, [age]).status_code == 303
    [redaction] = _redactions(app)
    assert redaction.new_body == BODY.replace("I was 23", "I was in my twenties")


def test_a_ticked_word_the_moderator_also_edited_sends_nothing_and_keeps_the_edit(app, story_id):
    place = next(
        t for t in _tokens(_page(app, story_id)) if t.startswith("body:") and t.endswith(":place")
    )
    edited = "Before all this, " + BODY
    response = _send(app, story_id, [place], body=edited)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "no longer match the text" in html
    assert "Before all this, My therapist" in html
    assert _redactions(app) == []


def test_a_forged_suggestion_is_refused(app, story_id):
    response = _send(app, story_id, ["body:0:2:name"])
    assert response.status_code == 400
    assert _redactions(app) == []


def test_edits_alone_still_work_without_suggestions(app, story_id):
    assert _send(app, story_id, [], body="My therapist was cruel.").status_code == 303
    assert _redactions(app)[0].new_body == "My therapist was cruel."
