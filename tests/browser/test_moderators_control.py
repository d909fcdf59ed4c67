"""Issue 15's new pages in a real browser: the reply form's guidance and the reply check step,
a claimed queue item, the queue's filters and pages, and the sanctions page (with a lift
without a reason): axe in light and dark, JavaScript on and off, and no sideways scroll at
390 px."""

from __future__ import annotations

import pytest

from tests.browser import (
    ADMIN,
    CRISIS_TEXT,
    MODERATOR,
    TELLER,
    audit_walk,
    format_violations,
    in_app,
    seed_people,
    seed_stories,
    serve_stripped,
    sign_in,
    submit,
    user_by_handle,
)


def _seed_control(world) -> None:
    """A claim by the admin, an anonymous pause and a suspension, for the moderator to see."""
    from forum.db import db
    from forum.moderation import claims, sanctions
    from forum.stories.models import Reply

    keeper, steward = user_by_handle(MODERATOR), user_by_handle(ADMIN)
    claims.claim(steward, "story", world.crisis)
    reply = db.session.get(Reply, world.pending_reply)
    reply.client_key = "k" * 32
    db.session.commit()
    sanctions.ban_poster(keeper, "reply", reply.id, 3, "Unkind replies to several tellers")
    sanctions.suspend(keeper, user_by_handle(TELLER).id, 7, "Cooling off after an argument")


def walk_new_pages(page, live_server, settle):
    """The pages issue 15 adds, in each state worth checking; yields a label at each."""
    in_app(live_server, seed_people)
    world = in_app(live_server, seed_stories)
    in_app(live_server, lambda: _seed_control(world))
    live_server.app.config["MODERATION_QUEUE_SIZE"] = 2

    page.goto(f"/stories/{world.plain}")
    assert page.locator("#reply-guidance-title").count() == 1, "no reply guidance"
    yield "/stories/<id> (reply form with guidance)"
    page.locator("textarea[name=body]").fill(CRISIS_TEXT)
    submit(page, page.get_by_role("button", name="Send reply for review"))
    settle()
    assert page.locator("h1").inner_text() == "Before you send your reply"
    assert page.locator("textarea[name=body]").input_value() == CRISIS_TEXT
    yield "/stories/<id>/replies (the reply check step, crisis help)"

    sign_in(page, MODERATOR)
    page.goto("/moderation")
    assert "Being reviewed by steward" in page.locator("#main").inner_text()
    assert page.locator("a[rel=next]").count() == 1, "no Next link with 2 items a page"
    yield "/moderation (a claimed item, filters, Next)"
    page.locator("a[rel=next]").click()
    page.wait_for_load_state("load")
    settle()
    assert page.locator("a[rel=prev]").count() == 1, "no Previous link on page 2"
    yield "/moderation?after=… (page 2)"
    page.goto("/moderation")
    page.locator("#reason").select_option("crisis")
    submit(page, page.get_by_role("button", name="Filter"))
    settle()
    assert "Too much right now" in page.locator("#main").inner_text()
    yield "/moderation?reason=crisis (filtered)"
    page.goto(f"/moderation/story/{world.crisis}")
    assert page.get_by_role("button", name="Take over the review").count() == 1
    yield "/moderation/story/<id> (claimed by another moderator)"
    submit(page, page.get_by_role("button", name="Take over the review"))
    settle()
    assert "You are reviewing this" in page.locator("#main").inner_text()
    yield "/moderation/story/<id> (claimed by you)"

    page.goto("/moderation/sanctions")
    text = page.locator("#main").inner_text()
    assert "Anonymous posting paused: P-" in text and "k" * 32 not in page.content()
    yield "/moderation/sanctions"
    submit(page, page.get_by_role("button", name="Lift early").first)
    settle()
    assert page.title().startswith("Error: "), "lifting without a reason showed no error"
    yield "/moderation/sanctions (lift early without a reason)"


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_the_new_pages(new_context, live_server, javascript):
    """Every new page and state passes axe in light and dark, with and without JavaScript."""
    page = new_context(reduced_motion="reduce").new_page()
    settle = (lambda: None) if javascript else serve_stripped(page)
    found = audit_walk(page, walk_new_pages(page, live_server, settle), javascript)
    assert len(found) == 2 * 9, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def test_no_sideways_scroll_at_390_px(new_context, live_server):
    """At 390 px wide, none of the new pages scrolls sideways."""
    page = new_context(axe=False, viewport={"width": 390, "height": 844}).new_page()
    wide = {}
    for label in walk_new_pages(page, live_server, lambda: None):
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide[label] = overflow
    assert not wide, f"pages that scroll sideways at 390 px: {wide}"
