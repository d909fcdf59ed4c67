"""The check step's "use a general word instead" buttons in a real browser: axe in light and
dark, JavaScript on and off, and the draft changed only where the teller clicked."""

from __future__ import annotations

import pytest

from tests.browser import TAG, audit_walk, format_violations, in_app, seed_people, serve_stripped
from tests.browser import submit as press

BODY = (
    "My therapist Dr Hargreaves had a practice in Harrogate. "
    "I was 23 and I told Sarah on a Tuesday."
)


def walk_check_step(page, live_server, settle):
    """Compose a story with several kinds of identifier, then take the suggestions one by one."""
    in_app(live_server, seed_people)
    page.goto("/share")
    page.locator("input[name=kind][value=experience]").check()
    page.locator("#title").fill("Nobody heard me")
    page.locator("#body").fill(BODY)
    page.locator(f"input[name=harm_tags][value={TAG}]").check()
    press(page, page.get_by_role("button", name="Continue"))
    settle()
    groups = page.locator("section.finding-group h3").all_inner_texts()
    assert groups == ["Names with a title", "Ages", "Places", "Names", "Smaller details"], groups
    yield "/share (check step: findings by kind, low-ranked apart, with suggestions)"

    press(page, page.locator("button[name=suggestion]", has_text="Use “in my twenties” instead"))
    settle()
    assert "“23” now reads “in my twenties”" in page.locator("#main .notice").inner_text()
    assert page.locator("section.finding-group").filter(has_text="Ages").count() == 0
    yield "/share (check step after one suggestion)"

    while page.locator("button[name=suggestion]").count():
        press(page, page.locator("button[name=suggestion]").first)
        settle()
    assert page.get_by_role("button", name="Submit for review").count() == 1
    body = page.locator(".story__body").inner_text()
    assert "Hargreaves" not in body and "Sarah" not in body and "23" not in body, body
    assert "in my twenties" in body, body
    yield "/share (preview after every suggestion)"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_suggestions_work_and_axe_finds_nothing(new_context, live_server, javascript):
    """Each state of the check step passes axe in light and dark, with and without JavaScript."""
    page = new_context(reduced_motion="reduce").new_page()
    settle = (lambda: None) if javascript else serve_stripped(page)
    found = audit_walk(page, walk_check_step(page, live_server, settle), javascript)
    assert len(found) == 2 * 3, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)
