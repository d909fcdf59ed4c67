"""The page shell in a real browser: axe in both colour schemes with and without JavaScript,
the quick exit, the skip links, focus indicators, reduced motion and text size."""

from __future__ import annotations

import re

from tests.browser import (
    CONTENT_HIDDEN_JS,
    NEUTRAL_URL,
    PASSWORD,
    RECOVERY_CODE,
    SESSION_COOKIE,
    SHELL_PAGES,
    audit,
    expect_url,
    format_violations,
    has_scripts,
    path_of,
    serve_without_js,
)

SCHEMES = ["light", "dark"]


def _submit(page) -> None:
    """Press the submit button of the form in the main content, and let the result load."""
    page.locator("#main form").first.locator("[type=submit]").first.click()
    # click waits for the navigation to commit, not for the stylesheet: wait for load too.
    page.wait_for_load_state("load")


def walk_states(page, handle: str):
    """Visit every page state the foundation has; yield a label once each is showing."""
    for path, status in SHELL_PAGES:
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        yield path

    page.goto("/signup")
    _submit(page)
    assert page.title().startswith("Error: "), "empty sign-up did not show errors"
    yield "/signup (errors)"

    page.goto("/login")
    page.get_by_label("Handle").fill("nobody-here")
    page.get_by_label("Password").fill("not the password")
    _submit(page)
    assert page.title().startswith("Error: "), "a wrong password did not show an error"
    yield "/login (error)"

    page.goto("/signup")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page)
    assert len(RECOVERY_CODE.findall(page.locator("#main").inner_text())) == 8
    yield "recovery codes after sign-up"

    response = page.goto("/account")
    assert response.status == 200 and path_of(page.url) == "/account"
    yield "/account (signed in)"


def audit_both_schemes(page, label: str, found: dict) -> None:
    """Audit the showing page in the light and the dark colour scheme."""
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        found[f"{label} [{scheme}]"] = audit(page)


def test_axe_finds_nothing_with_javascript(new_context, live_server):
    """Every page state passes axe in light and dark, with the page's scripts running."""
    page = new_context().new_page()
    found: dict[str, list] = {}
    for label in walk_states(page, "heron"):
        audit_both_schemes(page, f"{label} [JS on]", found)
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def test_axe_finds_nothing_without_javascript(new_context, live_server):
    """Every page state passes axe in light and dark as rendered without JavaScript (scripts
    stripped, noscript shown), including the form posts."""
    page = new_context().new_page()
    serve_without_js(page)
    found: dict[str, list] = {}
    for label in walk_states(page, "wren"):
        if has_scripts(page):  # a redirect landed on a page the route did not strip
            page.goto(page.url)
        assert not has_scripts(page), f"{label}: scripts were not stripped"
        audit_both_schemes(page, f"{label} [JS off]", found)
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


def _watch_blanking(page) -> list[bool]:
    """After the next click, report (via a binding) whether the content can be seen.

    page.evaluate cannot run while a navigation is pending, so the page reports by itself:
    on beforeunload and every 25 ms after the click, until it is replaced.
    """
    reports: list[bool] = []
    page.expose_function("heardBlankReport", lambda hidden: reports.append(hidden))
    # The page's CSP forbids eval, so the check is spliced into the evaluated source.
    page.evaluate(
        f"""() => {{
            const contentHidden = {CONTENT_HIDDEN_JS};
            let armed = false;
            addEventListener('click', () => {{
                armed = true;
                setInterval(() => heardBlankReport(contentHidden()), 25);
            }}, {{capture: true}});
            addEventListener('beforeunload', () => armed && heardBlankReport(contentHidden()));
        }}"""
    )
    return reports


def test_exit_button_blanks_the_page_and_replaces_history(new_context, live_server):
    """Clicking the exit button hides everything at once, leaves through /exit for the
    neutral site, clears the session cookie, and Back does not return to the page."""
    context = new_context()
    page = context.new_page()
    page.goto("/help?region=US")  # gives this browser a session cookie
    assert SESSION_COOKIE in {c["name"] for c in context.cookies()}
    page.goto("/guidelines")
    assert not page.evaluate(CONTENT_HIDDEN_JS), "the check must see a normal page"
    reports = _watch_blanking(page)
    live_server.delays["/exit"] = 0.4  # long enough to watch the page while it leaves

    # A mouse click returns at once; locator.click would wait out the navigation.
    box = page.locator(".exit-button").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect_url(page, NEUTRAL_URL)
    assert reports, "the page never reported its state after the click"
    assert all(reports), f"content was visible after the click: {reports}"
    assert any(path_of(url) == "/exit" for url in new_context.watch(context).requests)
    assert SESSION_COOKIE not in {c["name"] for c in context.cookies()}
    page.go_back()
    assert path_of(page.url) == "/help", f"Back went to {page.url}, not the page before"


def _status(page) -> str:
    return page.locator("#exit-status").text_content().strip()


def test_shift_three_times_exits_and_two_then_a_pause_does_not(new_context, live_server):
    """Shift x3 within 5 s exits, announcing presses left; after a pause of more than 5 s
    the count starts again."""
    context = new_context()
    page = context.new_page()
    page.clock.install()
    page.goto("/about")

    def exit_requests() -> list[str]:
        return [u for u in new_context.watch(context).requests if path_of(u) == "/exit"]

    page.keyboard.press("Shift")
    assert re.search(r"\b(2|two)\b", _status(page)), _status(page)
    page.keyboard.press("Shift")
    two_pressed = _status(page)
    assert re.search(r"\b(1|one)\b", two_pressed), two_pressed

    page.clock.run_for(5_100)
    assert _status(page) != two_pressed, "the status still counts presses after 5 s"
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert path_of(page.url) == "/about" and not exit_requests(), "exited after a pause"
    assert re.search(r"\b(2|two)\b", _status(page)), "the count did not start again"

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    expect_url(page, NEUTRAL_URL)
    assert exit_requests()
    page.go_back()
    assert path_of(page.url) != "/about", "Back returned to the page the exit was pressed on"


def test_exit_without_javascript_is_a_plain_link(new_context, live_server):
    """With JS off, the exit button is a link to /exit that ends on the neutral site with
    the session cookie gone."""
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto("/help?region=US")
    assert SESSION_COOKIE in {c["name"] for c in context.cookies()}
    page.goto("/about")
    links = page.locator("a[href='/exit']")
    assert links.count() >= 2, "expected the exit button and the secondary exit link"
    for rel in links.evaluate_all("links => links.map(a => a.rel)"):
        assert {"nofollow", "noreferrer"} <= set(rel.split()), rel
    assert page.locator("a.exit-button[href='/exit']").count() == 1, "the button is not a link"

    page.locator(".exit-button").click()
    expect_url(page, NEUTRAL_URL)
    assert any(path_of(url) == "/exit" for url in new_context.watch(context).requests)
    assert SESSION_COOKIE not in {c["name"] for c in context.cookies()}


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const a = document.activeElement;
            return {id: a.id, text: a.textContent.trim(), href: a.getAttribute('href') || ''}; }"""
    )


def test_skip_links_come_first(new_context, live_server):
    """Tab once: the visible skip link, which moves focus to #main. Tab twice: the exit link."""
    page = new_context().new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Skip to main content" and first["href"] == "#main", first
    shown = page.evaluate(
        """() => { const r = document.activeElement.getBoundingClientRect();
            return r.width >= 1 && r.height >= 1 && r.left >= 0 && r.top >= 0 &&
                   r.right <= innerWidth && r.bottom <= innerHeight; }"""
    )
    assert shown, "the focused skip link is not shown inside the viewport"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    second = _focused(page)
    assert "Exit this page" in second["text"] and path_of(second["href"]) == "/exit", second


# For the focused element: can a focus indicator be seen, does it differ from the element's
# unfocused look, and is some of the element uncovered (WCAG 2.4.7, 2.4.11)?
FOCUS_JS = """() => {
    const el = document.activeElement;
    const look = (s) => ({outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
                          shadow: s.boxShadow, background: s.backgroundColor});
    const s = getComputedStyle(el);
    const transparent = /rgba\\(.*,\\s*0\\)$|transparent/.test(s.outlineColor);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent;
    const shadow = s.boxShadow !== 'none';
    const focusedLook = look(s);
    el.blur();
    const blurredLook = look(getComputedStyle(el));
    el.focus({focusVisible: true});
    const r = el.getBoundingClientRect();
    let uncovered = false;
    for (const fx of [0.2, 0.5, 0.8]) for (const fy of [0.2, 0.5, 0.8]) {
        const hit = document.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy);
        if (hit && (hit === el || el.contains(hit))) uncovered = true;
    }
    return {name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' +
                  (el.textContent || el.name || '').trim().slice(0, 30) + '"',
            body: el === document.body, indicator: outline || shadow,
            changed: JSON.stringify(focusedLook) !== JSON.stringify(blurredLook), uncovered};
}"""


def test_every_focusable_element_on_signup_shows_focus(new_context, live_server):
    """A keyboard walk of /signup: every stop has a visible, distinct, unobscured focus style."""
    page = new_context().new_page()
    page.goto("/signup")
    stops, problems = [], []
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_JS)
        if state["body"] or (stops and state["name"] == stops[0]):
            break
        stops.append(state["name"])
        if not (state["indicator"] and state["changed"]):
            problems.append(f"{state['name']}: no visible focus indicator")
        if not state["uncovered"]:
            problems.append(f"{state['name']}: hidden under something while focused")
    assert len(stops) >= 8, f"the walk found too few stops: {stops}"
    assert any("#handle" in s for s in stops) and any("#password" in s for s in stops)
    assert not problems, "\n".join(problems)


MOTION_JS = """() => {
    const moving = [];
    const zero = (v) => v.split(',').every(t => parseFloat(t) === 0);
    for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
            const s = getComputedStyle(el, pseudo);
            const names = s.animationName.split(',').map(n => n.trim());
            if (!zero(s.transitionDuration) || names.some(n => n !== 'none')) {
                moving.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
                            (pseudo || '') + ': transition ' + s.transitionDuration +
                            ', animation ' + s.animationName);
            }
        }
    }
    if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') {
        moving.push('html: scroll-behavior smooth');
    }
    return moving;
}"""


def test_reduced_motion_means_no_transitions_or_animations(new_context, live_server):
    """With prefers-reduced-motion: reduce, nothing transitions or animates, on any shell page
    or while the exit shortcut counts presses."""
    page = new_context(reduced_motion="reduce").new_page()
    found = {}
    for path, _status_code in SHELL_PAGES:
        page.goto(path)
        found[path] = page.evaluate(MOTION_JS)
    page.goto("/signup")
    page.keyboard.press("Shift")
    page.keyboard.press("Tab")
    found["/signup (Shift pressed, focus moved)"] = page.evaluate(MOTION_JS)
    assert not any(found.values()), "\n".join(f"{p}: {m}" for p, ms in found.items() for m in ms)


TEXT_SIZE_JS = """() => {
    const small = [];
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    if (px(document.body) < 19) small.push('body ' + px(document.body) + 'px');
    for (const el of document.querySelectorAll('#main p, #main li')) {
        if (!el.textContent.trim()) continue;
        // Marked small print (hints, .small, <small>) may use 16px, sparingly; nothing less.
        const least = el.closest('.hint, .small, small') ? 16 : 19;
        if (px(el) < least) small.push(el.tagName.toLowerCase() + ' "' +
            el.textContent.trim().slice(0, 40) + '" ' + px(el) + 'px');
    }
    return small;
}"""


def test_body_text_is_at_least_19px(new_context, live_server):
    """Body text, and the paragraphs and list items of each page, compute to 19px or more
    (marked small print to 16px or more)."""
    page = new_context().new_page()
    found = {}
    for path in ("/", "/about", "/guidelines", "/privacy", "/safety", "/help", "/signup"):
        page.goto(path)
        found[path] = page.evaluate(TEXT_SIZE_JS)
    assert not any(found.values()), "\n".join(f"{p}: {m}" for p, ms in found.items() for m in ms)
