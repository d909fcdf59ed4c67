"""Search in a real browser: axe on every search state (results, with filters, nothing found,
too common), light and dark, JavaScript on and off; the header box works without JS."""

from __future__ import annotations

import pytest

from tests.browser import TAG, audit_walk, format_violations, in_app, seed_people, serve_stripped


def _seed_search() -> None:
    from forum.stories.models import Status
    from tests.factories import make_story

    make_story(
        status=Status.PUBLISHED,
        title="The lighthouse keeper",
        harm_tags=[TAG],
        body="My counsellor talked about the lighthouse and never listened to me.",
    )
    make_story(
        status=Status.PUBLISHED,
        title="Behind a note",
        content_notes=["self-harm"],
        body="A lighthouse story behind a content note.",
    )


def walk_search_states(page, live_server):
    """Every state of a search; yields a label at each."""
    in_app(live_server, seed_people)
    in_app(live_server, _seed_search)
    page.goto("/")
    page.locator("#site-search-q").fill("lighthouse")
    page.locator(".site-search button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("2 stories matching"), page.url
    assert page.locator(".story-card mark").count() >= 1
    yield "/stories?q (results, from the header)"
    page.goto(f"/stories?q=lighthouse&tag={TAG}&type=experience")
    assert page.locator(".active-filters").count() == 1
    yield "/stories?q (results with filters)"
    page.goto("/stories?q=lighthouse&order=newest")
    yield "/stories?q (newest first)"
    page.goto(f"/stories?q=zeppelin&tag={TAG}")
    assert page.locator(".nothing-found").count() == 1
    yield "/stories?q (nothing found, with filters)"
    page.goto("/stories?q=the")
    assert page.locator(".nothing-found").count() == 1
    yield "/stories?q (too common)"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_search_pages(new_context, live_server, javascript):
    """Every search state passes axe in light and dark, with and without JavaScript."""
    page = new_context(reduced_motion="reduce").new_page()
    if not javascript:
        serve_stripped(page)
    found = audit_walk(page, walk_search_states(page, live_server), javascript)
    assert len(found) == 2 * 5, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)
