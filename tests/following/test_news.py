"""What happened since the teller last looked, over HTTP on both engines: the status page (a
status code's holder) and the account page (a member who sent the story), each shown once."""

from __future__ import annotations

from sqlalchemy import select

from forum.db import db
from forum.following.models import StoryLastSeen
from forum.moderation import reports
from forum.stories.models import Reply, Status, Story
from tests.factories import PASSWORD, make_story
from tests.following.web import news_of, reply_and_approve, seed, story_version
from tests.moderation.web import act, client_as, post
from tests.web import hold_stories, sign_in

NOTHING = "Nothing new since your last visit."


def _teller(app, story_id: int):
    """A browser that opened the story with its status code."""
    client = app.test_client()
    hold_stories(app, client, story_id)
    return client


def _status_news(client) -> str:
    response = client.get("/status")
    assert response.status_code == 200
    return news_of(response.get_data(as_text=True))


def test_an_approved_reply_shows_on_the_status_page_once(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    assert "Your story was published." in _status_news(teller)  # the first look
    assert NOTHING in _status_news(teller)

    reply_id = reply_and_approve(app, story_id)
    news = _status_news(teller)
    assert "1 new reply since you last looked" in news
    assert f"#reply-{reply_id}" in news
    assert NOTHING not in news
    assert NOTHING in _status_news(teller)  # the next visit: already seen


def test_the_reply_link_opens_the_page_with_that_reply(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    teller.get("/status")
    with app.app_context():
        for n in range(25):  # more than a page of replies before the new one
            reply = Reply(
                story_id=story_id,
                body=f"Earlier {n}",
                body_html=f"<p>Earlier {n}</p>",
                alias=f"Reader {n}",
                form_token_hash=f"{n:064d}",
                status=Status.PUBLISHED,
                published_at=db.session.get(Story, story_id).published_at,
            )
            db.session.add(reply)
        db.session.commit()
    teller.get("/status")  # the old replies were published before the last look: not news
    reply_id = reply_and_approve(app, story_id)
    news = _status_news(teller)
    assert "1 new reply since you last looked" in news
    link = news.split('href="')[1].split('"')[0].replace("&amp;", "&")
    page = teller.get(link).get_data(as_text=True)
    assert f'id="reply-{reply_id}"' in page


def test_replies_are_counted_and_still_pending_ones_are_not(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    teller.get("/status")
    reply_and_approve(app, story_id, "You are not alone in this.")
    reply_and_approve(app, story_id, "Thank you for writing it down.")
    waiting = {"body": "Still waiting for a moderator.", "form_token": "pending-reply-abcdefghijk"}
    assert post(client_as(app, "heron"), f"/stories/{story_id}/replies", waiting).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Reply.status).where(Reply.body == waiting["body"])) is (
            Status.PENDING
        )
    assert "2 new replies since you last looked" in _status_news(teller)


def test_the_tellers_own_reply_in_their_thread_is_not_news(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    teller.get("/status")
    response = post(
        teller,
        f"/stories/{story_id}/replies",
        {"body": "Thank you all.", "form_token": "teller-reply-token-abcdefghijkl"},
    )
    assert response.status_code == 303
    with app.app_context():
        reply = db.session.scalar(select(Reply))
        reply_id, version = reply.id, reply.version
    assert act(client_as(app, "keeper"), "reply", reply_id, "approve", version).status_code == 303
    assert NOTHING in _status_news(teller)


def test_reactions_since_the_last_look_are_counted_by_kind(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    teller.get("/status")
    for who in ("heron", "wren"):
        client = client_as(app, who)
        assert post(client, f"/stories/{story_id}/reactions", {"kind": "me-too"}).status_code == 303
    post(client_as(app, "heron"), f"/stories/{story_id}/reactions", {"kind": "hear"})
    news = _status_news(teller)
    assert "2 more people said “Me too”" in news
    assert "1 more person said “I hear you”" in news
    assert f"/stories/{story_id}#support" in news
    assert NOTHING in _status_news(teller)


def test_a_request_for_changes_shows_with_the_moderators_message(app):
    seed(app)
    with app.app_context():
        story_id = make_story(title="Still in review").id
    teller = _teller(app, story_id)
    teller.get("/status")
    keeper = client_as(app, "keeper")
    version = story_version(app, story_id)
    message = "Please take out the name of the clinic, then send it again."
    response = act(keeper, "story", story_id, "request_changes", version, reason=message)
    assert response.status_code == 303
    news = _status_news(teller)
    assert "A moderator has asked for changes." in news
    assert message in news
    assert f"/status#story-{story_id}" in news
    assert NOTHING in _status_news(teller)


def test_a_report_outcome_and_a_rejection_reason_show(app):
    story_id = seed(app)
    with app.app_context():
        reports.file_report(None, "c:1:reader", "story", story_id, "unkind")
        pending_id = make_story(title="Another one").id
    teller = _teller(app, story_id)
    hold_stories(app, teller, pending_id)
    teller.get("/status")
    keeper = client_as(app, "keeper")
    version = story_version(app, story_id)
    reason = "The report was about the therapist, not anyone here."
    response = act(keeper, "story", story_id, "dismiss_reports", version, reason=reason)
    assert response.status_code == 303
    why = "It names a person who could be recognised."
    version = story_version(app, pending_id)
    assert act(keeper, "story", pending_id, "reject", version, reason=why).status_code == 303
    news = _status_news(teller)
    assert "kept it up" in news
    assert reason in news
    assert "A moderator decided not to publish your story." in news
    assert why in news


def test_the_member_tellers_account_page_and_header_show_news_once(app, client):
    story_id = seed(app, author="marten")
    sign_in(client, "marten", PASSWORD)
    assert "Your story was published." in news_of(client.get("/account").get_data(as_text=True))
    reply_id = reply_and_approve(app, story_id)

    home = client.get("/").get_data(as_text=True)
    assert '(1<span class="visually-hidden"> story with news</span>)' in home
    news = news_of(client.get("/account").get_data(as_text=True))
    assert "1 new reply since you last looked" in news
    assert f"#reply-{reply_id}" in news
    assert "(your story)" in news
    assert NOTHING in news_of(client.get("/account").get_data(as_text=True))
    assert "with news" not in client.get("/").get_data(as_text=True)


def test_the_header_count_is_for_accounts_only(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    reply_and_approve(app, story_id)
    assert "with news" not in teller.get("/").get_data(as_text=True)
    assert "with news" not in app.test_client().get("/").get_data(as_text=True)


def test_a_browser_holding_no_story_sees_no_news_section(client, app):
    seed(app)
    html = client.get("/status").get_data(as_text=True)
    assert 'class="since"' not in html


def test_the_mark_is_the_newest_thing_shown_not_the_time_of_the_visit(app):
    story_id = seed(app)
    teller = _teller(app, story_id)
    teller.get("/status")
    reply_id = reply_and_approve(app, story_id)
    teller.get("/status")
    with app.app_context():
        mark = db.session.get(StoryLastSeen, story_id).seen_until
        assert mark == db.session.get(Reply, reply_id).published_at
