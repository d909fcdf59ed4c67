"""Updates, edits and saved drafts in a real browser: every new page passes axe in light and
dark, with JavaScript on and off, and never scrolls sideways at 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser import (
    MODERATOR,
    TAG,
    audit_walk,
    format_violations,
    in_app,
    seed_people,
    serve_stripped,
    sign_in,
)
from tests.browser import submit as press

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _seed() -> str:
    """People, tags and one published anonymous story; its status code."""
    from forum.db import db
    from forum.stories.models import Status
    from forum.stories.services import submit_story
    from tests.factories import make_draft

    seed_people()
    body = "The counsellor talked about her garden for most of every session."
    sent = submit_story(None, make_draft(title="Nobody listened", body=body), "b" * 32)
    sent.story.status = Status.PUBLISHED
    sent.story.published_at = sent.story.submitted_at
    db.session.commit()
    return sent.status_token or ""


def _fits(page, label: str) -> None:
    assert page.evaluate(OVERFLOW) <= 0, f"{label}: scrolls sideways at 390 px"


def walk_teller(page, live_server, settle):
    """A teller opens their story, adds an update and proposes an edit."""
    code = in_app(live_server, _seed)
    page.goto("/status")
    page.locator("#code").fill(code)
    press(page, page.get_by_role("button", name="Show my story"))
    settle()
    press(page, page.get_by_role("link", name=re.compile("Add what happened next")))
    settle()
    _fits(page, "update form")
    yield "/status/<id>/update (update form)"

    page.locator("#body").fill("I found a new counsellor who listens.")
    press(page, page.get_by_role("button", name="Send for review"))
    settle()
    assert "waiting for a moderator" in page.locator("#main").inner_text()
    press(page, page.get_by_role("link", name=re.compile("Edit your published story")))
    settle()
    _fits(page, "revision form")
    yield "/status/<id>/revise (revision form)"

    page.locator("#body").fill("The counsellor talked about lighthouses for most of every session.")
    press(page, page.get_by_role("button", name="Send for review"))
    settle()
    _fits(page, "status page")
    yield "/status (updates and edits waiting)"

    sign_in(page, MODERATOR)
    page.goto("/moderation/changes")
    settle()
    _fits(page, "moderators' list")
    yield "/moderation/changes (list)"

    press(page, page.get_by_role("link", name=re.compile("Edit of")))
    settle()
    assert page.locator(".side-by-side del").first.inner_text() == "her garden"
    assert page.locator(".side-by-side ins").last.inner_text() == "lighthouses"
    _fits(page, "diff page")
    yield "/moderation/changes/<id> (diff page)"


def walk_drafts(page, live_server, settle):
    """A teller saves a draft, then opens it again with its code."""
    in_app(live_server, seed_people)
    page.goto("/share")
    page.locator("input[name=kind][value=experience]").check()
    page.locator("#title").fill("Half a story")
    page.locator("#body").fill("I got as far as the second year.")
    page.locator(f"input[name=harm_tags][value={TAG}]").check()
    press(page, page.get_by_role("button", name="Save and come back later"))
    settle()
    code = page.locator(".status-code code").inner_text()
    _fits(page, "draft saved")
    yield "/share (draft saved, with its code)"

    page.goto("/share/drafts")
    settle()
    _fits(page, "drafts page")
    yield "/share/drafts (open a draft)"

    page.locator("#code").fill(code)
    press(page, page.get_by_role("button", name="Open my draft"))
    settle()
    assert page.locator("#title").input_value() == "Half a story"
    assert page.locator(f"input[name=harm_tags][value={TAG}]").is_checked()
    _fits(page, "resumed draft")
    yield "/share/drafts (draft resumed on the compose form)"


@pytest.mark.timeout(150)
@pytest.mark.parametrize("walk", [walk_teller, walk_drafts], ids=["changes", "drafts"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_new_pages_pass_axe_and_fit_a_phone(new_context, live_server, walk, javascript):
    """Each new page passes axe in light and dark, with and without JavaScript, at 390 px."""
    page = new_context(viewport=PHONE, reduced_motion="reduce").new_page()
    settle = (lambda: None) if javascript else serve_stripped(page)
    found = audit_walk(page, walk(page, live_server, settle), javascript)
    expected = 5 if walk is walk_teller else 3
    assert len(found) == 2 * expected, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)
