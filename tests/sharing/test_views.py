"""Sharing over HTTP: compose, check, preview, submit, the status page and the teller's actions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db
from forum.moderation.services import request_changes
from forum.stories.models import Status, Story
from forum.stories.services import submit_story
from tests.conftest import make_test_app
from tests.factories import PASSWORD, load_tags, make_draft, make_user
from tests.sharing.flow import (
    carry,
    hidden_fields,
    main_of,
    sent_code,
    share,
    start,
    step,
    story_count,
    valid_story,
)
from tests.web import csrf_token, post_form, sign_in

FORM_TOKEN = "a-form-token-of-thirty-two-chars"


@pytest.fixture
def tags(app):
    """The starting taxonomy."""
    with app.app_context():
        load_tags()


def _story(app, story_id: int) -> Story | None:
    with app.app_context():
        story = db.session.get(Story, story_id)
        if story is not None:
            db.session.expunge(story)
        return story


def _only_story(app) -> Story:
    with app.app_context():
        story = db.session.scalar(select(Story))
        db.session.expunge(story)
        return story


# --- Compose ---------------------------------------------------------------------------------


def test_share_is_a_plain_form_with_the_anonymity_explainer_first(client, tags):
    html = client.get("/share").get_data(as_text=True)
    main = main_of(html)
    assert '<form method="post" action="/share" enctype="multipart/form-data" novalidate>' in main
    explainer = main.index("What happens to what you write")
    assert explainer < main.index("<form")
    for words in ("moderator", "Nothing is public until", 'href="/privacy"', 'href="/guidelines"'):
        assert words in main
    assert 'type="email"' not in main and 'name="email"' not in main
    assert "maxlength" not in main  # a browser limit would silently cut a pasted story
    # Every harm group has its own fieldset, each tag its description as a hint.
    assert main.count('<fieldset class="fieldset" aria-describedby="harm_tags-hint') == 4
    assert "Spoken to harshly, abused, taken advantage of" in main
    assert 'name="impact-not-heard"' in main
    assert "Questions that might help you write" in main
    assert 'name="show_handle"' not in main  # only offered when signed in


def test_each_compose_session_gets_its_own_form_token(client, tags):
    assert start(client)["form_token"] != start(client)["form_token"]
    assert len(start(client)["form_token"]) >= 40


def test_compose_errors_follow_gov_uk_and_keep_every_value(client, tags):
    long_body = "I kept going back, week after week. " * 600  # about 21,000 characters
    response = step(
        client,
        "check",
        {
            "kind": "experience",
            "title": "",
            "body": long_body,
            "harm_tags": ["not-heard", "no-progress"],
            "impact-no-progress": "4",
            "practice_tags": ["peer-support-group"],
            "content_notes": ["bereavement"],
            "answer_affected": "I stopped sleeping.",
            "therapy_kind": "CBT",
            "setting": "online-or-app",
            "roughly_when": "2019",
            "problem_kind": "poor-quality",
            "helped_instead": "My running group.",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert '<a href="#title">Enter a title</a>' in html
    assert '<span class="visually-hidden">Error: </span>Enter a title' in html
    assert long_body.strip() in html
    for value in ("not-heard", "no-progress", "peer-support-group", "bereavement"):
        assert re.search(rf'checked[^>]*value="{value}"', html), value
    assert re.search(r'<option value="4" selected>', html)
    assert re.search(r'checked[^>]*value="online-or-app"', html)
    assert re.search(r'checked[^>]*value="poor-quality"', html)
    assert "I stopped sleeping." in html
    assert 'value="CBT"' in html and 'value="2019"' in html
    assert "My running group." in html
    assert '<details class="prompts" open>' in html  # an answered question stays in view


def test_a_long_story_in_any_script_fits_in_one_post(client, tags):
    # Multipart sends text as UTF-8; URL-encoding would triple each byte and hit the size limit.
    body = "Мене не чули. " * 2100  # about 29,000 characters, 54 KB as UTF-8
    data = {**start(client), **valid_story(body=body), "action": "preview"}
    response = client.post("/share", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "<h1>Check your story</h1>" in response.get_data(as_text=True)


def test_a_missing_harm_tag_is_shown_on_the_harm_fieldset(client, tags):
    response = step(client, "check", valid_story(harm_tags=[]))
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert '<a href="#harm_tags-0">Choose at least one thing that went wrong</a>' in html
    harm = html[html.index('id="harm-tags-title"') :]
    assert harm.index('id="harm_tags-error"') < harm.index("<fieldset")
    assert 'aria-describedby="harm_tags-hint harm_tags-error"' in html
    assert 'value="Nobody listened"' in html


def test_a_missing_practice_tag_is_shown_on_the_practice_fieldset(client, tags):
    response = step(client, "check", valid_story(kind="practice", harm_tags=[]))
    html = response.get_data(as_text=True)
    assert '<a href="#practice_tags-0">Choose at least one thing that helped</a>' in html
    assert 'aria-describedby="practice_tags-hint practice_tags-error"' in html


def test_a_practice_story_with_only_a_practice_tag_reaches_preview(client, tags):
    response = step(
        client,
        "check",
        valid_story(
            kind="practice",
            harm_tags=[],
            practice_tags=["peer-support-group"],
            body="A weekly walking group helped me more than anything.",
        ),
    )
    html = response.get_data(as_text=True)
    assert "<h1>Check your story</h1>" in html
    assert "What helped" in html
    assert '<span class="tag">Peer support group</span>' in html


def test_unknown_tags_are_refused_kindly(client, tags):
    response = step(client, "check", valid_story(harm_tags=["not-heard", "<b>made-up</b>"]))
    html = response.get_data(as_text=True)
    assert "Choose from the list" in html
    assert "<b>made-up</b>" not in html


# --- Check ------------------------------------------------------------------------------------


def test_identifiers_bring_the_check_page_quoting_each_one(client, tags):
    body = "Write to me at sam.jones@example.com or ring 07700 900123. Dr Hargreaves said no."
    response = step(client, "check", valid_story(body=body))
    html = main_of(response.get_data(as_text=True))
    assert "<h1>Check before you share</h1>" in html
    for quoted in ("sam.jones@example.com", "07700 900123", "Dr Hargreaves"):
        assert f"<q>{quoted}</q>" in html
    assert "An email address can identify you" in html
    assert "Moderators will also check your story" in html
    assert 'value="edit">Edit my story</button>' in html
    assert 'value="preview">Continue</button>' in html
    assert "If you are thinking about ending your life" not in html


def test_edit_on_the_check_page_goes_back_with_everything_kept(client, tags):
    body = "Email me at sam@example.com.\n\nSecond paragraph."
    check = step(client, "check", valid_story(body=body, content_notes=["abuse"]))
    response = carry(client, check, "edit")
    html = response.get_data(as_text=True)
    assert "<h1>Share your story</h1>" in html
    assert "<title>Error" not in html
    assert "Second paragraph." in html
    assert re.search(r'checked[^>]*value="abuse"', html)
    assert re.search(r'checked[^>]*value="not-heard"', html)


def test_continue_on_the_check_page_reaches_preview(client, tags):
    check = step(client, "check", valid_story(body="Ring me on 07700 900123."))
    response = carry(client, check, "preview")
    assert "<h1>Check your story</h1>" in response.get_data(as_text=True)


def test_crisis_language_brings_a_calm_interstitial_first_that_never_blocks(app, client, tags):
    body = "Some nights I want to end my life. Dr Hargreaves never asked."
    check = step(client, "check", valid_story(body=body))
    html = main_of(check.get_data(as_text=True))
    panel = html.index("If you are thinking about ending your life or you are in danger now")
    assert panel < html.index("<q>Dr Hargreaves</q>")
    for line in ("Samaritans", "Call 116 123", "Call 988", "Lifeline Australia", "999"):
        assert line in html
    assert 'href="/help"' in html
    assert "cannot respond to emergencies" in html
    preview = carry(client, check, "preview")
    assert "<h1>Check your story</h1>" in preview.get_data(as_text=True)
    assert carry(client, preview, "submit").status_code == 303
    assert story_count(app) == 1
    assert _only_story(app).crisis_flagged


def test_the_interstitial_lists_the_readers_own_region_in_full(client, tags):
    client.get("/help?region=GB")
    html = step(client, "check", valid_story(body="I want to kill myself.")).get_data(as_text=True)
    assert "Text SHOUT to 85258" in html
    assert "Call 988" not in html


# --- Preview ------------------------------------------------------------------------------------


def test_preview_renders_sanitised_markdown_and_tags(client, tags):
    body = "**Bold** words.\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1))"
    response = step(
        client,
        "preview",
        valid_story(
            body=body,
            harm_tags=["not-heard", "got-worse"],
            **{"impact-got-worse": "3"},
            practice_tags=["nature"],
            therapy_kind="CBT",
            setting="public-health",
        ),
    )
    main = main_of(response.get_data(as_text=True))
    assert "<strong>Bold</strong>" in main
    assert "<script" not in main
    assert 'href="javascript' not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "Not heard" in main and "Got worse" in main and "3 – a lot" in main
    assert "Public health service" in main
    assert 'value="submit">Submit for review</button>' in main
    assert 'value="edit">Change</button>' in main


def test_content_notes_wrap_the_preview_body_in_a_closed_details(client, tags):
    response = step(client, "preview", valid_story(content_notes=["abuse", "bereavement"]))
    main = main_of(response.get_data(as_text=True))
    details = main[main.index('<details class="content-note">') :]
    assert details.index("<summary>Content note: Abuse or violence, Death or bereavement")
    assert details.index("<strong>nobody</strong>") < details.index("</details>")
    assert '<details class="content-note" open' not in main


def test_nothing_is_stored_before_submit(app, client, tags):
    check = step(client, "check", valid_story(body="Email me: sam@example.com"))
    preview = carry(client, check, "preview")
    carry(client, preview, "edit")
    assert preview.status_code == 200
    assert story_count(app) == 0


# --- Submit --------------------------------------------------------------------------------


def test_submit_redirects_and_shows_the_status_code_once(app, client, tags):
    response = share(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/share/sent"
    page = client.get("/share/sent").get_data(as_text=True)
    code = re.search(r'<code id="status-code">([^<]+)</code>', page)[1]
    assert re.fullmatch(r"[0-9a-z]{4}(?:-[0-9a-z]{4}){6}", code), code  # 140 bits, grouped
    assert "Keep this code safe" in page and "cannot show it again" in page
    assert "usually" in page and "within a few days" in page
    assert "cannot respond to emergencies" in page
    assert 'href="/help"' in page
    again = client.get("/share/sent")
    assert again.status_code == 303 and again.headers["Location"] == "/status"
    story = _only_story(app)
    assert story.status is Status.PENDING and story.author_id is None
    assert code not in story.status_token_hash


def test_the_status_code_never_appears_in_a_url(app, client, tags):
    locations = []
    preview = step(client, "preview", valid_story())
    submit = carry(client, preview, "submit")
    locations.append(submit.headers["Location"])
    sent = client.get(submit.headers["Location"])
    code = re.search(r'<code id="status-code">([^<]+)</code>', sent.get_data(as_text=True))[1]
    opened = post_form(client, "/status", {"code": code})
    locations.append(opened.headers["Location"])
    status = client.get("/status").get_data(as_text=True)
    assert all(code not in location for location in locations)
    for html in (sent.get_data(as_text=True), status):
        for url in re.findall(r'(?:href|action|src)="([^"]*)"', html):
            assert code not in url


def test_a_double_submit_makes_one_story_and_shows_the_same_code(app, client, tags):
    preview = step(client, "preview", valid_story())
    first = carry(client, preview, "submit")
    first_code = sent_code(client)
    second = carry(client, preview, "submit")
    second_code = sent_code(client)
    assert first.status_code == second.status_code == 303
    assert first_code and first_code == second_code
    assert story_count(app) == 1


def test_submitting_grants_this_browser_the_story(app, client, tags):
    share(client)
    html = client.get("/status").get_data(as_text=True)
    assert "Nobody listened" in html
    assert "Waiting for a moderator" in html
    story = _only_story(app)
    assert story.submitted_at.strftime("%B %Y") in html
    assert f'href="/status/{story.id}/edit"' in html


def test_a_missing_csrf_token_keeps_the_story(app, client, tags):
    data = {**valid_story(body="Every word of this matters to me."), "action": "submit"}
    response = client.post("/share", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every word of this matters to me." in html
    assert "Everything you wrote is still here" in html
    assert story_count(app) == 0


def test_an_expired_csrf_token_keeps_the_story(app, client, tags, monkeypatch):
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) - 7200
    )
    preview = step(client, "preview", valid_story(body="Written slowly over an evening."))
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", real)
    response = carry(client, preview, "submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Everything you wrote is still here" in html
    assert "Written slowly over an evening." in html
    assert re.search(r'checked[^>]*value="not-heard"', html)
    assert story_count(app) == 0
    # Sending it again with the fresh form works.
    fields = [(k, v) for k, v in hidden_fields(html) if k != "action"]
    form = {k: v for k, v in fields}
    resend = client.post(
        "/share",
        data={**valid_story(body="Written slowly over an evening."), **form, "action": "submit"},
    )
    assert resend.status_code == 303
    assert story_count(app) == 1


def test_too_many_submits_keep_the_story_on_the_page(app, database_uri, tags):
    limited = make_test_app(database_uri, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX="share")
    client = limited.test_client()
    statuses = []
    for n in range(11):
        tokens = start(client)
        response = step(client, "submit", valid_story(title=f"Story {n}"), tokens)
        statuses.append(response.status_code)
    assert statuses[:10] == [303] * 10
    assert statuses[10] == 429
    html = response.get_data(as_text=True)
    assert "Everything you wrote is still here" in html
    assert 'value="Story 10"' in html
    assert story_count(app) == 10


# --- Signed-in tellers -------------------------------------------------------------------------


def test_a_signed_in_teller_follows_stories_under_my_stories(app, client, tags):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    assert 'name="show_handle"' in client.get("/share").get_data(as_text=True)
    preview = step(client, "preview", valid_story(show_handle="handle"))
    assert "By heron" in preview.get_data(as_text=True)
    carry(client, preview, "submit")
    sent = client.get("/share/sent").get_data(as_text=True)
    assert '<code id="status-code">' not in sent
    assert 'href="/account/stories"' in sent
    assert 'href="/account/stories"' in client.get("/account").get_data(as_text=True)
    mine = client.get("/account/stories").get_data(as_text=True)
    story = _only_story(app)
    assert "Nobody listened" in mine and "Waiting for a moderator" in mine
    assert f'href="/status/{story.id}/withdraw"' in mine
    assert story.show_handle and story.author_id is not None


def test_my_stories_needs_sign_in(client):
    response = client.get("/account/stories")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_another_account_cannot_act_on_a_story(app, client, tags):
    with app.app_context():
        make_user("heron")
        make_user("egret")
    sign_in(client, "heron", PASSWORD)
    share(client)
    story_id = _only_story(app).id
    other = app.test_client()
    sign_in(other, "egret", PASSWORD)
    assert "Nobody listened" not in other.get("/account/stories").get_data(as_text=True)
    assert other.get(f"/status/{story_id}/edit").status_code == 404
    for action in ("withdraw", "erase"):
        response = post_form(other, f"/status/{story_id}/{action}", {}, page="/status")
        assert response.status_code == 404
    assert _story(app, story_id).status is Status.PENDING


# --- The status page ---------------------------------------------------------------------------


def _submitted_with_code(app, **fields) -> tuple[int, str]:
    with app.app_context():
        sent = submit_story(None, make_draft(**fields), FORM_TOKEN)
        return sent.story.id, sent.status_token


@pytest.mark.parametrize("code", ["not-a-real-code", "x" * 43, "' OR 1=1 --", "x" * 199])
def test_a_wrong_status_code_gets_one_uniform_error_and_is_kept(client, tags, code):
    response = post_form(client, "/status", {"code": code})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#code">That status code was not recognised.</a>' in html
    assert f'value="{code}"'.replace("'", "&#39;") in html
    assert 'autocomplete="off"' in html


def test_the_right_status_code_shows_the_story_and_a_moderators_message(app, client, tags):
    story_id, code = _submitted_with_code(app)
    with app.app_context():
        moderator = make_user("keeper", role=Role.MODERATOR)
        request_changes(moderator, story_id, "Please take out the name of the town.")
    response = post_form(client, "/status", {"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/status"
    html = client.get("/status").get_data(as_text=True)
    assert "Nobody listened" in html
    assert "A moderator has asked for changes" in html
    assert "Please take out the name of the town." in html
    assert f'href="/status/{story_id}/edit"' in html


def test_a_published_story_links_to_its_page_and_can_no_longer_be_edited(app, client, tags):
    story_id, code = _submitted_with_code(app)
    with app.app_context():
        story = db.session.get(Story, story_id)
        story.status = Status.PUBLISHED
        db.session.commit()
    post_form(client, "/status", {"code": code})
    html = client.get("/status").get_data(as_text=True)
    assert f'href="/stories/{story_id}"' in html
    assert f'href="/status/{story_id}/edit"' not in html
    response = client.get(f"/status/{story_id}/edit")
    assert response.status_code == 409
    assert "can no longer be edited" in response.get_data(as_text=True)
    token = csrf_token(client, "/status")
    client.post(
        f"/status/{story_id}/edit", data={"csrf_token": token, **valid_story(title="Changed")}
    )
    assert _story(app, story_id).title == "Nobody listened"


def test_editing_a_story_in_review_sends_it_back_to_the_moderators(app, client, tags):
    story_id, code = _submitted_with_code(app, content_notes=["abuse"])
    with app.app_context():
        moderator = make_user("keeper", role=Role.MODERATOR)
        request_changes(moderator, story_id, "Please take out the town.")
    post_form(client, "/status", {"code": code})
    page = client.get(f"/status/{story_id}/edit").get_data(as_text=True)
    assert 'value="Nobody listened"' in page
    assert re.search(r'checked[^>]*value="abuse"', page)
    assert "Please take out the town." in page
    response = post_form(
        client,
        f"/status/{story_id}/edit",
        valid_story(title="Nobody listened to me", harm_tags=["not-heard", "invalidated"]),
    )
    assert response.status_code == 303 and response.headers["Location"] == "/status"
    story = _story(app, story_id)
    assert story.title == "Nobody listened to me"
    assert story.status is Status.PENDING
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert [tag.slug for tag in story.harm_tags] == ["not-heard", "invalidated"]


def test_edit_errors_keep_what_was_typed(app, client, tags):
    story_id, code = _submitted_with_code(app)
    post_form(client, "/status", {"code": code})
    response = post_form(client, f"/status/{story_id}/edit", valid_story(title="", body="New."))
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "New." in html
    assert _story(app, story_id).body.startswith("For two years")


def test_withdraw_asks_first_then_needs_a_post_with_csrf(app, client, tags):
    story_id, code = _submitted_with_code(app)
    post_form(client, "/status", {"code": code})
    confirm = client.get(f"/status/{story_id}/withdraw")
    assert confirm.status_code == 200
    assert "Yes, withdraw my story" in confirm.get_data(as_text=True)
    assert _story(app, story_id).status is Status.PENDING
    assert client.post(f"/status/{story_id}/withdraw").status_code == 400
    assert _story(app, story_id).status is Status.PENDING
    response = post_form(client, f"/status/{story_id}/withdraw", {})
    assert response.status_code == 303
    assert _story(app, story_id).status is Status.WITHDRAWN
    html = client.get("/status").get_data(as_text=True)
    assert "Withdrawn by you" in html
    assert f'href="/status/{story_id}/withdraw"' not in html


def test_erase_asks_first_then_deletes_for_good(app, client, tags):
    story_id, code = _submitted_with_code(app)
    post_form(client, "/status", {"code": code})
    confirm = client.get(f"/status/{story_id}/erase").get_data(as_text=True)
    assert "permanently" in confirm and "every reply" in confirm
    assert client.post(f"/status/{story_id}/erase").status_code == 400
    assert _story(app, story_id) is not None
    response = post_form(client, f"/status/{story_id}/erase", {})
    assert response.status_code == 303
    assert _story(app, story_id) is None
    assert "Nobody listened" not in client.get("/status").get_data(as_text=True)


def test_another_browser_without_the_code_gets_404(app, client, tags):
    story_id, _code = _submitted_with_code(app)
    assert client.get(f"/status/{story_id}/edit").status_code == 404
    assert client.get(f"/status/{story_id}/withdraw").status_code == 404
    for action in ("edit", "withdraw", "erase"):
        response = post_form(client, f"/status/{story_id}/{action}", valid_story(), page="/status")
        assert response.status_code == 404
    assert _story(app, story_id).status is Status.PENDING
    assert "Nobody listened" not in client.get("/status").get_data(as_text=True)


def test_forget_this_browser(app, client, tags):
    story_id, code = _submitted_with_code(app)
    post_form(client, "/status", {"code": code})
    assert client.post("/status/forget").status_code == 400
    response = post_form(client, "/status/forget", {}, page="/status")
    assert response.status_code == 303
    assert "Nobody listened" not in client.get("/status").get_data(as_text=True)
    assert client.get(f"/status/{story_id}/edit").status_code == 404
    assert client.get("/status/forget").status_code == 405


def test_status_code_lookups_are_rate_limited(app, database_uri, tags):
    limited = make_test_app(database_uri, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX="code")
    client = limited.test_client()
    token = csrf_token(client, "/status")
    statuses = [
        client.post("/status", data={"csrf_token": token, "code": f"guess-{n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
