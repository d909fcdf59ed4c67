"""Reading stories over HTTP: listings, filters, hidden tags, one story, reactions and replies.

Visibility first (SECURITY.md §2, CVE-2026-32620): stories that are not published, and replies
that are not published, appear on no page and in no count, and nothing can be done to them.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.db import db
from forum.errors import NotFound
from forum.moderation.services import approve_reply
from forum.safety.client_key import client_key
from forum.stories import counters, reading, responses, services
from forum.stories.models import Format, Reaction, Reply, Setting, Status, Story, StoryKind
from forum.taxonomy.models import Tag
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.payloads import XSS
from tests.web import csrf_token, post_form, sign_in

PAYLOADS = XSS
HIDDEN_STATUSES = [s for s in Status if s is not Status.PUBLISHED]


# --- Helpers --------------------------------------------------------------------------------------


@contextmanager
def database(app):
    """A short app context for building data between requests, closed before the next one."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def publish(app, when: datetime | None = None, **fields) -> int:
    """A published story; returns its id."""
    with database(app):
        return make_story(status=Status.PUBLISHED, published_at=when, **fields).id


def add_story(app, status: Status, **fields) -> int:
    """A story in any state; returns its id."""
    with database(app):
        story = make_story(status=Status.PUBLISHED, **fields)
        listed = counters.listed(story)
        story.status = status
        counters.story_changed(listed, story)  # as the lifecycle would
        db.session.commit()
        return story.id


def update(app, story_id: int, **values) -> None:
    """Change columns of a story directly (moderator actions are not this module's concern)."""
    with database(app):
        story = db.session.get(Story, story_id)
        listed = counters.listed(story)
        for name, value in values.items():
            setattr(story, name, value)
        counters.story_changed(listed, story)  # as the lifecycle would
        db.session.commit()


def count(app, model, **where) -> int:
    """How many rows of a model match."""
    with database(app):
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


class Page(HTMLParser):
    """Start tags in order, the text of each h1, and the summary/details structure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.h1: list[str] = []
        self.summaries: list[str] = []
        self._capture: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("h1", "summary"):
            self._capture = []

    def handle_endtag(self, tag):
        if tag in ("h1", "summary") and self._capture is not None:
            text = " ".join("".join(self._capture).split())
            (self.h1 if tag == "h1" else self.summaries).append(text)
            self._capture = None

    def handle_data(self, data):
        if self._capture is not None:
            self._capture.append(data)

    def links(self) -> list[str]:
        return [a.get("href", "") for t, a in self.tags if t == "a"]


def heading(html: str) -> str:
    (h1,) = Page(html).h1
    return h1


def story_links(html: str) -> list[int]:
    """Story ids linked from the story cards of a listing, in order."""
    return [int(m) for m in re.findall(r'class="story-card__title"><a href="/stories/(\d+)"', html)]


@pytest.fixture
def tags(app):
    with database(app):
        load_tags()


# --- /stories: what is listed ---------------------------------------------------------------------


def test_stories_lists_published_stories_newest_first(app, client, tags):
    now = datetime.now(UTC)
    old = publish(app, when=now - timedelta(days=40), title="An older story")
    new = publish(app, when=now, title="A newer story")
    html = html_of(client, "/stories")
    assert story_links(html) == [new, old]
    assert heading(html) == "2 stories"


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_unpublished_stories_appear_on_no_page_and_in_no_count(app, client, tags, status):
    publish(app, title="The published one", harm_tags=["not-heard"])
    hidden = add_story(app, status, title="Secret unpublished title", harm_tags=["not-heard"])
    for url in ("/", "/stories", "/stories?tag=not-heard", "/tags/not-heard", "/tags"):
        html = html_of(client, url)
        assert "Secret unpublished title" not in html, url
        assert f'/stories/{hidden}"' not in html, url
    assert heading(html_of(client, "/stories?tag=not-heard")) == "1 story about “Not heard”"
    assert "1 story" in html_of(client, "/tags")
    html_of(client, f"/stories/{hidden}", 404)


def test_story_card_shows_title_kind_tags_month_and_a_plain_excerpt(app, client, tags):
    when = datetime(2025, 3, 17, 14, 5, tzinfo=UTC)
    story_id = publish(
        app,
        when=when,
        title="The sessions went nowhere",
        body="We met **every week** for two years. " + "Nothing changed at all. " * 20,
        harm_tags=["no-progress", "not-heard"],
    )
    html = main_of(html_of(client, "/stories"))
    assert f'<a href="/stories/{story_id}">The sessions went nowhere</a>' in html
    assert "What happened" in html and "March 2025" in html
    assert "17" not in re.sub(r"/stories/\d+|story_id", "", html.split("story-card")[1])
    assert '<a class="tag" href="/tags/no-progress">No progress</a>' in html
    excerpt = re.search(r'<p class="story-card__excerpt">(.*?)</p>', html, re.S).group(1)
    assert excerpt.startswith("We met every week for two years.")  # Markdown is gone
    assert "<strong>" not in excerpt and excerpt.endswith("…") and len(excerpt) < 260


def test_a_story_with_content_notes_shows_its_notes_and_no_excerpt(app, client, tags):
    publish(
        app,
        title="Hard to read",
        body="Distressing detail that must stay hidden",
        content_notes=["self-harm", "medication"],
    )
    for url in ("/", "/stories", "/tags/not-heard"):
        html = html_of(client, url)
        assert "Distressing detail" not in html, url
        assert "Content note: self-harm, medication. Open the story to read it." in html, url


def test_older_stories_link_pages_through_everything_once(app, client, tags):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [publish(app, when=start + timedelta(hours=i), title=f"Story {i}") for i in range(23)]
    first = html_of(client, "/stories?tag=not-heard")
    assert story_links(first) == ids[::-1][:20]
    (older,) = [link for link in Page(first).links() if "after=" in link]
    assert parse_qs(urlsplit(older).query)["tag"] == ["not-heard"]  # filters are kept
    second = html_of(client, older)
    assert story_links(second) == ids[::-1][20:]
    assert not [link for link in Page(second).links() if "after=" in link]


def test_stories_published_in_the_same_instant_are_paged_without_loss(app, client, tags):
    same = datetime(2025, 6, 1, tzinfo=UTC)
    ids = {publish(app, when=same, title=f"Same time {i}") for i in range(21)}
    first = html_of(client, "/stories")
    (older,) = [link for link in Page(first).links() if "after=" in link]
    seen = story_links(first) + story_links(html_of(client, older))
    assert sorted(seen) == sorted(ids)


# --- /stories: filters ----------------------------------------------------------------------------


@pytest.fixture
def varied(app, tags):
    """Stories that differ in every filterable way."""
    private = {"setting": Setting.PRIVATE, "format": Format.INDIVIDUAL}
    return {
        "heard": publish(
            app,
            title="Not heard in private",
            harm_tags=["not-heard"],
            problem_kind="poor-quality",
            **private,
        ),
        "both": publish(
            app,
            title="Not heard and prejudice",
            harm_tags=["not-heard", "prejudice"],
            setting=Setting.PUBLIC,
            format=Format.GROUP,
        ),
        "prejudice": publish(
            app, title="Prejudice only", harm_tags=["prejudice"], problem_kind="misconduct"
        ),
        "walks": publish(
            app,
            title="Walking helped",
            kind=StoryKind.PRACTICE,
            harm_tags=[],
            practice_tags=["nature"],
        ),
        "group": publish(
            app,
            title="A group helped",
            kind=StoryKind.PRACTICE,
            harm_tags=["not-heard"],
            practice_tags=["peer-support-group"],
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected", "title"),
    [
        ("tag=not-heard", {"heard", "both", "group"}, "3 stories about “Not heard”"),
        (
            "tag=not-heard&tag=prejudice",
            {"heard", "both", "prejudice", "group"},
            "4 stories about “Not heard” or “Prejudice”",
        ),
        (
            "tag=not-heard&exclude=prejudice",
            {"heard", "group"},
            "2 stories about “Not heard”, leaving out “Prejudice”",
        ),
        ("exclude=not-heard", {"prejudice", "walks"}, "2 stories, leaving out “Not heard”"),
        ("type=experience", {"heard", "both", "prejudice"}, "3 “What happened” stories"),
        ("type=practice", {"walks", "group"}, "2 “What helped” stories"),
        ("practice=nature", {"walks"}, "1 story where “Nature” helped"),
        ("setting=private", {"heard"}, "1 story"),
        ("format=group", {"both"}, "1 story"),
        ("kind=misconduct", {"prejudice"}, "1 story"),
        ("type=practice&tag=not-heard", {"group"}, "1 “What helped” story about “Not heard”"),
    ],
)
def test_filters_narrow_the_list_and_the_heading_says_what_is_shown(
    client, varied, query, expected, title
):
    html = html_of(client, f"/stories?{query}")
    assert set(story_links(html)) == {varied[name] for name in expected}
    assert heading(html) == title
    assert Page(html).tags[0]  # parsed
    assert f"<title>{title} – Heard</title>" in html


def test_active_filters_are_listed_and_each_can_be_removed(client, varied):
    html = html_of(client, "/stories?tag=not-heard&exclude=prejudice&setting=private")
    region = html[html.index('class="active-filters"') : html.index("Clear all filters")]
    assert "About: Not heard" in region and "Leaving out: Prejudice" in region
    assert "Setting: Private practice" in region
    removals = re.findall(r'<li>([^<]+) <a href="([^"]+)">Remove', region)
    assert len(removals) == 3
    by_label = {label.strip(): href.replace("&amp;", "&") for label, href in removals}
    without_exclude = by_label["Leaving out: Prejudice"]
    assert parse_qs(urlsplit(without_exclude).query) == {
        "tag": ["not-heard"],
        "setting": ["private"],
    }
    assert set(story_links(html_of(client, without_exclude))) == {varied["heard"]}


def test_the_filter_form_is_a_plain_get_form_with_grouped_checkboxes(client, varied):
    html = main_of(html_of(client, "/stories?tag=not-heard"))
    start = html.index('<form method="get" action="/stories"')
    form = html[start : html.index("</form>", start)]
    assert "csrf_token" not in form
    assert form.count('type="checkbox" name="tag"') == 18
    assert form.count('type="checkbox" name="exclude"') == 18
    assert form.count('type="checkbox" name="practice"') == 12
    assert 'name="tag" id="filter-tag-not-heard" value="not-heard" checked' in form
    assert (
        '<legend class="fieldset__legend fieldset__legend--small">The relationship</legend>' in form
    )
    for name in ("setting", "format", "kind"):
        assert f'<select class="select" id="filter-{name}" name="{name}">' in form
    assert '<button type="submit" class="button">Show stories</button>' in form


@pytest.mark.parametrize(
    "query",
    [
        "tag=no-such-tag",
        "tag=",
        "tag=%00",
        "tag=" + "a" * 5000,
        "tag[]=x&tag[$ne]=1",
        "type=both",
        "type=",
        "type[]=experience",
        "setting=mars",
        "format=%F0%9F%98%80",
        "kind=%27%20OR%201%3D1--",
        "exclude=" + "&exclude=".join(["not-heard"] * 300),
        "after=nonsense",
        "after=-1",
        "after=1-2-3",
        "after=99999999999999999999-1",
        "after=1-99999999999999999999",
        "after=253402300800000000-5",
        "after=-62135596800000001-1",
        "after=0-0",
        "after=" + "9" * 100,
        "after=%00",
        "practice=prejudice",
        "q=" + "x" * 3000,
        "tag=not-heard&tag=not-heard",
        "type=EXPERIENCE",
        "%ff=%ff",
        "tag=%ff%fe",
    ],
)
def test_odd_query_values_are_ignored_and_never_fail(client, varied, query):
    response = client.get(f"/stories?{query}")
    assert response.status_code == 200
    assert b"Something went wrong" not in response.data


def test_unknown_values_do_not_narrow_the_list(client, varied):
    html = html_of(client, "/stories?tag=no-such-tag&setting=mars&type=both&kind=nope")
    assert len(story_links(html)) == len(varied)
    assert "Filters in use" not in html


# --- Hidden tags ----------------------------------------------------------------------------------


def hide(client, *slugs, page="/stories/preferences"):
    return post_form(client, "/stories/preferences", {"hide": list(slugs)}, page=page)


def test_hidden_tags_are_left_out_of_listings_and_said_so(app, client, varied):
    response = hide(client, "prejudice")
    assert response.status_code == 303
    html = html_of(client, "/stories")
    assert varied["both"] not in story_links(html) and varied["prejudice"] not in story_links(html)
    assert varied["heard"] in story_links(html)
    assert "You chose not to see stories tagged “Prejudice”" in html
    assert heading(html) == "3 stories"  # the count follows what is shown
    home = html_of(client, "/")
    assert "Prejudice only" not in home and "Not heard in private" in home
    tag_page = html_of(client, "/tags/not-heard")
    assert varied["both"] not in story_links(tag_page) and varied["heard"] in story_links(tag_page)


def test_a_hidden_tags_own_page_shows_no_stories_and_offers_to_show_them(app, client, varied):
    hide(client, "prejudice")
    html = html_of(client, "/tags/prejudice")
    assert "You have hidden this tag" in html
    assert story_links(html) == []
    response = post_form(
        client,
        "/stories/preferences",
        {"show_all": "1", "next": "/tags/prejudice"},
        page="/tags/prejudice",
    )
    assert response.status_code == 303 and response.headers["Location"] == "/tags/prejudice"
    assert set(story_links(html_of(client, "/tags/prejudice"))) == {
        varied["both"],
        varied["prejudice"],
    }


def test_show_them_again_from_the_stories_page_brings_everything_back(client, varied):
    hide(client, "prejudice", "not-heard")
    assert set(story_links(html_of(client, "/stories"))) == {varied["walks"]}
    response = post_form(
        client, "/stories/preferences", {"show_all": "1", "next": "/stories"}, page="/stories"
    )
    assert response.headers["Location"] == "/stories"
    assert len(story_links(html_of(client, "/stories"))) == len(varied)


def test_the_preferences_page_remembers_the_choice(client, varied):
    hide(client, "got-worse")
    html = html_of(client, "/stories/preferences")
    assert re.search(r'name="hide" id="hide-\d+" value="got-worse" checked', html)
    assert not re.search(r'value="prejudice" checked', html)


def test_hiding_tags_without_a_csrf_token_changes_nothing(client, varied):
    client.get("/stories")
    response = client.post("/stories/preferences", data={"hide": ["prejudice"]})
    assert response.status_code == 200 and "Error: " in response.get_data(as_text=True)
    assert len(story_links(html_of(client, "/stories"))) == len(varied)


@pytest.mark.parametrize("value", ["no-such-tag", "nature", "../etc", "x" * 500])
def test_only_harm_tags_from_the_list_can_be_hidden(client, varied, value):
    response = hide(client, value)
    assert response.status_code == 200
    assert "Choose tags from the list" in response.get_data(as_text=True)
    assert len(story_links(html_of(client, "/stories"))) == len(varied)


def test_preferences_go_back_only_to_a_local_page(client, varied):
    response = post_form(
        client, "/stories/preferences", {"hide": ["prejudice"], "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == "/stories"


# --- One story ------------------------------------------------------------------------------------


def test_a_story_page_shows_the_story_and_only_a_month(app, client, tags):
    when = datetime(2024, 11, 23, 22, 41, tzinfo=UTC)
    story_id = publish(
        app,
        when=when,
        title="Told I was resisting",
        body="Every worry was called *resistance*.",
        harm_tags=["invalidated", "imposed-values"],
        practice_tags=["peer-support-group"],
        answers={"affected": "I stopped trusting myself."},
        helped_instead="A peer group on Tuesdays.",
        therapy_kind="Psychodynamic",
        setting=Setting.PRIVATE,
    )
    html = main_of(html_of(client, f"/stories/{story_id}"))
    assert heading(html) == "Told I was resisting"
    assert "What happened" in html and "November 2024" in html and "Shared by Anonymous" in html
    assert "23" not in html.split("story__meta")[1].split("</p>")[0]
    assert "<em>resistance</em>" in html
    assert '<a class="tag" href="/tags/invalidated">Invalidated</a>' in html
    assert '<a class="tag" href="/tags/peer-support-group">Peer support group</a>' in html
    assert re.search(
        r"<h2>How did it affect you\?</h2>\s*<div class=\"story-body\"><p>I stopped", html
    )
    assert "<h2>What helped instead</h2>" in html and "Private practice" in html
    assert "Psychodynamic" in html


def test_the_author_handle_shows_only_when_they_chose_it(app, client, tags):
    with database(app):
        author = make_user("willow")
        shown = make_story(status=Status.PUBLISHED, author=author, show_handle=True).id
        hidden = make_story(status=Status.PUBLISHED, author=author, show_handle=False).id
    assert "Shared by willow" in html_of(client, f"/stories/{shown}")
    page = html_of(client, f"/stories/{hidden}")
    assert "Shared by Anonymous" in page and "willow" not in main_of(page)


def test_content_notes_put_the_story_inside_a_closed_details(app, client, tags):
    story_id = publish(
        app,
        body="The hard part.",
        content_notes=["self-harm"],
        helped_instead="Friends.",
        answers={"affected": "Badly."},
    )
    html = main_of(html_of(client, f"/stories/{story_id}"))
    page = Page(html)
    details = [attrs for tag, attrs in page.tags if tag == "details"]
    assert len(details) == 1 and "open" not in details[0]
    assert page.summaries == ["Content note: self-harm. Open to read."]
    inside = html[html.index("<details") : html.index("</details>")]
    for text in ("The hard part.", "Friends.", "Badly."):
        assert text in inside and html.count(text) == 1


def test_a_story_without_notes_has_no_details(app, client, tags):
    html = html_of(client, f"/stories/{publish(app)}")
    assert "<details" not in main_of(html)


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_a_story_that_is_not_published_is_not_found(app, client, tags, status):
    story_id = add_story(app, status, title="Not for readers")
    response = client.get(f"/stories/{story_id}")
    assert response.status_code == 404
    assert b"Not for readers" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/stories/0",
        "/stories/999999",
        "/stories/99999999999999999999999",
        "/stories/-1",
        "/stories/1x",
    ],
)
def test_missing_or_odd_story_ids_are_not_found(client, tags, path):
    assert client.get(path).status_code == 404


def test_every_story_has_the_help_panel_in_the_same_place(app, client, tags):
    plain = publish(app)
    noted = publish(app, content_notes=["suicide"])
    positions = []
    for story_id in (plain, noted):
        html = main_of(html_of(client, f"/stories/{story_id}"))
        aside = re.search(
            r'<aside class="[^"]*" aria-labelledby="resources-heading">(.*?)</aside>', html, re.S
        )
        assert aside, story_id
        assert '<h2 id="resources-heading">Help and next steps</h2>' in aside.group(1)
        assert 'href="/help"' in aside.group(1)
        positions.append(
            [
                m
                for m in ("</article>", "resources-heading", 'id="support"', 'id="replies"')
                if m in html
            ]
            == ["</article>", "resources-heading", 'id="support"', 'id="replies"']
            and html.index("</article>")
            < html.index("resources-heading")
            < html.index('id="support"')
        )
    assert positions == [True, True]


def test_only_html_columns_are_marked_safe_in_story_templates():
    root = Path(__file__).resolve().parents[2] / "templates"
    for path in [*root.glob("stories/*.html"), *root.glob("taxonomy/*.html")]:
        for match in re.finditer(r"\{\{([^}]*)\|\s*safe", path.read_text("utf-8")):
            assert re.fullmatch(r"\s*[\w.]+_html\s*", match.group(1)), (path.name, match.group(0))


# --- Reactions ------------------------------------------------------------------------------------


def react(client, story_id: int, kind: str, **kwargs):
    return post_form(
        client,
        f"/stories/{story_id}/reactions",
        {"kind": kind},
        page=f"/stories/{story_id}",
        **kwargs,
    )


def test_a_reaction_is_counted_once_per_kind_per_person(app, client, tags):
    story_id = publish(app)
    first = react(client, story_id, "hear")
    assert first.status_code == 303
    assert first.headers["Location"] == f"/stories/{story_id}#support"
    react(client, story_id, "hear")
    react(client, story_id, "thanks")
    assert count(app, Reaction, story_id=story_id) == 2
    html = html_of(client, f"/stories/{story_id}")
    assert "Thank you" in html
    assert re.search(r"I hear you <span class=\"reaction-count\">\(1\)</span>", html)
    assert re.search(r"Me too <span class=\"reaction-count\">\(0\)</span>", html)
    assert re.search(r"Thank you for sharing <span class=\"reaction-count\">\(1\)</span>", html)


def test_another_reader_adds_to_the_count(app, tags):
    story_id = publish(app)
    for address in ("198.51.100.1", "198.51.100.2"):
        react(app.test_client(), story_id, "me-too", environ_base={"REMOTE_ADDR": address})
    assert count(app, Reaction, story_id=story_id) == 2


def test_an_anonymous_reaction_is_keyed_without_the_ip_address(app, client, tags):
    story_id = publish(app)
    address, agent = "203.0.113.77", "TestBrowser/1.0"
    react(
        client,
        story_id,
        "hear",
        environ_base={"REMOTE_ADDR": address},
        headers={"User-Agent": agent},
    )
    with database(app):
        (key,) = db.session.scalars(select(Reaction.actor_key))
        day = datetime.now(UTC).date().isoformat()
        expected = client_key(f"{address}\n{agent}", "reaction")
    assert key == f"c:{day}:{expected}"
    # The key is a hex digest, so no dotted address (or any dot at all) can hide in it.
    assert address not in key and "." not in key


def test_a_signed_in_reaction_is_keyed_by_the_account(app, client, tags):
    story_id = publish(app)
    with database(app):
        user_id = make_user("rowan").id
    sign_in(client, "rowan", PASSWORD)
    react(client, story_id, "hear")
    with database(app):
        assert list(db.session.scalars(select(Reaction.actor_key))) == [f"u:{user_id}"]


def test_a_reaction_without_a_csrf_token_changes_nothing(app, client, tags):
    story_id = publish(app)
    response = client.post(f"/stories/{story_id}/reactions", data={"kind": "hear"})
    assert response.status_code == 400
    assert count(app, Reaction) == 0


@pytest.mark.parametrize("kind", ["", "love", "downvote", "HEAR", "x" * 1000])
def test_an_unknown_reaction_changes_nothing(app, client, tags, kind):
    story_id = publish(app)
    assert react(client, story_id, kind).status_code == 400
    assert count(app, Reaction) == 0


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_no_reaction_on_a_story_that_is_not_published(app, client, tags, status):
    published = publish(app)
    story_id = add_story(app, status)
    token = csrf_token(client, f"/stories/{published}")
    response = client.post(
        f"/stories/{story_id}/reactions", data={"kind": "hear", "csrf_token": token}
    )
    assert response.status_code == 404
    assert count(app, Reaction) == 0


def test_a_locked_story_shows_counts_but_takes_no_reactions(app, client, tags):
    story_id = publish(app)
    react(client, story_id, "hear")
    update(app, story_id, locked=True)
    html = main_of(html_of(client, f"/stories/{story_id}"))
    assert "I hear you: 1" in html and "/reactions" not in html
    token = csrf_token(client, f"/stories/{publish(app)}")
    response = client.post(
        f"/stories/{story_id}/reactions", data={"kind": "me-too", "csrf_token": token}
    )
    assert response.status_code == 403
    assert count(app, Reaction) == 1


def test_reactions_are_rate_limited(app, database_uri, tags):
    from tests.conftest import make_test_app

    limited = make_test_app(database_uri, RATELIMIT_ENABLED=True)
    story_id = publish(app)
    client = limited.test_client()
    token = csrf_token(client, f"/stories/{story_id}")
    kinds = ["hear", "me-too", "thanks"]
    statuses = [
        client.post(
            f"/stories/{story_id}/reactions", data={"kind": kinds[i % 3], "csrf_token": token}
        ).status_code
        for i in range(31)
    ]
    assert statuses[:30] == [303] * 30 and statuses[30] == 429


# --- Replies --------------------------------------------------------------------------------------


def reply(client, story_id: int, body: str, token: str | None = None, **extra):
    page = html_of(client, f"/stories/{story_id}")
    form_token = token or re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(
        1
    )
    data = {"body": body, "form_token": form_token, **extra}
    return post_form(client, f"/stories/{story_id}/replies", data, page=f"/stories/{story_id}")


@pytest.fixture
def moderator(app):
    with database(app):
        return make_user("mod-one", role=Role.MODERATOR).id


def approve_all(app, moderator_id: int) -> None:
    with database(app):
        from forum.accounts.models import User

        mod = db.session.get(User, moderator_id)
        for reply_id in db.session.scalars(
            select(Reply.id).where(Reply.status == Status.PENDING)
        ).all():
            approve_reply(mod, reply_id)


def test_a_reply_waits_for_a_moderator_and_then_appears(app, client, tags, moderator):
    story_id = publish(app)
    response = reply(client, story_id, "You deserved to be *heard*.")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/stories/{story_id}#replies"
    html = html_of(client, f"/stories/{story_id}")
    assert "A moderator reads every reply before it appears here." in html
    assert "You deserved to be" not in html
    with database(app):
        assert db.session.scalar(select(Reply.status)) is Status.PENDING
    approve_all(app, moderator)
    html = main_of(html_of(client, f"/stories/{story_id}"))
    assert "You deserved to be <em>heard</em>." in html
    assert re.search(r'<span class="reply__author">Anonymous [a-z]+</span>', html)
    assert "Replies (1)" in html


def test_a_readers_alias_is_stable_in_a_thread_and_differs_between_readers(
    app, client, tags, moderator
):
    story_id = publish(app)
    reply(client, story_id, "First reply.")
    reply(client, story_id, "Second reply.")
    reply(app.test_client(), story_id, "Someone else.")
    approve_all(app, moderator)
    html = main_of(html_of(client, f"/stories/{story_id}"))
    authors = re.findall(r'<span class="reply__author">([^<]+)</span>', html)
    assert len(authors) == 3
    assert authors[0] == authors[1] != authors[2]


def test_a_double_submit_makes_one_reply(app, client, tags):
    story_id = publish(app)
    token = "t" * 32
    assert reply(client, story_id, "Once.", token=token).status_code == 303
    assert reply(client, story_id, "Once.", token=token).status_code == 303
    assert count(app, Reply) == 1


def test_a_signed_in_reply_shows_the_handle_only_when_chosen(app, client, tags, moderator):
    story_id = publish(app)
    with database(app):
        make_user("juniper")
    sign_in(client, "juniper", PASSWORD)
    reply(client, story_id, "With my name.", show_handle="y")
    reply(client, story_id, "Without my name.")
    approve_all(app, moderator)
    html = main_of(html_of(client, f"/stories/{story_id}"))
    authors = re.findall(r'<span class="reply__author">([^<]+)</span>', html)
    assert authors[0] == "juniper" and authors[1].startswith("Anonymous ")


def test_an_anonymous_reader_cannot_ask_to_show_a_handle(app, client, tags, moderator):
    story_id = publish(app)
    assert 'name="show_handle"' not in html_of(client, f"/stories/{story_id}")
    reply(client, story_id, "Hello.", show_handle="y")
    with database(app):
        assert db.session.scalar(select(Reply.show_handle)) is False


def test_unpublished_replies_never_show(app, client, tags, moderator):
    story_id = publish(app)
    reply(client, story_id, "Pending words.")
    with database(app):
        r = db.session.scalar(select(Reply))
        r.status = Status.REJECTED
        db.session.commit()
    reply(app.test_client(), story_id, "Still pending words.")
    html = html_of(client, f"/stories/{story_id}")
    assert "Pending words" not in html and "Still pending" not in html and "No replies yet." in html


def test_an_empty_reply_shows_the_error_and_stores_nothing(app, client, tags):
    story_id = publish(app)
    response = reply(client, story_id, "   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert '<a href="#body">Enter your reply</a>' in html
    assert count(app, Reply) == 0


def test_a_too_long_reply_keeps_the_text(app, client, tags):
    story_id = publish(app)
    text = "Kind words " * 500
    html = reply(client, story_id, text).get_data(as_text=True)
    assert "Reply must be 5000 characters or fewer" in html
    assert text.strip() in html
    assert count(app, Reply) == 0


def test_a_reply_with_an_expired_csrf_token_keeps_the_text_and_stores_nothing(app, client, tags):
    story_id = publish(app)
    html_of(client, f"/stories/{story_id}")
    response = client.post(
        f"/stories/{story_id}/replies", data={"body": "My careful words", "form_token": "x" * 32}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "My careful words" in html and "Everything you wrote is still here" in html
    assert count(app, Reply) == 0


def test_a_reply_without_a_form_token_is_refused_kindly(app, client, tags):
    story_id = publish(app)
    response = post_form(
        client, f"/stories/{story_id}/replies", {"body": "Words"}, page=f"/stories/{story_id}"
    )
    assert response.status_code == 200
    assert "This form is out of date" in response.get_data(as_text=True)
    assert count(app, Reply) == 0


@pytest.mark.parametrize(
    ("status", "locked", "expected"),
    [
        (Status.WITHDRAWN, False, 404),
        (Status.REMOVED, False, 404),
        (Status.PENDING, False, 404),
        (Status.REJECTED, False, 404),
        (Status.PUBLISHED, True, 403),
    ],
)
def test_replies_to_stories_readers_cannot_answer_are_refused(
    app, client, tags, status, locked, expected
):
    open_story = publish(app)
    story_id = add_story(app, status)
    update(app, story_id, locked=locked)
    token = csrf_token(client, f"/stories/{open_story}")
    data = {"body": "Hello", "form_token": "r" * 32, "csrf_token": token}
    assert client.post(f"/stories/{story_id}/replies", data=data).status_code == expected
    assert client.post("/stories/987654/replies", data=data).status_code == 404
    assert count(app, Reply) == 0


def test_a_locked_story_says_replies_are_closed(app, client, tags):
    story_id = publish(app)
    update(app, story_id, locked=True)
    html = html_of(client, f"/stories/{story_id}")
    assert "Replies are closed on this story." in html
    assert "/replies" not in html


def test_a_withdrawn_story_keeps_its_replies_and_reactions_out_of_sight(
    app, client, tags, moderator
):
    story_id = publish(app)
    reply(client, story_id, "Visible while published.")
    approve_all(app, moderator)
    react(client, story_id, "hear")
    update(app, story_id, status=Status.WITHDRAWN)
    response = client.get(f"/stories/{story_id}")
    assert response.status_code == 404
    assert b"Visible while published" not in response.data
    with database(app):
        story = db.session.get(Story, story_id)
        assert reading.published_replies(story) == []
        with pytest.raises(NotFound):
            reading.published_story_page(story.id)


# --- Script injection -----------------------------------------------------------------------------


def payloads() -> list[str]:
    lines = []
    for name in ("xss_payloads_quick.txt", "XSS_Polyglots.txt"):
        lines += [line.rstrip("\n") for line in (PAYLOADS / name).read_text("utf-8").splitlines()]
    return [line for line in lines if line.strip()]


class Inert(HTMLParser):
    """Everything in a page that could run script."""

    URL_ATTRIBUTES = {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "poster",
        "background",
    }
    FORBIDDEN_TAGS = {
        "iframe",
        "frame",
        "object",
        "embed",
        "svg",
        "math",
        "img",
        "video",
        "audio",
        "base",
        "isindex",
        "marquee",
        "plaintext",
        "style",
        "template",
        "xmp",
    }

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[dict] = []
        self.metas_in_body = 0
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts.append(attributes)
        self._in_body = self._in_body or tag == "body"
        if tag in ("meta", "link", "title") and self._in_body:
            self.metas_in_body += 1
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"meta {attributes}")
        if tag in self.FORBIDDEN_TAGS:
            self.problems.append(tag)
        for name, value in attributes.items():
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"{tag} {name}")
            if name in self.URL_ATTRIBUTES:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value!r}")


HEARD_JS = re.compile(r"/static/js/heard\.js\?v=[0-9a-f]{16}")


def assert_inert(html: str, where: str) -> None:
    found = Inert(html)
    assert found.problems == [], (where, found.problems)
    # The one script is Heard's own, by its fingerprinted URL (forum/assets.py).
    assert [set(s) for s in found.scripts] == [{"src", "defer"}], (where, found.scripts)
    assert HEARD_JS.fullmatch(found.scripts[0]["src"]), (where, found.scripts)
    assert found.metas_in_body == 0, where


def test_script_payloads_in_titles_bodies_and_replies_stay_inert(app, client, tags, moderator):
    lines = payloads()
    assert len(lines) > 40
    with database(app):
        ids = []
        mod_id = moderator
        for i, line in enumerate(lines):
            story = make_story(
                status=Status.PUBLISHED,
                title=line[:200],
                body=line,
                helped_instead=line,
                published_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            )
            ids.append(story.id)
        target = ids[0]
        for i, line in enumerate(lines):
            responses.add_reply(
                target,
                None,
                line,
                f"xss-reply-token-{i:04d}-padding",
                reader_id=f"reader-{i}",
                teller=services.Teller(),
            )
    approve_all(app, mod_id)
    url = "/stories"
    while url:
        html = html_of(client, url)
        assert_inert(html, url)
        older = [link for link in Page(html).links() if "after=" in link]
        url = older[0] if older else None
    assert_inert(html_of(client, "/tags/not-heard"), "/tags/not-heard")
    assert_inert(html_of(client, "/"), "/")
    for story_id in ids:
        assert_inert(html_of(client, f"/stories/{story_id}"), f"/stories/{story_id}")
    for line in lines[:5]:  # a refused reply re-renders what was typed, still inert
        response = client.post(f"/stories/{target}/replies", data={"body": line + "x" * 5000})
        assert_inert(response.get_data(as_text=True), "reply re-render")


def test_a_payload_title_is_shown_as_text(app, client, tags):
    story_id = publish(app, title='<script>alert("t")</script>')
    html = html_of(client, f"/stories/{story_id}")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert heading(html) == '<script>alert("t")</script>'


# --- Home -----------------------------------------------------------------------------------------


def test_home_shows_recent_and_featured_stories_and_keeps_its_copy(app, client, tags):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [publish(app, when=start + timedelta(days=i), title=f"Recent {i}") for i in range(7)]
    update(app, ids[0], featured=True)
    featured_pending = add_story(app, Status.PENDING, title="Featured but pending")
    update(app, featured_pending, featured=True)
    html = main_of(html_of(client, "/"))
    assert (
        "A place to be heard" in html
        and "How Heard works" in html
        and "If you need to talk" in html
    )
    featured = html[html.index('id="featured-title"') : html.index('id="recent-title"')]
    recent = html[html.index('id="recent-title"') :]
    assert story_links(featured) == [ids[0]]
    assert story_links(recent) == ids[::-1][:5]
    assert "Featured but pending" not in html


def test_home_without_stories_shows_no_empty_sections(client, tags):
    html = html_of(client, "/")
    assert "Recent stories" not in html and 'id="featured-title"' not in html
    assert "How Heard works" in html


def test_tag_names_used_in_filters_are_the_live_ones(app, client, varied):
    with database(app):
        tag = db.session.scalar(select(Tag).where(Tag.slug == "not-heard"))
        tag.name = "Not listened to"
        db.session.commit()
    assert heading(html_of(client, "/stories?tag=not-heard")) == "3 stories about “Not listened to”"


# --- The read-only service functions these pages added --------------------------------------------


FILTER_SHAPES = [
    reading.StoryFilters(),
    reading.StoryFilters(kind=StoryKind.EXPERIENCE),
    reading.StoryFilters(tags=("not-heard",)),
    reading.StoryFilters(tags=("not-heard", "prejudice"), exclude=("prejudice",)),
    reading.StoryFilters(exclude=("not-heard",)),
    reading.StoryFilters(practice=("nature",)),
    reading.StoryFilters(setting="private"),
    reading.StoryFilters(format="group"),
    reading.StoryFilters(problem_kind="misconduct"),
    reading.StoryFilters(kind=StoryKind.PRACTICE, tags=("not-heard",)),
]


@pytest.mark.parametrize("filters", FILTER_SHAPES)
def test_the_count_agrees_with_the_stories_listed(app, varied, filters):
    for status in HIDDEN_STATUSES:
        add_story(app, status, harm_tags=["not-heard", "prejudice"], setting=Setting.PRIVATE)
    with database(app):
        listed, after = [], None
        while True:
            page = reading.published_stories(filters, after=after, limit=2)
            listed += page.stories
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert reading.count_published_stories(filters) == reading.Total(len(listed))


def test_tag_page_counts_count_what_tag_pages_list(app, varied):
    add_story(app, Status.WITHDRAWN, harm_tags=["prejudice"])
    with database(app):
        counts = reading.tag_page_counts()
        assert counts["not-heard"] == 2  # "A group helped" is a What helped post
        assert counts["prejudice"] == 2 and counts["nature"] == 1
        assert reading.tag_counts()["not-heard"] == 3
        for slug, expected in counts.items():
            tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
            assert len(reading.published_tag_stories(tag).stories) == expected


def test_published_tag_stories_pages_and_excludes(app, tags):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [publish(app, when=start + timedelta(hours=i)) for i in range(3)]
    other = publish(app, when=start + timedelta(hours=9), harm_tags=["not-heard", "got-worse"])
    with database(app):
        tag = db.session.scalar(select(Tag).where(Tag.slug == "not-heard"))
        first = reading.published_tag_stories(tag, limit=2)
        assert [s.id for s in first.stories] == [other, ids[2]]
        rest = reading.published_tag_stories(tag, after=first.next_cursor, limit=2)
        assert [s.id for s in rest.stories] == [ids[1], ids[0]]
        hidden = reading.published_tag_stories(tag, exclude=("got-worse",))
        assert other not in [s.id for s in hidden.stories]


def test_pinned_stories_lead_the_first_page_only(app, client):
    with app.app_context():
        load_tags()
        pinned = make_story(title="Read this first", status=Status.PUBLISHED)
        pinned.pinned = True
        make_story(title="An ordinary story", status=Status.PUBLISHED)
        db.session.commit()
    html = client.get("/stories").get_data(as_text=True)
    assert "Pinned by the moderators" in html
    assert html.index("Read this first") < html.index("All stories")
    cursor = "9999999999999999-999999"
    assert "Pinned by the moderators" not in client.get(f"/stories?after={cursor}").get_data(
        as_text=True
    )
