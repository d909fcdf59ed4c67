"""The two services sharing added: checking a draft without storing it, a browser's stories."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.db import db
from forum.errors import Invalid
from forum.stories.models import Status, Story, StoryKind
from forum.stories.services import Teller, check_draft_fields, list_teller_stories
from tests.factories import load_tags, make_draft, make_story, make_user


@pytest.fixture
def tags(ctx):
    """The starting taxonomy, in an app context."""
    load_tags()


def _count() -> int:
    return db.session.scalar(select(func.count(Story.id)))


def test_check_draft_fields_accepts_a_valid_draft_and_stores_nothing(tags):
    check_draft_fields(make_draft(problem_kind="poor-quality", content_notes=["abuse"]))
    assert _count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"harm_tags": []}, "harm_tags"),
        ({"kind": StoryKind.PRACTICE, "harm_tags": []}, "practice_tags"),
        ({"harm_tags": ["nature"]}, "harm_tags"),
        ({"practice_tags": ["not-heard"]}, "practice_tags"),
        ({"impacts": {"not-heard": 9}}, "impacts"),
        ({"problem_kind": "made-up"}, "problem_kind"),
        ({"content_notes": ["made-up"]}, "content_notes"),
        ({"title": "\x00\x01"}, "title"),
    ],
)
def test_check_draft_fields_names_the_field_that_breaks_a_rule(tags, fields, field):
    with pytest.raises(Invalid) as error:
        check_draft_fields(make_draft(**fields))
    assert error.value.field == field
    assert _count() == 0


def test_list_teller_stories_shows_only_the_tellers_own_newest_first(tags):
    first = make_story(title="First", form_token="first-token-of-enough-length")
    second = make_story(title="Second", form_token="second-token-of-enough-length")
    someone = make_user("egret")
    theirs = make_story(author=someone, title="Theirs", form_token="theirs-token-of-enough-len")
    make_story(title="Not opened", form_token="other-token-of-enough-length")
    teller = Teller(story_ids=frozenset({first.id, second.id, theirs.id, 999}))
    assert [s.title for s in list_teller_stories(teller)] == ["Second", "First"]
    assert list_teller_stories(Teller()) == []


def test_list_teller_stories_keeps_every_status(tags):
    story = make_story(status=Status.REJECTED, form_token="rejected-token-of-enough-length")
    assert list_teller_stories(Teller(story_ids=frozenset({story.id}))) == [story]
