"""Following a story, over HTTP on both engines: follow and unfollow from the story page and
the account page, new replies on the account page once, hidden and erased stories, account
deletion and export, and nobody shown who follows."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.db import db
from forum.following.models import StoryFollow
from forum.stories import lifecycle
from forum.stories.models import Status, Story
from tests.factories import PASSWORD, make_story
from tests.following.web import following_of, news_of, reply_and_approve, seed, story_version
from tests.moderation.web import act, client_as, post
from tests.web import hold_stories, post_form

NOTHING = "Nothing new since your last visit."


def _follows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoryFollow))


def _follow(client, story_id: int, back: str = ""):
    return post(client, f"/stories/{story_id}/follow", {"back": back} if back else {})


def test_follow_from_the_story_page_then_unfollow_there(app):
    story_id = seed(app)
    heron = client_as(app, "heron")
    page = heron.get(f"/stories/{story_id}").get_data(as_text=True)
    assert "Follow this story" in page
    assert f'action="/stories/{story_id}/follow"' in page

    response = _follow(heron, story_id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/stories/{story_id}#follow")
    page = heron.get(f"/stories/{story_id}").get_data(as_text=True)
    assert "You are following this story." in page
    assert "Unfollow this story" in page
    assert _follows(app) == 1

    assert post(heron, f"/stories/{story_id}/unfollow").status_code == 303
    assert "Follow this story" in heron.get(f"/stories/{story_id}").get_data(as_text=True)
    assert _follows(app) == 0


def test_a_followed_storys_new_reply_shows_on_the_account_page_once(app):
    story_id = seed(app)
    heron = client_as(app, "heron")
    _follow(heron, story_id)
    listed = following_of(heron.get("/account").get_data(as_text=True))
    assert "Nobody listened to me" in listed
    assert NOTHING in listed

    reply_id = reply_and_approve(app, story_id)
    assert '(1<span class="visually-hidden"> story with news' in heron.get("/").get_data(
        as_text=True
    )
    html = heron.get("/account").get_data(as_text=True)
    assert "1 story you follow has new replies" in news_of(html)
    listed = following_of(html)
    assert "1 new reply since you last looked" in listed
    assert f"#reply-{reply_id}" in listed

    listed = following_of(heron.get("/account").get_data(as_text=True))
    assert NOTHING in listed
    assert "new reply" not in listed
    assert "with news" not in heron.get("/").get_data(as_text=True)


def test_the_followers_own_reply_is_not_news_to_them(app):
    story_id = seed(app)
    wren = client_as(app, "wren")
    _follow(wren, story_id)
    reply_and_approve(app, story_id)  # wren's own reply
    assert NOTHING in following_of(wren.get("/account").get_data(as_text=True))


def test_unfollow_from_the_account_page_goes_back_there(app):
    story_id = seed(app)
    heron = client_as(app, "heron")
    _follow(heron, story_id)
    html = heron.get("/account").get_data(as_text=True)
    assert f'action="/stories/{story_id}/unfollow"' in following_of(html)
    response = post(heron, f"/stories/{story_id}/unfollow", {"back": "account"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account#following")
    listed = following_of(heron.get("/account").get_data(as_text=True))
    assert "You are not following any stories." in listed


def test_only_members_follow_and_only_published_stories(app, client):
    story_id = seed(app)
    assert "Follow this story" not in client.get(f"/stories/{story_id}").get_data(as_text=True)
    response = post(client, f"/stories/{story_id}/follow")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    with app.app_context():
        pending_id = make_story(title="Not yet published").id
    heron = client_as(app, "heron")
    assert _follow(heron, pending_id).status_code == 404
    assert client.post(f"/stories/{story_id}/follow").status_code in (302, 400)
    assert heron.post(f"/stories/{story_id}/follow").status_code == 400  # no CSRF token
    assert _follows(app) == 0


def test_no_follow_control_on_ones_own_story(app):
    story_id = seed(app, author="marten")
    marten = client_as(app, "marten")
    assert "Follow this story" not in marten.get(f"/stories/{story_id}").get_data(as_text=True)
    assert _follow(marten, story_id).status_code == 303  # refused kindly, stored nothing
    assert _follows(app) == 0
    heron = client_as(app, "heron")
    hold_stories(app, heron, story_id)  # this browser holds the story's code
    assert "Follow this story" not in heron.get(f"/stories/{story_id}").get_data(as_text=True)
    assert _follow(heron, story_id).status_code == 303  # refused: it would tie heron to it
    assert _follows(app) == 0


def test_nobody_is_shown_who_or_how_many_follow(app):
    story_id = seed(app, author="marten")
    for who in ("heron", "wren"):
        _follow(client_as(app, who), story_id)
    assert _follows(app) == 2
    marten = client_as(app, "marten")
    for url in (f"/stories/{story_id}", "/account", "/account/stories"):
        html = marten.get(url).get_data(as_text=True).lower()
        assert "follower" not in html
        assert "heron" not in html and "wren" not in html
    reader = app.test_client().get(f"/stories/{story_id}").get_data(as_text=True).lower()
    assert "follower" not in reader and "follow this story" not in reader


def test_a_hidden_story_leaves_the_list_and_an_erased_one_leaves_no_follow(app):
    story_id = seed(app)
    heron = client_as(app, "heron")
    _follow(heron, story_id)
    keeper = client_as(app, "keeper")
    version = story_version(app, story_id)
    assert act(keeper, "story", story_id, "hide", version, reason="Unkind").status_code == 303
    listed = following_of(heron.get("/account").get_data(as_text=True))
    assert "Nobody listened to me" not in listed
    assert "with news" not in heron.get("/").get_data(as_text=True)
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status is Status.REMOVED
        lifecycle.erase_story(story)
        db.session.commit()
    assert _follows(app) == 0


def test_export_lists_follows_and_deleting_the_account_deletes_them(app):
    story_id = seed(app)
    heron = client_as(app, "heron")
    _follow(heron, story_id)
    response = post_form(heron, "/account/export", {"password": PASSWORD})
    assert [f["story_id"] for f in response.get_json()["stories_you_follow"]] == [story_id]
    response = post_form(heron, "/account/delete", {"password": PASSWORD, "posts": "keep"})
    assert response.status_code == 303
    assert _follows(app) == 0
