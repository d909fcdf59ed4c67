"""The taxonomy pages: /tags with counts of published stories, and one tag's stories."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from forum.accounts.models import Role
from forum.db import db
from forum.stories.models import StoryKind
from forum.taxonomy.services import get_tag, retire_tag
from tests.factories import load_tags, make_user
from tests.stories.test_views import (
    HIDDEN_STATUSES,
    Page,
    add_story,
    database,
    heading,
    html_of,
    main_of,
    publish,
    story_links,
)
from tests.web import post_form

GROUPS = ["How I was treated", "The relationship", "Fit and quality", "Effects on me"]


@pytest.fixture
def tags(app):
    with database(app):
        load_tags()


def count_for(html: str, slug: str) -> str:
    """The count shown beside a tag on /tags."""
    name = rf'href="/tags/{slug}" class="tag-list__name">[^<]+</a>'
    match = re.search(name + r'\s*<span class="tag-list__count">([^<]+)</span>', html)
    assert match, slug
    return match.group(1)


def test_tags_shows_the_four_groups_with_tags_descriptions_and_practices(client, tags):
    html = main_of(html_of(client, "/tags"))
    assert heading(html) == "Harm types and what helped"
    positions = [html.index(f">{name}</h3>") for name in GROUPS]
    assert positions == sorted(positions)
    assert '<a href="/tags/not-heard" class="tag-list__name">Not heard</a>' in html
    assert "Unheard, misunderstood, my voice did not matter" in html
    practices = html[html.index('id="practices"') :]
    assert '<a href="/tags/nature" class="tag-list__name">Nature</a>' in practices
    assert '<a href="/tags/not-heard"' not in practices
    assert html.count('class="tag-list__name"') == 18 + 12
    assert count_for(html, "not-heard") == "0 stories"


def test_counts_are_of_published_stories_only(app, client, tags):
    publish(app, harm_tags=["not-heard", "prejudice"])
    publish(app, harm_tags=["not-heard"])
    publish(app, kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"])
    for status in HIDDEN_STATUSES:
        add_story(app, status, harm_tags=["not-heard", "got-worse"])
        add_story(app, status, kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"])
    html = html_of(client, "/tags")
    assert count_for(html, "not-heard") == "2 stories"
    assert count_for(html, "prejudice") == "1 story"
    assert count_for(html, "got-worse") == "0 stories"
    assert count_for(html, "nature") == "1 story"


def test_counts_match_what_each_tag_page_lists(app, client, tags):
    # A "What helped" post with a harm tag is not on the harm tag's page, so not counted there.
    publish(app, kind=StoryKind.PRACTICE, harm_tags=["not-heard"], practice_tags=["nature"])
    publish(app, kind=StoryKind.EXPERIENCE, harm_tags=["not-heard"], practice_tags=["nature"])
    html = html_of(client, "/tags")
    for slug in ("not-heard", "nature"):
        shown = int(count_for(html, slug).split()[0])
        assert shown == len(story_links(html_of(client, f"/tags/{slug}"))) == 1


def test_retired_tags_are_not_listed(app, client, tags):
    with database(app):
        admin = make_user("admin-one", role=Role.ADMIN)
        retire_tag(admin, get_tag("dependency"))
    html = html_of(client, "/tags")
    assert "/tags/dependency" not in html
    assert client.get("/tags/dependency").status_code == 404


def test_a_harm_tag_page_lists_its_what_happened_stories(app, client, tags):
    mine = publish(app, title="Mine", harm_tags=["not-heard"])
    publish(app, title="Other tag", harm_tags=["prejudice"])
    publish(
        app,
        title="Helped",
        kind=StoryKind.PRACTICE,
        harm_tags=["not-heard"],
        practice_tags=["nature"],
    )
    html = html_of(client, "/tags/not-heard")
    assert heading(html) == "Not heard"
    assert "Unheard, misunderstood, my voice did not matter" in html
    assert story_links(html) == [mine]
    assert '<a href="/stories?tag=not-heard">' in html
    assert 'href="/feeds/tags/not-heard.atom"' in html


def test_a_practice_tag_page_lists_what_helped_posts(app, client, tags):
    helped = publish(
        app, title="Walks", kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"]
    )
    publish(app, title="Happened", harm_tags=["not-heard"], practice_tags=["nature"])
    html = html_of(client, "/tags/nature")
    assert story_links(html) == [helped]
    assert "“What helped” posts about this practice." in html


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_a_tag_page_shows_no_unpublished_story(app, client, tags, status):
    add_story(app, status, title="Unpublished one", harm_tags=["not-heard"])
    html = html_of(client, "/tags/not-heard")
    assert "Unpublished one" not in html and story_links(html) == []
    assert "No stories with this tag have been published yet." in html


def test_a_tag_page_pages_with_a_keyset(app, client, tags):
    start = datetime(2025, 2, 1, tzinfo=UTC)
    ids = [publish(app, when=start + timedelta(hours=i)) for i in range(22)]
    first = html_of(client, "/tags/not-heard")
    assert story_links(first) == ids[::-1][:20]
    (older,) = [link for link in Page(first).links() if "after=" in link]
    assert older.startswith("/tags/not-heard?after=")
    assert story_links(html_of(client, older)) == ids[::-1][20:]


@pytest.mark.parametrize(
    "path",
    [
        "/tags/no-such-tag",
        "/tags/NOT-HEARD",
        "/tags/not_heard",
        "/tags/%00",
        "/tags/" + "a" * 500,
        "/tags/..%2F..%2Fetc",
        "/tags/%ff",
        "/tags/suicide",
        "/tags/not-heard%20",
    ],
)
def test_unknown_tags_are_not_found(client, tags, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["after=x", "after=1-99999999999999999999", "after=-5-1", "after=%00", "after[]=1"]
)
def test_odd_cursors_on_a_tag_page_show_the_first_page(app, client, tags, query):
    story_id = publish(app)
    assert story_links(html_of(client, f"/tags/not-heard?{query}")) == [story_id]


def test_hidden_tags_apply_on_tag_pages(app, client, tags):
    both = publish(app, harm_tags=["not-heard", "got-worse"])
    only = publish(app, harm_tags=["not-heard"])
    post_form(client, "/stories/preferences", {"hide": ["got-worse"]}, page="/stories/preferences")
    html = html_of(client, "/tags/not-heard")
    assert story_links(html) == [only] and both not in story_links(html)
    assert "You chose not to see stories tagged “Got worse”" in html
    assert "(hidden by you)" in html_of(client, "/tags")


def test_a_tag_name_with_markup_is_text(app, client, tags):
    with database(app):
        tag = get_tag("not-heard")
        tag.name = "<img src=x onerror=alert(1)>"
        tag.description = "<script>alert(2)</script>"
        db.session.commit()
    publish(app)
    for url in ("/tags", "/tags/not-heard", "/stories"):
        html = html_of(client, url)
        assert "<img src=x" not in html and "<script>alert" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url


def test_a_tag_page_lists_resources_for_that_harm_type(app, client, tags):
    from forum.resources.loading import load_resources

    with app.app_context():
        load_resources()
    with client.session_transaction() as session:
        session["region"] = "GB"
    html = client.get("/tags/boundary-violation").get_data(as_text=True)
    assert "Help and next steps" in html
    assert "BACP" in html or "British Association for Counselling" in html
