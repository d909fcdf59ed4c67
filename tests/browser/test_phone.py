"""Heard on a phone: the sticky exit at the bottom of the longest pages (390 and 320 px wide,
JavaScript on and off, light and dark, axe clean), and a first screen of /share that shows
the first field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import (
    AXE_TAGS,
    MODERATOR,
    NEUTRAL_URL,
    SESSION_COOKIE,
    add_reply,
    audit,
    expect_url,
    format_violations,
    in_app,
    path_of,
    seed_people,
    serve_stripped,
    user_by_handle,
)

PHONES = {"390x844": {"width": 390, "height": 844}, "320x640": {"width": 320, "height": 640}}
REPLIES = 40

# Where the exit button is, whether it is inside the viewport, big enough to tap (WCAG 2.2
# target size: 24 px; we aim for 44) and the topmost thing at its centre (nothing covers it).
EXIT_BOX_JS = """() => {
    const el = document.querySelector('.exit-button');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
            width: r.width, height: r.height, scrollY: scrollY,
            scrollable: document.documentElement.scrollHeight - innerHeight,
            onTop: !!hit && (hit === el || el.contains(hit)),
            vw: innerWidth, vh: innerHeight};
}"""


def _seed_long_story() -> int:
    """A published story with REPLIES published replies; its id."""
    from forum.moderation.services import approve_story
    from tests.factories import make_story

    keeper = user_by_handle(MODERATOR)
    story = make_story(title="A long conversation", body="It went on for years.\n\n" * 20)
    approve_story(keeper, story.id)
    for n in range(REPLIES):
        add_reply(story.id, f"Reply number {n}: I recognise so much of this.", keeper)
    return story.id


def _seed(live_server) -> list[str]:
    in_app(live_server, seed_people)
    story_id = in_app(live_server, _seed_long_story)
    return ["/share", f"/stories/{story_id}", "/resources"]


def _assert_exit_reachable(page, label: str) -> None:
    """Scrolled to the bottom, the exit button is in the viewport, tappable and uncovered."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    box = page.evaluate(EXIT_BOX_JS)
    assert box["scrollable"] > 2 * box["vh"], f"{label}: page too short to prove anything {box}"
    assert box["scrollY"] > box["vh"], f"{label}: did not scroll {box}"
    assert box["top"] >= 0 and box["bottom"] <= box["vh"], f"{label}: exit out of view {box}"
    assert box["left"] >= 0 and box["right"] <= box["vw"], f"{label}: exit off the side {box}"
    assert box["width"] >= 44 and box["height"] >= 44, f"{label}: exit too small {box}"
    assert box["onTop"], f"{label}: something covers the exit {box}"


def audit_exit(page) -> list[dict]:
    """axe on the exit bar alone (quick): contrast, target size, names, in this scheme."""
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run({include: [['.exit-this-page']]}, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                count: v.nodes.length}));
        }""",
        AXE_TAGS,
    )


def _full_audit(phone: str, path: str, paths: list[str], javascript: bool = True) -> bool:
    """Whole-page axe where it tells most (390 px: every page with JS, /share without); the
    exit bar alone elsewhere, as a whole-page audit of these long pages takes about 1.5 s and
    the other browser tests audit their whole pages already."""
    return phone == "390x844" and (javascript or path == paths[0])


def test_sticky_exit_stays_in_view_and_leaves_with_javascript(new_context, live_server):
    """At 390 and 320 px, at the bottom of /share, a 40-reply story and /resources the exit is
    on screen and uncovered, axe finds nothing in light and dark, and tapping it blanks the
    page and leaves for the neutral site (JS on)."""
    paths = _seed(live_server)
    found: dict[str, list] = {}
    for phone, viewport in PHONES.items():
        context = new_context(viewport=viewport, has_touch=True, is_mobile=True)
        page = context.new_page()
        for path in paths:
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                assert page.goto(path).status == 200, path
                _assert_exit_reachable(page, f"{path} {phone} [{scheme}]")
                check = audit if _full_audit(phone, path, paths) else audit_exit
                found[f"{path} {phone} [{scheme}] [JS on]"] = check(page)
            page.locator(".exit-button").tap()
            expect_url(page, NEUTRAL_URL)
        assert SESSION_COOKIE not in {c["name"] for c in context.cookies()}
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def test_sticky_exit_works_without_javascript(new_context, live_server):
    """With JS off the sticky exit is the plain /exit link, on screen at the bottom of the
    longest pages at 390 and 320 px; the no-JS rendering passes axe in light and dark."""
    paths = _seed(live_server)
    found: dict[str, list] = {}
    for phone, viewport in PHONES.items():
        context = new_context(
            axe=False, viewport=viewport, has_touch=True, is_mobile=True, java_script_enabled=False
        )
        page = context.new_page()
        for path in paths:
            page.goto(path)
            _assert_exit_reachable(page, f"{path} {phone} [JS off]")
            page.locator(".exit-button").tap()
            expect_url(page, NEUTRAL_URL)
            requests = new_context.watch(context).requests
            assert any(path_of(url) == "/exit" for url in requests), path

        audit_page = new_context(viewport=viewport).new_page()
        settle = serve_stripped(audit_page)
        for path in paths:
            audit_page.goto(path)
            settle()
            for scheme in ("light", "dark"):
                audit_page.emulate_media(color_scheme=scheme)
                _assert_exit_reachable(audit_page, f"{path} {phone} [{scheme}] [stripped]")
                check = audit if _full_audit(phone, path, paths, False) else audit_exit
                found[f"{path} {phone} [{scheme}] [JS off]"] = check(audit_page)
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def test_focus_is_never_hidden_under_the_sticky_exit(new_context, live_server):
    """A keyboard walk down /share at 390 px: each focused field shows below the exit bar."""
    in_app(live_server, seed_people)
    page = new_context(viewport=PHONES["390x844"], axe=False).new_page()
    page.goto("/share")
    hidden = []
    for _ in range(40):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => { const el = document.activeElement;
                const bar = document.querySelector('.exit-this-page').getBoundingClientRect();
                const r = el.getBoundingClientRect();
                const inBar = !!el.closest('.exit-this-page');
                return {name: el.tagName + '#' + el.id + ' ' + (el.name || ''),
                        covered: !inBar && r.top < bar.bottom && r.bottom > bar.top
                                 && r.bottom <= bar.bottom};
            }"""
        )
        if state["covered"]:
            hidden.append(state["name"])
    assert not hidden, f"focused but under the exit bar: {hidden}"


FIRST_FIELD_JS = """() => {
    const field = [...document.querySelectorAll('#main form input, #main form textarea,'
                                               + ' #main form select')]
        .find(el => el.type !== 'hidden');
    const label = document.querySelector(`label[for="${field.id}"]`);
    const r = (label || field).getBoundingClientRect();
    const f = field.getBoundingClientRect();
    return {id: field.id, top: Math.min(r.top, f.top), bottom: Math.max(r.bottom, f.bottom),
            vh: innerHeight, details: document.querySelectorAll('#main .panel details').length,
            summary: (document.querySelector('#main .panel details summary') || {}).textContent};
}"""


def test_first_field_of_share_is_on_the_first_phone_screen(new_context, live_server):
    """At 390x844 the first field of /share, and its label, show before any scrolling; the
    explainer is short, with the rest in a "More about privacy" disclosure."""
    in_app(live_server, seed_people)
    page = new_context(viewport=PHONES["390x844"], axe=False).new_page()
    page.goto("/share")
    box = page.evaluate(FIRST_FIELD_JS)
    assert box["top"] >= 0 and box["bottom"] <= box["vh"], box
    assert box["details"] == 1 and "more about privacy" in box["summary"].lower(), box
    items = page.locator("#main .panel > ul > li")
    assert items.count() == 3
    page.get_by_text("More about privacy").click()
    assert page.get_by_text("We never store your IP address").is_visible()


def _send_a_story(page) -> str:
    """Walk /share to /share/sent as a teller does; the status code shown."""
    from tests.browser import TAG, submit

    page.goto("/share")
    page.locator("input[name=kind][value=experience]").check()
    page.locator("#title").fill("Nobody heard me")
    page.locator("#body").fill("For two years I talked and nobody listened.")
    page.locator(f"input[name=harm_tags][value={TAG}]").check()
    submit(page, page.get_by_role("button", name="Continue"))
    submit(page, page.get_by_role("button", name="Submit for review"))
    assert path_of(page.url) == "/share/sent", page.url
    return page.locator("#status-code").inner_text().strip()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_status_code_can_be_copied_and_saved(new_context, live_server, javascript):
    """On a phone: with JS the copy button copies the grouped code; with or without JS,
    "Save as a text file" downloads it (a POST, so the code never appears in a URL)."""
    in_app(live_server, seed_people)
    context = new_context(
        axe=False, viewport=PHONES["390x844"], java_script_enabled=javascript, accept_downloads=True
    )
    if javascript:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    code = _send_a_story(page)
    assert re.fullmatch(r"[0-9a-z]{4}(?:-[0-9a-z]{4}){6}", code), code
    copy = page.get_by_role("button", name="Copy code")
    if javascript:
        copy.click()
        assert page.evaluate("navigator.clipboard.readText()") == code
        assert "Code copied" in page.locator("#status-code-copied").inner_text()
    else:
        assert copy.count() == 0 or not copy.is_visible()
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Save as a text file").click()
    download = waiting.value
    assert download.suggested_filename == "status-code.txt"
    assert code in Path(download.path()).read_text(encoding="utf-8")
    assert not any(code in url for url in new_context.watch(context).requests)
