"""Browser tests: Heard's real pages in Debian's Chromium, driven by Playwright, audited by axe.

They run on SQLite only: each test gets a fresh app with its own SQLite file, served by a live
Werkzeug server on 127.0.0.1 (see conftest.py). The helpers below are shared by the test modules.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.payloads import XSS

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


# --- Signing in, submitting ------------------------------------------------------------------

# The password tests/factories.make_user gives every account it makes.
FACTORY_PASSWORD = "a calm river at dusk"


def submit(page, button=None) -> None:
    """Press a submit button (the first in the main form unless given) and let the result load."""
    if button is None:
        button = page.locator("#main form").first.locator("[type=submit]").first
    button.click()
    # click waits for the navigation to commit, not for the stylesheet: wait for load too.
    page.wait_for_load_state("load")


CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(page, handle: str, password: str = FACTORY_PASSWORD) -> None:
    """Sign this page's browser in as an account made with tests/factories.make_user.

    The form is posted from the context's request client, which shares the browser's
    cookies: signing in through the page itself is test_accounts.py's job, and this is
    four times quicker.
    """
    context = page.context
    context.clear_cookies()
    login = context.request.get("/login")
    token = CSRF_FIELD.search(login.text())
    assert token, "no CSRF token on /login"
    response = context.request.post(
        "/login", form={"csrf_token": token.group(1), "handle": handle, "password": password}
    )
    assert path_of(response.url) == "/account", f"signing in as {handle} ended on {response.url}"


# --- Stored XSS in a real browser ----------------------------------------------------------------

# Installed before any page script: alert, confirm, prompt, print and fetch report each call
# through the heardSpy binding (which survives navigations) instead of doing anything.
SPY_JS = """(() => {
    const tell = (name, args) => {
        const text = args.map(a => String(a)).join(' ').slice(0, 200);
        try { window.heardSpy(name, location.href, text); } catch (e) {}
    };
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
        window[name] = function (...args) {
            tell(name, args);
            return name === 'confirm' ? false : null;
        };
    }
    const realFetch = window.fetch;
    window.fetch = function (...args) { tell('fetch', args); return realFetch.apply(this, args); };
})();"""


def install_spy(context) -> list[str]:
    """Record every alert/confirm/prompt/print/fetch call of every page in the context."""
    calls: list[str] = []
    context.expose_binding(
        "heardSpy", lambda source, name, url, text: calls.append(f"{name}({text!r}) on {url}")
    )
    context.add_init_script(SPY_JS)
    return calls


# Anything in the DOM that could run script: an on* attribute, a javascript:/vbscript:/data:
# address, a script the app did not serve from /static/, or a frame, object or embed.
DANGEROUS_DOM_JS = """() => {
    const found = [];
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster',
                      'background', 'srcdoc', 'ping', 'lowsrc', 'dynsrc'];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const attrName = attr.name.toLowerCase();
            if (attrName.startsWith('on')) {
                found.push(name(el) + ' has ' + attrName + '=' + attr.value.slice(0, 60));
            } else if (urlAttrs.includes(attrName)) {
                let scheme = '';
                try { scheme = new URL(attr.value, document.baseURI).protocol; } catch (e) {}
                if (['javascript:', 'vbscript:', 'data:'].includes(scheme)) {
                    found.push(name(el) + ' has ' + attrName + '=' + attr.value.slice(0, 60));
                }
            }
        }
        const tag = el.localName.toLowerCase();
        if (['iframe', 'frame', 'object', 'embed', 'base', 'applet'].includes(tag)) {
            found.push('a ' + tag + ' element');
        }
        if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) {
            found.push('a meta refresh');
        }
        if (tag === 'script') {
            const src = el.getAttribute('src') || '';
            let ok = false;
            try {
                const url = new URL(src, document.baseURI);
                ok = src !== '' && url.origin === location.origin &&
                     url.pathname.startsWith('/static/');
            } catch (e) {}
            if (!ok) found.push('script ' + (src || el.textContent.slice(0, 60)));
        }
    }
    if (document.querySelector('a[href^="javascript:" i]')) found.push('a[href^="javascript:"]');
    return found;
}"""


def dangerous_dom(page) -> list[str]:
    """What in the showing document could run script (empty when nothing can)."""
    return page.evaluate(DANGEROUS_DOM_JS)


# --- Crawling -------------------------------------------------------------------------------

# Never followed: leaving (the exit), signing out, feeds (not pages), files.
CRAWL_SKIP = re.compile(r"^/(?:exit|logout|static/|favicon)|\.atom$|/logout")
# Segments that name one of many things of the same kind: ids, and the slugs after these.
_SLUG_AFTER = re.compile(r"^(/tags|/admin/tags|/resources/guides|/feeds/tags)/[^/]+")
CSP_NEEDED = "default-src 'self'"


def page_shape(path_and_query: str) -> str:
    """What kind of page a link leads to: ids and slugs become placeholders, query values
    are dropped ("/stories/12?after=x" -> "/stories/N?after")."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    path = _SLUG_AFTER.sub(lambda m: m.group(1) + "/S", path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    """What a crawl saw: each page visited with its status, in order, and every loopback
    response (page or asset) that came without a Content-Security-Policy of default-src
    'self'."""

    visited: dict[str, int] = field(default_factory=dict)
    without_csp: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)

    def broken(self) -> dict[str, int]:
        """Pages a link led to that did not answer 200."""
        return {path: status for path, status in self.visited.items() if status != 200}


def same_origin_links(page) -> list[str]:
    """Every link on the page, as absolute URLs without fragments."""
    return page.eval_on_selector_all(
        "a[href]",
        """links => links.map(a => { const u = new URL(a.href); u.hash = ''; return u.href; })""",
    )


def crawl(
    page, start: str | list[str] = "/", limit: int = 150, per_shape: int = 3, skip=CRAWL_SKIP
) -> Crawl:
    """Visit the pages reachable by same-origin links from start (a path, or several),
    breadth first.

    Bounded twice: at most limit pages, and at most per_shape pages of one shape (say three
    story pages, three tag pages; see page_shape), so every kind of page is reached without
    loading hundreds that differ only in their data. Only GET links are followed, so a
    crawl changes nothing but the session's remembered region.
    """
    from playwright.sync_api import Error as PlaywrightError

    result = Crawl()

    def check_csp(response) -> None:
        if is_loopback(response.url) and CSP_NEEDED not in response.headers.get(
            "content-security-policy", ""
        ):
            result.without_csp.append(f"{response.status} {response.url}")

    page.on("response", check_csp)
    origin = None
    queue = [start] if isinstance(start, str) else list(start)
    seen = set(queue)
    shapes: dict[str, int] = {}
    for path in queue:
        shapes[page_shape(path)] = shapes.get(page_shape(path), 0) + 1
    while queue and len(result.visited) < limit:
        target = queue.pop(0)
        try:
            response = page.goto(target)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            result.downloads.append(target)  # a file (an export), not a page: nothing to follow
            continue
        result.visited[target] = response.status if response else 0
        if origin is None:
            parts = urlsplit(page.url)
            origin = f"{parts.scheme}://{parts.netloc}"
        for url in same_origin_links(page):
            parts = urlsplit(url)
            found = parts.path + (f"?{parts.query}" if parts.query else "")
            if f"{parts.scheme}://{parts.netloc}" != origin or found in seen:
                continue
            seen.add(found)
            shape = page_shape(found)
            if skip.search(parts.path) or shapes.get(shape, 0) >= per_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(found)
    page.remove_listener("response", check_csp)
    return result


# --- Seeding the live app through its services -----------------------------------------------

TELLER, MODERATOR, ADMIN = "marten", "keeper", "steward"
TAG = "not-heard"
CRISIS_TEXT = "Some nights I want to end my life, and nobody in that room noticed."


@dataclass
class World:
    """Ids of what seed_stories made, for the tests to visit."""

    plain: int = 0  # published, every context field, no content note
    noted: int = 0  # published with content notes, answers and "what helped instead"
    replied: int = 0  # published with two published replies
    own_published: int = 0  # the teller's (signed in) stories
    own_pending: int = 0
    own_changes: int = 0
    status_story: int = 0  # sent without an account, opened with status_token
    status_token: str = ""
    pending: int = 0  # in the queue
    crisis: int = 0  # in the queue, crisis-flagged
    reported: int = 0  # published, with an open report
    pending_reply: int = 0
    published_replies: list[int] = field(default_factory=list)
    bait: int = 0  # set by test_privacy: a story that tries to load things from elsewhere


def in_app(live_server, build):
    """Run build() inside an app context of the live app; return what it returns."""
    with live_server.app.app_context():
        return build()


def seed_people() -> None:
    """The taxonomy, the resources and guides, a member, a moderator and an admin."""
    from forum.accounts.models import Role
    from forum.resources.loading import load_resources
    from tests.factories import load_tags, make_user

    load_tags()
    load_resources()
    make_user(TELLER)
    make_user(MODERATOR, role=Role.MODERATOR)
    make_user(ADMIN, role=Role.ADMIN)


def user_by_handle(handle: str):
    """The account with this handle (inside an app context)."""
    from sqlalchemy import select

    from forum.accounts.models import User
    from forum.db import db

    return db.session.scalar(select(User).where(User.handle == handle))


def add_reply(story_id: int, body: str, approve_as=None) -> int:
    """A reply from an anonymous reader, approved by approve_as if given; its id."""
    from forum.moderation.services import approve_reply
    from forum.stories import responses, services

    reply = responses.add_reply(
        story_id,
        None,
        body,
        secrets.token_urlsafe(24),
        reader_id=secrets.token_hex(8),
        teller=services.Teller(),
    )
    if approve_as is not None and reply.status is not reply.status.PUBLISHED:
        approve_reply(approve_as, reply.id)
    return reply.id


def seed_stories() -> World:
    """Stories in every state the pages show, through the services (seed_people first)."""
    from forum.moderation import reports
    from forum.moderation.services import approve_story, request_changes
    from forum.stories.models import Attribution, Format, Setting, StoryKind
    from forum.stories.services import submit_story
    from tests.factories import make_draft, make_story

    keeper, teller = user_by_handle(MODERATOR), user_by_handle(TELLER)
    world = World()

    def published(**fields) -> int:
        story = make_story(**fields)
        approve_story(keeper, story.id)
        return story.id

    world.plain = published(
        title="Fifty minutes of silence",
        body="I talked for two years and **nobody** listened.\n\nThen I stopped going.",
        harm_tags=[TAG, "got-worse"],
        practice_tags=["peer-support-group"],
        impacts={TAG: 3},
        therapy_kind="Person-centred counselling",
        setting=Setting.PRIVATE,
        format=Format.INDIVIDUAL,
        roughly_when="A few years ago",
        problem_kind="poor-quality",
        attribution=Attribution.THERAPY,
    )
    world.noted = published(
        title="The sessions that stirred everything up",
        body="It brought back things I had put away, and nobody helped me with them.",
        harm_tags=["memories-stirred"],
        content_notes=["self-harm", "medication"],
        answers={"affected": "I stopped sleeping.", "would-have-helped": "Going slower."},
        helped_instead="Walking with a friend every morning.",
    )
    world.replied = published(
        title="What helped me was a group",
        kind=StoryKind.PRACTICE,
        harm_tags=[],
        practice_tags=["peer-support-group", "nature"],
        body="A weekly walking group.",
    )
    world.published_replies = [
        add_reply(world.replied, "Thank you for writing this. It helped me.", keeper),
        add_reply(world.replied, "I *found* the same with a group.", keeper),
    ]
    world.own_published = published(
        title="My own story, published", author=teller, show_handle=True
    )
    world.own_pending = make_story(title="My own story, waiting", author=teller).id
    world.own_changes = make_story(title="My own story, to change", author=teller).id
    request_changes(keeper, world.own_changes, "Please take out the clinic's name.")
    sent = submit_story(
        None,
        make_draft(title="Sent without an account", harm_tags=["invalidated"]),
        secrets.token_urlsafe(24),
    )
    world.status_story, world.status_token = sent.story.id, sent.status_token
    world.pending = make_story(
        title="Waiting for a moderator", body="My counsellor, Dr Smith, said I was fine."
    ).id
    world.crisis = make_story(title="Too much right now", body=CRISIS_TEXT).id
    world.reported = published(title="A story someone reported")
    reports.file_report(
        None, "c:test:1", "story", world.reported, "unkind", "This is unkind to therapists."
    )
    world.pending_reply = add_reply(world.replied, "Waiting to be read by a moderator.")
    return world


# --- Payloads --------------------------------------------------------------------------------

PAYLOADS = XSS
PAYLOAD_FILES = (
    "xss_payloads_quick.txt",
    "XSS_Polyglots.txt",
    "BRUTELOGIC-XSS-STRINGS.txt",
    "port_swigger_xss_cheatsheet_event_handlers.txt",
)


def load_payloads() -> tuple[list[str], list[str]]:
    """Every line of the payload files, and for each bare event-handler name among them
    (PortSwigger's list) a payload that uses it: `<x onNAME=alert(1) tabindex=1>`."""
    lines: list[str] = []
    for name in PAYLOAD_FILES:
        path = PAYLOADS / name
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="replace")
            lines += [line for line in text.splitlines() if line.strip()]
    handlers = [line.strip() for line in lines if re.fullmatch(r"on[a-z]+", line.strip())]
    return lines, [f"<x {handler}=alert(1) tabindex=1>{handler}</x>" for handler in handlers]


def batches(items: list[str], budget: int, separator: str = " ") -> list[list[str]]:
    """Consecutive items packed so each batch, joined, fits in budget characters (an item
    longer than budget gets a batch of its own and is cut when used)."""
    packed: list[list[str]] = []
    size = budget + 1
    for item in items:
        extra = len(item) + (len(separator) if size else 0)
        if packed and size + extra <= budget:
            packed[-1].append(item)
            size += extra
        else:
            packed.append([item])
            size = len(item)
    return packed


# --- axe over walks of page states -------------------------------------------------------------

SCHEMES = ("light", "dark")


def audit_schemes(page, label: str, found: dict) -> None:
    """Audit the showing page in the light and the dark colour scheme."""
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        found[f"{label} [{scheme}]"] = audit(page)


def serve_stripped(page):
    """serve_without_js, plus a way to strip a page that a redirect delivered unstripped.

    Returns settle(): call it after every step. When the showing document still has its
    scripts (Chromium followed a fulfilled redirect without routing it), it is shown again
    from the body the server already sent, stripped, without asking the server twice (some
    pages, like /share/sent, show once).
    """
    serve_without_js(page)
    bodies: dict[str, object] = {}

    def remember(response) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame:
            bodies[response.url] = response

    page.on("response", remember)

    def settle() -> None:
        if not has_scripts(page):
            return
        url = page.url
        html = without_js(bodies[url].text())
        page.route(
            url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
            times=1,
        )
        page.goto(url)
        assert not has_scripts(page), f"{url}: scripts were not stripped"

    return settle


def audit_walk(page, states, javascript: bool) -> dict[str, list]:
    """Audit every state a walk yields, in both schemes; with javascript False, as the page
    renders without JavaScript (the walk's page must come from serve_stripped)."""
    found: dict[str, list] = {}
    mode = "JS on" if javascript else "JS off"
    for label in states:
        assert javascript or not has_scripts(page), f"{label}: scripts were not stripped"
        audit_schemes(page, f"{label} [{mode}]", found)
    return found
