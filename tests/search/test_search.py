"""Search finds what the public may read, on SQLite and PostgreSQL alike, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from forum.db import db
from forum.search.query import parse
from forum.stories import reading, services
from forum.stories.models import Status, StoryAnswer
from forum.stories.reading import StoryFilters
from tests.factories import load_tags, make_story


@pytest.fixture
def tags(ctx):
    load_tags()
    return ctx


def found(words: str, **filters) -> list[str]:
    """Titles of the published stories a search finds, best match first."""
    query = parse(words)
    page = reading.published_stories(StoryFilters(search=query, **filters), ranked=True)
    return [s.title for s in page.stories]


def published(title: str, body: str = "Nothing else to say here today.", **fields):
    return make_story(status=Status.PUBLISHED, title=title, body=body, **fields)


def test_finds_words_in_title_body_helped_instead_and_answers(tags):
    published("Lonely sessions", "The counsellor kept checking the clock.")
    published("Another one", "Plain words.", helped_instead="Swimming in the sea.")
    published("Third", "Plain words.", answers={"affected": "I stopped sleeping."})
    assert found("counsellor") == ["Lonely sessions"]
    assert found("swimming") == ["Another one"]
    assert found("sleeping") == ["Third"]
    assert found("lonely") == ["Lonely sessions"]


def test_stemming_finds_other_forms_of_a_word(tags):
    published("Ignored", "She ignored every letter I wrote.")
    assert found("ignoring") == ["Ignored"]
    assert found("letters") == ["Ignored"]


def test_a_title_match_ranks_above_a_body_match(tags):
    published("Grief and silence", "Plain words about nothing.")
    published("Something else", "There was grief, in the end.")
    assert found("grief") == ["Grief and silence", "Something else"]


def test_phrases_and_exclusions(tags):
    published("One", "They ended therapy suddenly without a word.")
    published("Two", "Therapy was suddenly over and then it ended.")
    assert found('"ended therapy"') == ["One"]
    assert sorted(found("suddenly")) == ["One", "Two"]
    assert found("suddenly -word") == ["Two"]


def test_unpublished_stories_are_never_found(tags):
    make_story(title="Pending", body="Waiting quietly for moderation.")
    make_story(status=Status.REJECTED, title="Rejected", body="Quietly rejected.")
    assert found("quietly") == []


@pytest.mark.parametrize("change", ["withdraw", "remove", "erase", "edit"])
def test_the_index_follows_every_change_of_a_story(tags, change):
    story = published(
        "Hydrangea", "The hydrangea outside the window.", answers={"affected": "Zebra"}
    )
    assert found("hydrangea") == ["Hydrangea"] and found("zebra") == ["Hydrangea"]
    if change == "withdraw":
        services.withdraw_story(services.Teller(story_ids=frozenset({story.id})), story)
    elif change == "remove":
        story.status = Status.REMOVED
        db.session.commit()
    elif change == "erase":
        services.erase_story(services.Teller(story_ids=frozenset({story.id})), story)
    else:
        story.body = "A window with a view of the sea."
        story.answers[0].body = "Giraffe"
        db.session.commit()
        assert found("sea") == ["Hydrangea"] and found("giraffe") == ["Hydrangea"]
    assert found("hydrangea") == ([] if change != "edit" else ["Hydrangea"])
    assert found("zebra") == []


def test_an_erased_story_leaves_no_word_in_the_index(tags):
    story = published("Marmalade", "Quince and marmalade.", answers={"affected": "Tangerine"})
    services.erase_story(services.Teller(story_ids=frozenset({story.id})), story)
    assert found("marmalade") == found("quince") == found("tangerine") == []
    rows = db.session.execute(text("SELECT count(*) FROM story_search")).scalar()
    assert rows == 0


def test_republishing_and_answers_added_later_are_indexed(tags):
    story = make_story(title="Later", body="Words about kelp.")
    assert found("kelp") == []
    story.status = Status.PUBLISHED
    story.published_at = datetime.now(UTC)
    db.session.commit()
    assert found("kelp") == ["Later"]
    db.session.add(StoryAnswer(story_id=story.id, prompt="helped", body="Otters", body_html="x"))
    db.session.commit()
    assert found("otters") == ["Later"]


def test_search_combines_with_filters_and_mutes(tags):
    published("Tagged", "Words about the harbour.", harm_tags=["prejudice"])
    published("Noted", "Words about the harbour too.", content_notes=["self-harm"])
    published("Plain", "Harbour lights.")
    assert sorted(found("harbour")) == ["Noted", "Plain", "Tagged"]
    assert found("harbour", tags=("prejudice",)) == ["Tagged"]
    assert sorted(found("harbour", exclude=("prejudice",))) == ["Noted", "Plain"]
    assert sorted(found("harbour", mute_notes=("self-harm",))) == ["Plain", "Tagged"]
    count = reading.count_published_stories(
        StoryFilters(search=parse("harbour"), tags=("prejudice",))
    )
    assert count == reading.Total(1)


def test_newest_first_and_bounded_paging(tags):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(25):
        published(f"Tide {n}", "The tide came in.", published_at=start + timedelta(days=n))
    filters = StoryFilters(search=parse("tide"))
    newest = reading.published_stories(filters)
    assert newest.stories[0].title == "Tide 24" and newest.next_cursor is not None
    first = reading.published_stories(filters, ranked=True)
    assert len(first.stories) == 20 and first.next_page == 2
    second = reading.published_stories(filters, ranked=True, page=2)
    assert len(second.stories) == 5 and second.next_page is None
    seen = {s.id for s in first.stories} | {s.id for s in second.stories}
    assert len(seen) == 25
    far = reading.published_stories(filters, ranked=True, page=10_000)
    assert far.stories == []


def test_a_ranking_and_a_filtered_count_read_only_the_newest_matches(tags, monkeypatch):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(6):  # the three oldest carry the tag
        tagged = {"harm_tags": ["prejudice"]} if n < 3 else {}
        when = start + timedelta(days=n)
        published(f"Tide {n}", "The tide came in.", published_at=when, **tagged)
    tide = StoryFilters(search=parse("tide"), tags=("prejudice",))
    everything = StoryFilters(search=parse("tide"))
    assert reading.count_published_stories(tide) == reading.Total(3)
    assert sorted(found("tide", tags=("prejudice",))) == ["Tide 0", "Tide 1", "Tide 2"]

    monkeypatch.setattr(reading, "NEWEST_EXAMINED", 3)
    # The count reads the newest 3 + 1 matches: only "Tide 2" of them passes, so 1 or more.
    assert reading.count_published_stories(tide) == reading.Total(1, more=True)
    assert reading.count_published_stories(everything) == reading.Total(4, more=True)
    # Filtered, the ranking reads the newest 3, none of them tagged; newest first still finds
    # all three. Unfiltered, its own limit of candidates bounds it (SEARCH_CANDIDATES).
    assert found("tide", tags=("prejudice",)) == []
    assert len(found("tide")) == 6
    newest = reading.published_stories(tide)
    assert [s.title for s in newest.stories] == ["Tide 2", "Tide 1", "Tide 0"]
    # A listing with no search counts the newest stories the same way.
    listing = StoryFilters(tags=("prejudice",), exclude=("no-say",))
    assert reading.count_published_stories(listing) == reading.Total(1, more=True)
    monkeypatch.setattr(reading, "SEARCH_CANDIDATES", 2)
    assert sorted(found("tide")) == ["Tide 4", "Tide 5"]
