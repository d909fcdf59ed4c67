"""Browser tests: Heard's real pages in Debian's Chromium, driven by Playwright, audited by axe.

They run on SQLite only: each test gets a fresh app with its own SQLite file, served by a live
Werkzeug server on 127.0.0.1 (see conftest.py). The helpers below are shared by the test modules.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_JS = VENDOR / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# The quick exit leaves for this URL in tests; the browser context fulfils it with NEUTRAL_PAGE,
# so following the exit needs no network.
NEUTRAL_URL = "https://neutral.example/"
NEUTRAL_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather</title></head>'
    "<body><main><h1>Weather</h1><p>Sunny spells.</p></main></body></html>"
)
LOOPBACK = frozenset({"127.0.0.1", "localhost"})
SESSION_COOKIE = "heard_session"

# Pages the foundation has, with the status each should answer.
SHELL_PAGES = [
    ("/", 200),
    ("/about", 200),
    ("/guidelines", 200),
    ("/privacy", 200),
    ("/safety", 200),
    ("/help", 200),
    ("/help?region=US", 200),
    ("/login", 200),
    ("/signup", 200),
    ("/recover", 200),
    ("/no-such-page", 404),
]
PASSWORD = "lanterns drift over quiet water"
# A recovery code as forum.safety.tokens.new_recovery_code writes it.
RECOVERY_CODE = re.compile(r"\b[a-z2-7]{4}(?:-[a-z2-7]{4}){7}\b")


def is_loopback(url: str) -> bool:
    """Whether a URL points at this machine."""
    return urlsplit(url).hostname in LOOPBACK


def path_of(url: str) -> str:
    """The path of a URL, without query or fragment."""
    return urlsplit(url).path


def expect_url(page, url: str) -> None:
    """Wait until the page shows url (Playwright's expect; imported late like all of it).

    page.wait_for_url is not used: it raised net::ERR_NAME_NOT_RESOLVED when a routed
    redirect (the exit's 303 to NEUTRAL_URL) arrived while it was waiting.
    """
    from playwright.sync_api import expect

    expect(page).to_have_url(url)


def audit(page) -> list[dict]:
    """Run axe on the page with the project's tags; return the violations, short and readable."""
    return page.evaluate(
        """async (tags) => {
            // Let colour transitions (after a load or a scheme switch) finish, or contrast
            // is measured mid-fade; give up after 2 s on anything that never ends.
            const settled = Promise.all(document.getAnimations().map(a => a.finished));
            await Promise.race([settled, new Promise(done => setTimeout(done, 2000))]);
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                count: v.nodes.length,
            }));
        }""",
        AXE_TAGS,
    )


def format_violations(found: dict[str, list[dict]]) -> str:
    """One line per page and rule: page, rule id, how many nodes, which, and why."""
    lines = []
    for label, violations in found.items():
        for v in violations:
            targets = ", ".join(v["targets"])
            lines.append(
                f"{label}: {v['id']} ({v['impact']}, {v['count']} node(s): {targets}) - {v['help']}"
            )
    return "\n".join(lines)


def without_js(html: str) -> str:
    """The page as a browser without JavaScript renders it: no scripts, noscript unwrapped."""
    html = re.sub(r"<script\b[^>]*>.*?</script\s*>", "", html, flags=re.S | re.I)
    return re.sub(r"</?noscript\b[^>]*>", "", html, flags=re.I)


def serve_without_js(page) -> None:
    """Serve every loopback HTML document to this page with its scripts removed.

    axe cannot run in a JavaScript-off context (its promises never settle), so the no-JS
    rendering is audited in a JS-on context that never receives the page's scripts
    (BROWSER-TESTING.md, "axe and JS-off pages"). Form posts go through this route too.
    A redirect fulfilled here is followed by Chromium without routing, so callers check
    `has_scripts` and reload when a redirect landed on an unstripped page.
    """

    def strip(route):
        request = route.request
        if request.resource_type != "document" or not is_loopback(request.url):
            return route.fallback()
        response = route.fetch(max_redirects=0)
        if "text/html" not in response.headers.get("content-type", ""):
            return route.fulfill(response=response)
        return route.fulfill(response=response, body=without_js(response.text()))

    page.route("**/*", strip)


def has_scripts(page) -> bool:
    """Whether the current document has any script element."""
    return page.evaluate("document.scripts.length") > 0


# True when none of the page's main content, header or footer can be seen: hidden, removed,
# transparent, or covered (at every sample point) by something else such as an overlay.
CONTENT_HIDDEN_JS = """() => {
    const seen = (el) => {
        if (!el || !el.isConnected) return false;
        if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
        const r = el.getBoundingClientRect();
        const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
        const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
        if (right - left < 1 || bottom - top < 1) return false;
        for (const fx of [0.1, 0.5, 0.9]) {
            for (const fy of [0.1, 0.5, 0.9]) {
                const hit = document.elementFromPoint(
                    left + (right - left) * fx, top + (bottom - top) * fy);
                if (hit && el.contains(hit)) return true;
            }
        }
        return false;
    };
    return !['#main', 'header', 'footer'].some(s => seen(document.querySelector(s)));
}"""
