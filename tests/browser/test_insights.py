"""/insights, its data dictionary and the API reference in a real browser: axe in light and
dark, with JavaScript and without, and a 390 px phone that scrolls tables, not the page."""

from __future__ import annotations

import pytest

from tests.browser import audit_walk, format_violations, in_app


def _seed() -> None:
    from forum.stories.models import Setting
    from tests.factories import load_tags
    from tests.insights.data import add_many

    load_tags()
    add_many(30, harm=["not-heard", "memories-stirred"], setting=Setting.PRIVATE)
    add_many(15, harm=["got-worse"], impacts={"got-worse": 3}, setting=Setting.PUBLIC)
    add_many(4, harm=["prejudice"], setting=Setting.INPATIENT, problem_kind="misconduct")


def walk_insights_states(page, live_server):
    """The three pages; yields a label at each."""
    in_app(live_server, _seed)
    page.goto("/insights")
    assert page.locator("svg.chart").count() == 9
    assert page.locator("svg.chart title").first.text_content().startswith("Chart:")
    assert "not shown" in page.locator("section[aria-labelledby=table-settings]").inner_text()
    yield "/insights"
    page.goto("/insights/data")
    yield "/insights/data"
    page.goto("/api")
    assert page.locator("h2 code").count() == 7
    yield "/api"


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_insights_pages(new_context, live_server, javascript):
    """Each page passes axe in light and dark, with JavaScript and as rendered without it."""
    page = new_context(reduced_motion="reduce").new_page()
    if not javascript:
        from tests.browser import serve_stripped

        serve_stripped(page)
    found = audit_walk(page, walk_insights_states(page, live_server), javascript)
    assert len(found) == 2 * 3, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def test_the_page_fits_a_phone(new_context, live_server):
    """At 390 px the page never scrolls sideways; wide tables scroll in their own box."""
    in_app(live_server, _seed)
    page = new_context(axe=False, viewport={"width": 390, "height": 844}).new_page()
    page.goto("/insights")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    chart = page.locator("svg.chart").first.bounding_box()
    assert chart["width"] <= 390
