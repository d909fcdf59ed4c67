"""What happened since you last looked, and following a story, in the browser at 390 px: the
status page and the account page with news, and the story page's Follow control, with
JavaScript on and off, light and dark, axe clean and never scrolling sideways."""

from __future__ import annotations

import pytest

from tests.browser import (
    FACTORY_PASSWORD,
    MODERATOR,
    TELLER,
    audit,
    format_violations,
    in_app,
    seed_people,
    serve_stripped,
    sign_in,
    submit,
    user_by_handle,
)

PHONE = {"width": 390, "height": 844}
SIDEWAYS_JS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _seed() -> dict:
    """A story sent with a status code, one by the member marten, one marten follows."""
    import secrets

    from forum.db import db
    from forum.following.models import StoryFollow
    from forum.moderation.services import approve_story, request_changes
    from forum.stories.services import submit_story
    from tests.factories import make_draft, make_story

    seed_people()
    keeper, marten = user_by_handle(MODERATOR), user_by_handle(TELLER)
    sent = submit_story(None, make_draft(title="Sent with a code"), secrets.token_urlsafe(24))
    approve_story(keeper, sent.story.id)
    own = make_story(title="Marten's own story", author=marten)
    request_changes(keeper, own.id, "Please take out the name of the town, then send it again.")
    other = make_story(title="A story marten follows")
    approve_story(keeper, other.id)
    db.session.add(StoryFollow(user_id=marten.id, story_id=other.id))
    db.session.commit()
    return {"code": sent.status_token, "code_story": sent.story.id, "other": other.id}


def _make_news(ids: dict) -> None:
    """One more approved reply and two "Me too"s on the code's story and the followed one:
    the next look at either shows exactly that as new."""
    import secrets

    from forum.db import db
    from forum.stories.models import Reaction, ReactionKind
    from tests.browser import add_reply

    keeper = user_by_handle(MODERATOR)
    for story_id in (ids["code_story"], ids["other"]):
        add_reply(story_id, "I hear you. Thank you for writing this down.", keeper)
        for _ in range(2):
            key = f"c:x:{secrets.token_hex(8)}"
            db.session.add(Reaction(story_id=story_id, kind=ReactionKind.ME_TOO, actor_key=key))
    db.session.commit()


def _open_with_code(page, code: str) -> None:
    page.goto("/status")
    page.get_by_label("Status code").fill(code)
    submit(page, page.get_by_role("button", name="Show my story"))


def _pages(ids: dict) -> list[tuple[str, str]]:
    """(path, text that proves the state) for each page under test."""
    return [
        ("/status", "2 more people said “Me too”"),
        ("/account", "since you last looked"),  # replies piled up over the other pages
        (f"/stories/{ids['other']}", "Unfollow this story"),
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_news_pages_and_follow_control_at_390px(new_context, live_server, javascript):
    """Each page shows its news (or its control) with JS on or off, in light and dark, with
    no sideways scroll; axe finds nothing (JS off: the stripped page is audited)."""
    ids = in_app(live_server, _seed)
    context = new_context(viewport=PHONE, java_script_enabled=javascript, axe=javascript)
    page = context.new_page()
    sign_in(page, TELLER, FACTORY_PASSWORD)
    _open_with_code(page, ids["code"])
    audit_page = page
    settle = None
    if not javascript:
        audit_page = new_context(viewport=PHONE).new_page()
        sign_in(audit_page, TELLER, FACTORY_PASSWORD)
        _open_with_code(audit_page, ids["code"])
        settle = serve_stripped(audit_page)
    found: dict[str, list] = {}
    for path, expected in _pages(ids):
        for scheme in ("light", "dark"):
            label = f"{path} [{scheme}] [JS {'on' if javascript else 'off'}]"
            in_app(live_server, lambda: _make_news(ids))
            page.emulate_media(color_scheme=scheme)
            assert page.goto(path).status == 200, label
            assert expected in page.locator("#main").inner_text(), label
            assert page.evaluate(SIDEWAYS_JS) <= 0, f"{label}: scrolls sideways"
            if javascript:
                found[label] = audit(page)
                continue
            in_app(live_server, lambda: _make_news(ids))
            audit_page.emulate_media(color_scheme=scheme)
            audit_page.goto(path)
            settle()
            assert expected in audit_page.locator("#main").inner_text(), label
            assert audit_page.evaluate(SIDEWAYS_JS) <= 0, f"{label}: scrolls sideways (audit)"
            found[label] = audit(audit_page)
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_follow_and_unfollow_by_button_then_news_once(new_context, live_server, javascript):
    """Unfollow and follow again with the story page's button, then see the followed story's
    new reply on the account page once: the next look says nothing is new."""
    ids = in_app(live_server, _seed)
    page = new_context(viewport=PHONE, java_script_enabled=javascript, axe=False).new_page()
    sign_in(page, TELLER, FACTORY_PASSWORD)
    page.goto(f"/stories/{ids['other']}")
    submit(page, page.get_by_role("button", name="Unfollow this story"))
    assert "You are no longer following this story." in page.locator(".notices").inner_text()
    submit(page, page.get_by_role("button", name="Follow this story"))
    assert "You are following this story." in page.locator("#main").inner_text()

    in_app(live_server, lambda: _make_news(ids))
    page.goto("/")
    assert "with news" in page.get_by_role("banner").inner_html()
    page.goto("/account")
    following = page.locator("section.following")
    assert "1 new reply since you last looked" in following.inner_text()
    page.goto("/account")
    assert "Nothing new since your last visit." in page.locator("section.following").inner_text()
    submit(page, page.locator("section.following").get_by_role("button", name="Unfollow"))
    assert "You are not following any stories." in page.locator("section.following").inner_text()
