"""The status page, the account page and the header count run a pinned number of SQL
statements, however many stories, replies, reactions, events and follows there are."""

from __future__ import annotations

import secrets

from forum.accounts.models import Role, User
from forum.caching import cache
from forum.db import db
from forum.following.models import StoryFollow
from forum.moderation.services import approve_story, request_changes
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story
from tests.factories import load_tags, make_story, make_user
from tests.moderation.web import client_as
from tests.stories.test_queries import counting
from tests.web import hold_stories

# Statements on SQLite, measured and pinned.
# Every page also reads the cache generation once (forum/caching.py).
# /status: BEGIN, the access list, the stories, new replies, reactions, events, the mark.
STATUS = 8
# /account: BEGIN, session, account, warnings, the header count, own news (replies,
# reactions, events, titles), the follows with their new replies, and the two marks.
ACCOUNT = 12
HOME_SIGNED_IN = 8  # "/" for an account, with the header count (one statement)


def _busy_story(keeper: User, n: int, author: User | None = None) -> Story:
    """A published story with replies, reactions and moderator events since any mark."""
    story = make_story(title=f"Story {n}", author=author)
    request_changes(keeper, story.id, "Please take out the town's name.")
    approve_story(keeper, story.id)
    for r in range(4):
        db.session.add(
            Reply(
                story_id=story.id,
                body=f"Reply {r}",
                body_html=f"<p>Reply {r}</p>",
                alias=f"Reader {r}",
                form_token_hash=secrets.token_hex(32),
                status=Status.PUBLISHED,
                published_at=story.published_at,
            )
        )
    for kind in ReactionKind:
        db.session.add(Reaction(story_id=story.id, kind=kind, actor_key=f"c:{n}:{kind.value}"))
    db.session.commit()
    return story


def _add(app, first: int, count: int, follower: str | None = None) -> list[int]:
    with app.app_context():
        keeper = db.session.query(User).filter_by(handle="keeper").one()
        author = db.session.query(User).filter_by(handle="marten").one()
        heron = db.session.query(User).filter_by(handle="heron").one()
        ids = []
        for n in range(first, first + count):
            ids.append(_busy_story(keeper, n, author=author if n % 2 else None).id)
            followed = _busy_story(keeper, 1000 + n)
            since = followed.submitted_at
            db.session.add(StoryFollow(user_id=heron.id, story_id=followed.id, seen_until=since))
        db.session.commit()
        return ids


def _statements(app, client, url: str) -> int:
    """Statements for url with the readers' cache empty, so that every count is comparable."""
    with app.app_context():
        cache.clear()
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _setup(app) -> None:
    with app.app_context():
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("marten")
        make_user("heron")


def test_the_status_page_is_bounded_however_much_is_new(app):
    _setup(app)
    few = _add(app, 0, 1)
    small = app.test_client()
    hold_stories(app, small, *few)
    many = _add(app, 1, 10)
    large = app.test_client()
    hold_stories(app, large, *(few + many))
    app.test_client().get("/")  # the first request of the day makes the day's client-key secret
    small_count = _statements(app, small, "/status")
    large_count = _statements(app, large, "/status")
    print("\n/status statements (1 story → 11 stories with news):", small_count, large_count)
    assert large_count == small_count <= STATUS


def test_the_account_page_and_header_are_bounded_however_much_is_new(app):
    _setup(app)
    _add(app, 1, 1)  # odd numbers are marten's stories
    marten, heron = client_as(app, "marten"), client_as(app, "heron")
    small = {"marten": _statements(app, marten, "/account")}
    small["heron"] = _statements(app, heron, "/account")
    _add(app, 2, 12)
    # Everything is new again: the new stories' news was never seen.
    large = {"marten": _statements(app, marten, "/account")}
    large["heron"] = _statements(app, heron, "/account")
    home = [_statements(app, heron, "/"), _statements(app, marten, "/")]
    print("\n/account statements (small → large):", small, large, "home:", home)
    for who in ("marten", "heron"):
        assert large[who] == small[who] <= ACCOUNT, who
    assert max(home) <= HOME_SIGNED_IN


def test_the_story_page_asks_once_whether_a_member_follows(app):
    _setup(app)
    ids = _add(app, 0, 1)
    heron = client_as(app, "heron")
    url = f"/stories/{ids[0]}"
    app.test_client().get("/")
    before = _statements(app, heron, url)
    with app.app_context():
        heron_id = db.session.query(User).filter_by(handle="heron").one().id
        db.session.add(StoryFollow(user_id=heron_id, story_id=ids[0]))
        db.session.commit()
    _add(app, 1, 5)  # more follows, none of them this story
    html = heron.get(url).get_data(as_text=True)
    assert "Unfollow this story" in html
    after = _statements(app, heron, url)
    print("\nstory page statements for a member (not following → following):", before, after)
    assert after == before
