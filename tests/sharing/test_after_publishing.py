"""After publishing, over HTTP on each engine: a teller's "What happened next" update and a
proposed edit go through a moderator; the diff is escaped; the search index follows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.db import db, utcnow
from forum.errors import DomainError, NotAllowed
from forum.governance.models import AuditEntry
from forum.stories import changes
from forum.stories.models import ChangeKind, Status, Story, StoryChange
from forum.stories.services import Teller
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.following.web import news_of
from tests.payloads import PAYLOADS
from tests.sharing.flow import main_of
from tests.web import csrf_token, hold_stories, sign_in

FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
OLD_BODY = "The counsellor talked about her garden for most of every session."


@pytest.fixture
def world(app):
    """A published anonymous story, a member's published story and a moderator."""
    with app.app_context():
        load_tags()
        member = make_user("heron")
        make_user("keeper", role=Role.MODERATOR)
        anon = make_story(status=Status.PUBLISHED, title="Nobody listened", body=OLD_BODY)
        mine = make_story(status=Status.PUBLISHED, author=member, title="My own story")
        ids = {"anon": anon.id, "member": mine.id}
        db.session.remove()
    return ids


@pytest.fixture
def teller(app, client, world):
    hold_stories(app, client, world["anon"])
    return client


@pytest.fixture
def moderator(app):
    other = app.test_client()
    sign_in(other, "keeper", PASSWORD)
    return other


def send(client, url: str, **fields):
    """Open a teller's form and post it with its CSRF and one-time tokens."""
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url), "form_token": FORM_TOKEN.search(html)[1]}
    return client.post(url, data={**data, **fields}), data


def change_rows(app, kind: ChangeKind) -> list[StoryChange]:
    with app.app_context():
        rows = list(db.session.scalars(select(StoryChange).where(StoryChange.kind == kind)))
        db.session.expunge_all()
        return rows


def decide(moderator, change_id: int, decision: str, reason: str):
    url = f"/moderation/changes/{change_id}"
    html = moderator.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(moderator, url), "version": VERSION.search(html)[1]}
    return moderator.post(url, data={**data, "decision": decision, "reason": reason})


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return main_of(response.get_data(as_text=True))


# --- Updates ----------------------------------------------------------------------------------


def test_an_update_goes_through_review_and_shows_with_its_month_and_year(
    app, teller, moderator, world
):
    story_id = world["anon"]
    assert "Add what happened next" in text(teller, "/status")
    response, _ = send(teller, f"/status/{story_id}/update", body="I found a **new** therapist.")
    assert response.status_code == 303 and response.location.endswith("/status")
    assert "waiting for a moderator" in text(teller, "/status")
    assert "I found a" not in text(teller, f"/stories/{story_id}")  # not before review

    [update] = change_rows(app, ChangeKind.UPDATE)
    assert "Nobody listened" in text(moderator, "/moderation/changes")
    assert "1 waiting" in text(moderator, "/moderation")
    page = text(moderator, f"/moderation/changes/{update.id}")
    assert "I found a <strong>new</strong> therapist." in page
    refused = decide(moderator, update.id, "accept", "")
    assert refused.status_code == 400 and "Enter a reason" in refused.get_data(as_text=True)
    assert decide(moderator, update.id, "accept", "Thank you for sharing this").status_code == 303

    story_page = text(teller, f"/stories/{story_id}")
    month = utcnow().strftime("%B %Y")
    assert f'Update, <time datetime="{utcnow():%Y-%m}">{month}</time>' in story_page
    assert "I found a <strong>new</strong> therapist." in story_page
    status = text(teller, "/status")
    assert "shown under your story" in status and "Thank you for sharing this" in status
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve_update"))
        assert entry.target_id == update.id and entry.reason == "Thank you for sharing this"


def test_a_declined_update_is_not_shown_and_its_reason_is(app, teller, moderator, world):
    send(teller, f"/status/{world['anon']}/update", body="Something that breaks a rule.")
    [update] = change_rows(app, ChangeKind.UPDATE)
    assert decide(moderator, update.id, "decline", "It names your therapist.").status_code == 303
    assert "Something that breaks" not in text(teller, f"/stories/{world['anon']}")
    status = text(teller, "/status")
    assert "not shown" in status and "It names your therapist." in status


def test_a_double_submit_makes_one_update(app, teller, world):
    url = f"/status/{world['anon']}/update"
    first, data = send(teller, url, body="Things are better now.")
    again = teller.post(url, data={**data, "body": "Things are better now."})
    assert first.status_code == again.status_code == 303
    assert len(change_rows(app, ChangeKind.UPDATE)) == 1


def test_crisis_language_shows_the_calm_check_first_and_keeps_the_words(app, teller, world):
    url = f"/status/{world['anon']}/update"
    words = "Since then I want to end my life most days."
    response, data = send(teller, url, body=words)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You do not have to go through it alone" in html
    assert words in html and 'name="checked" type="hidden" value="1"' in html
    assert change_rows(app, ChangeKind.UPDATE) == []  # nothing stored before they choose
    sent = teller.post(url, data={**data, "body": words, "checked": "1"})
    assert sent.status_code == 303
    [update] = change_rows(app, ChangeKind.UPDATE)
    assert update.crisis_flagged


def test_possible_identifiers_are_shown_before_an_update_is_sent(app, teller, world):
    response, _ = send(teller, f"/status/{world['anon']}/update", body="Call me on 07700 900123.")
    html = response.get_data(as_text=True)
    assert "could identify you or someone else" in html and "<mark>" in html
    assert change_rows(app, ChangeKind.UPDATE) == []


def test_an_empty_update_shows_an_error_summary_and_nobody_else_may_add_one(app, client, world):
    assert client.get(f"/status/{world['anon']}/update").status_code == 404  # not theirs
    hold_stories(app, client, world["anon"])
    response, _ = send(client, f"/status/{world['anon']}/update", body="   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert "Enter what happened next" in html


def test_a_member_adds_an_update_from_their_account(app, client, world):
    sign_in(client, "heron", PASSWORD)
    page = text(client, "/account/stories")
    assert f"/status/{world['member']}/update" in page
    response, _ = send(client, f"/status/{world['member']}/update", body="A year on, I am well.")
    assert response.status_code == 303 and response.location.endswith("/account/stories")
    assert "waiting for a moderator" in text(client, "/account/stories")


# --- Revisions --------------------------------------------------------------------------------


def search(client, words: str) -> str:
    return text(client, f"/stories?q={words}")


def test_a_revision_waits_as_a_diff_and_accepting_replaces_text_and_index(
    app, teller, moderator, world
):
    story_id = world["anon"]
    new_body = "The counsellor talked about lighthouses for most of every session."
    assert "1 story matching" in search(teller, "garden")
    response, _ = send(
        teller, f"/status/{story_id}/revise", title="Nobody listened to me", body=new_body
    )
    assert response.status_code == 303
    assert OLD_BODY in text(teller, f"/stories/{story_id}")  # the published words stay up
    assert "waiting for a moderator" in text(teller, "/status")

    [revision] = change_rows(app, ChangeKind.REVISION)
    page = text(moderator, f"/moderation/changes/{revision.id}")
    assert "<del>her garden</del>" in page and "<ins>lighthouses</ins>" in page
    assert "Nobody listened<ins> to me</ins>" in page or "<ins>to me</ins>" in page
    with app.app_context():
        version = db.session.get(Story, story_id).version
    assert decide(moderator, revision.id, "accept", "Thank you, that reads well").status_code == 303

    story_page = text(teller, f"/stories/{story_id}")
    assert "lighthouses" in story_page and "garden" not in story_page
    assert "Nobody listened to me" in story_page
    assert "1 story matching" in search(teller, "lighthouses")
    assert "1 story matching" not in search(teller, "garden")
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.version == version + 1 and story.body == new_body
        revised = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "revise"))
        assert revised.target_id == story_id
    status = text(teller, "/status")
    assert "accepted" in status and "Thank you, that reads well" in status


def test_declining_a_revision_keeps_the_published_text_and_says_why(app, teller, moderator, world):
    story_id = world["anon"]
    send(teller, f"/status/{story_id}/revise", title="Nobody listened", body="Short now.")
    [revision] = change_rows(app, ChangeKind.REVISION)
    assert (
        decide(moderator, revision.id, "decline", "This removes the heart of it.").status_code
        == 303
    )
    assert OLD_BODY in text(teller, f"/stories/{story_id}")
    assert "1 story matching" in search(teller, "garden")
    status = text(teller, "/status")
    assert "not accepted: your story stays as it was" in status
    assert "This removes the heart of it." in status


def test_decisions_on_updates_and_edits_show_as_news_once(app, teller, moderator, world):
    """Each decision on the teller's update or edit is news on the status page, with the
    moderator's reason where it is a message for them, and not on the next look."""
    story_id = world["anon"]
    teller.get("/status")  # the first look: the story's publication is already seen
    assert "Nothing new since your last visit." in news_of(text(teller, "/status"))
    send(teller, f"/status/{story_id}/update", body="I found a new therapist.")
    send(teller, f"/status/{story_id}/revise", title="Nobody listened", body="Shorter now.")
    [update] = change_rows(app, ChangeKind.UPDATE)
    [revision] = change_rows(app, ChangeKind.REVISION)
    assert decide(moderator, update.id, "decline", "It names your therapist.").status_code == 303
    why = "This removes the heart of it."
    assert decide(moderator, revision.id, "decline", why).status_code == 303
    news = news_of(text(teller, "/status"))
    assert "A moderator decided not to show your update." in news
    assert "It names your therapist." in news
    assert "A moderator kept the published text instead of your edit." in news and why in news
    assert "Nothing new since your last visit." in news_of(text(teller, "/status"))

    send(teller, f"/status/{story_id}/update", body="A second, kinder update.")
    [_, second] = sorted(change_rows(app, ChangeKind.UPDATE), key=lambda row: row.id)
    assert decide(moderator, second.id, "accept", "Thank you for this").status_code == 303
    news = news_of(text(teller, "/status"))
    assert "Your update was approved and shows under your story." in news
    assert "Thank you for this" not in news  # shown beside the update itself, not repeated


def test_a_second_proposal_replaces_the_one_waiting(app, teller, moderator, world):
    url = f"/status/{world['anon']}/revise"
    send(teller, url, title="Nobody listened", body="First try at new words.")
    [first] = change_rows(app, ChangeKind.REVISION)
    page = text(moderator, f"/moderation/changes/{first.id}")  # a moderator has it open
    html = moderator.get(f"/moderation/changes/{first.id}").get_data(as_text=True)
    stale = VERSION.search(html)[1]
    assert "First" in page
    form = text(teller, url)
    assert "already sent an edit that is waiting" in form and "First try at new words." in form
    send(teller, url, title="Nobody listened", body="Second try at new words.")
    [only] = change_rows(app, ChangeKind.REVISION)
    assert only.id == first.id and only.body == "Second try at new words."
    # The moderator who read the first words is stopped, not allowed to accept unseen words.
    response = moderator.post(
        f"/moderation/changes/{first.id}",
        data={
            "csrf_token": csrf_token(moderator, f"/moderation/changes/{first.id}"),
            "version": stale,
            "decision": "accept",
            "reason": "Fine",
        },
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(StoryChange, first.id).status is Status.PENDING


def test_an_unchanged_revision_is_refused_with_the_words_kept(app, teller, world):
    response, _ = send(
        teller, f"/status/{world['anon']}/revise", title="Nobody listened", body=OLD_BODY
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and OLD_BODY in html
    assert change_rows(app, ChangeKind.REVISION) == []


def test_the_diff_page_escapes_what_the_teller_wrote(app, teller, moderator, world):
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> and "quotes" & more'
    send(teller, f"/status/{world['anon']}/revise", title="<b>Title</b>", body=hostile)
    [revision] = change_rows(app, ChangeKind.REVISION)
    page = text(moderator, f"/moderation/changes/{revision.id}")
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>Title" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Title&lt;/b&gt;" in page


def test_only_published_stories_take_updates_and_revisions(app, teller, world):
    with app.app_context():
        db.session.get(Story, world["anon"]).status = Status.WITHDRAWN
        db.session.commit()
    assert teller.get(f"/status/{world['anon']}/update").status_code == 404
    assert teller.get(f"/status/{world['anon']}/revise").status_code == 404


def test_the_moderators_pages_are_for_moderators_only(app, teller, world):
    assert teller.get("/moderation/changes").status_code in (302, 303)
    member = app.test_client()
    sign_in(member, "heron", PASSWORD)
    assert member.get("/moderation/changes").status_code == 403


# --- The attack corpus through the new text fields, at service level --------------------------


def _corpus() -> list[str]:
    lines: list[str] = []
    for name in ("naughty-strings/blns.txt", "xss/XSS_Polyglots.txt", "sqli/SQLi_Polyglots.txt"):
        path = PAYLOADS / name
        if path.is_file():
            found = path.read_text(encoding="utf-8", errors="replace").splitlines()
            lines += [line for line in found if line.strip() and not line.startswith("#")]
    return lines[::5] or ["<script>alert(1)</script>", "' OR 1=1 --", "\u202e", "%00"]


def test_the_attack_corpus_is_stored_as_text_or_refused_never_an_error(app, world):
    corpus = _corpus()
    with app.app_context():
        owner = Teller(story_ids=frozenset({world["anon"]}))
        for i, payload in enumerate(corpus):
            token = f"attack-token-{i:06d}-padding"
            for attempt in ("update", "revision"):
                try:
                    if attempt == "update":
                        sent = changes.add_update(
                            owner, world["anon"], payload, token, checked=True
                        )
                    else:
                        sent = changes.propose_revision(
                            owner, world["anon"], payload[:150], payload, token + "r", checked=True
                        )
                except DomainError:
                    db.session.rollback()
                    continue
                change = sent.change
                assert change is not None and "\x00" not in change.body
                assert "<script" not in change.body_html.lower()
                assert "<img" not in change.body_html.lower()
        assert db.session.scalar(select(func.count(StoryChange.id))) > 0


def test_a_paused_client_cannot_add_an_update_or_an_edit(app, world):
    from forum.moderation import sanctions

    with app.app_context():
        story = db.session.get(Story, world["anon"])
        story.client_key = "k" * 64
        db.session.commit()
        keeper = db.session.scalar(select(User).where(User.role == Role.MODERATOR))
        sanctions.ban_poster(keeper, "story", story.id, 3, "A pause")
        owner = Teller(story_ids=frozenset({story.id}))
        with pytest.raises(NotAllowed):
            changes.add_update(owner, story.id, "More", "t" * 30, client_key="k" * 64)
        with pytest.raises(NotAllowed):
            changes.propose_revision(owner, story.id, "T", "B", "u" * 30, client_key="k" * 64)
        assert db.session.scalar(select(func.count(StoryChange.id))) == 0
