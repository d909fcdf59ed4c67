"""Moderation pages in a real browser: axe on the queue (with a crisis-flagged story, a
report and a reply waiting), item pages (and one with an action's error), an account, the
public log and the admins' audit log, in light and dark, with JavaScript on and off."""

from __future__ import annotations

import pytest

from tests.browser import (
    ADMIN,
    MODERATOR,
    audit_walk,
    format_violations,
    in_app,
    seed_people,
    seed_stories,
    serve_stripped,
    sign_in,
    submit,
)


def _teller_id() -> int:
    from tests.browser import TELLER, user_by_handle

    return user_by_handle(TELLER).id


def walk_moderation_states(page, live_server, settle):
    """The staff pages, with items of every kind waiting; yields a label at each."""
    in_app(live_server, seed_people)
    world = in_app(live_server, seed_stories)
    teller_id = in_app(live_server, _teller_id)

    page.goto("/moderation-log")
    assert page.locator("#main li, #main tr").count() >= 1, "the public log is empty"
    yield "/moderation-log"

    sign_in(page, MODERATOR)
    page.goto("/moderation")
    queue = page.locator("#main").inner_text()
    for title in ("Too much right now", "A story someone reported", "Waiting for a moderator"):
        assert title in queue, f"{title!r} is not in the queue"
    first = page.locator(f"#main a[href='/moderation/story/{world.crisis}']")
    assert first.count() >= 1, "the crisis-flagged story has no link in the queue"
    yield "/moderation (crisis, report, replies and stories waiting)"
    page.goto(f"/moderation/story/{world.crisis}")
    assert page.locator("#main mark").count() >= 1, "the crisis language is not marked"
    yield "/moderation/story/<id> (crisis-flagged)"
    page.goto(f"/moderation/story/{world.reported}")
    assert "This is unkind to therapists." in page.locator("#main").inner_text()
    yield "/moderation/story/<id> (reported)"
    page.goto(f"/moderation/story/{world.pending}")
    reject = page.locator("section[aria-labelledby=action-reject]")
    submit(page, reject.locator("[type=submit]"))
    settle()
    assert page.title().startswith("Error: "), "rejecting without a reason showed no error"
    yield "/moderation/story/<id> (an action without a reason)"
    redact = page.locator("section[aria-labelledby=action-redact]")
    general = redact.locator("input[name=redact-suggestions]")
    assert general.count() == 1, "the redaction form offers no general word for “Dr Smith”"
    general.check()
    submit(page, redact.locator("[type=submit]"))
    settle()
    assert page.title().startswith("Error: "), "redacting without a reason showed no error"
    assert page.locator("input[name=redact-suggestions]").is_checked(), "the tick was lost"
    yield "/moderation/story/<id> (redaction with a general word ticked, no reason)"
    page.goto(f"/moderation/reply/{world.pending_reply}")
    yield "/moderation/reply/<id>"
    page.goto(f"/moderation/accounts/{teller_id}")
    yield "/moderation/accounts/<id>"

    sign_in(page, ADMIN)
    page.goto("/moderation/log")
    assert page.locator("#main tbody tr, #main li").count() >= 3, "the audit log is empty"
    yield "/moderation/log (admin audit log)"


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_moderation_pages(new_context, live_server, javascript):
    """Every moderation state passes axe in light and dark, with JavaScript and as rendered
    without it."""
    page = new_context(reduced_motion="reduce").new_page()
    settle = (lambda: None) if javascript else serve_stripped(page)
    found = audit_walk(page, walk_moderation_states(page, live_server, settle), javascript)
    assert len(found) == 2 * 9, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)
