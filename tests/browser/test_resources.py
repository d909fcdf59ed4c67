"""Resource pages in a real browser: axe on the directory with filters, both kinds of
complaint-finder answer, a guide and the curators' list, in light and dark, with JavaScript
on and off."""

from __future__ import annotations

import pytest

from tests.browser import (
    MODERATOR,
    TAG,
    audit_walk,
    format_violations,
    in_app,
    seed_people,
    sign_in,
)

GUIDE = "raising-it-with-your-therapist"


def _answer(page) -> str:
    return page.locator("#finder-answer-heading").inner_text()


def walk_resource_states(page, live_server):
    """The resource pages; yields a label at each (they are all GET, so no settling)."""
    in_app(live_server, seed_people)
    page.goto("/resources")
    assert page.locator(f"a[href='/resources/guides/{GUIDE}']").count() >= 1
    yield "/resources"
    page.goto(f"/resources?category=complain&region=GB&tag={TAG}")
    assert page.locator("#directory").count() == 1
    yield "/resources (filters)"
    page.goto("/resources?country=GB")
    assert page.locator("input[name=practitioner]").count() >= 2
    yield "/resources (finder: who was the therapist registered with)"
    page.goto("/resources?country=GB&practitioner=bacp-member")
    assert "BACP" in _answer(page), _answer(page)
    yield "/resources (finder: the answer)"
    page.goto("/resources?country=elsewhere")
    assert "don't know this one yet" in _answer(page), _answer(page)
    yield "/resources (finder: we don't know yet)"
    page.goto(f"/resources/guides/{GUIDE}")
    assert page.locator("h1").count() == 1
    yield "/resources/guides/<slug>"

    sign_in(page, MODERATOR)
    response = page.goto("/resources/manage")
    assert response.status == 200 and page.locator("#main a[href*='/edit']").count() >= 5
    yield "/resources/manage (moderator)"


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_resource_pages(new_context, live_server, javascript):
    """Every resource state passes axe in light and dark, with JavaScript and as rendered
    without it."""
    page = new_context(reduced_motion="reduce").new_page()
    if not javascript:
        from tests.browser import serve_stripped

        serve_stripped(page)
    found = audit_walk(page, walk_resource_states(page, live_server), javascript)
    assert len(found) == 2 * 7, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)
