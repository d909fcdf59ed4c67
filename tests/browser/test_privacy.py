"""No third-party request, ever (issue 6, item 6): crawls of every kind of page reachable
from the home page, as a reader, a signed-in teller and a member of staff, in watched
contexts that fail on any request leaving 127.0.0.1; every response carries the CSP.

The guards these tests and test_stories.py rely on are proved here on a page served only
in the test, which does everything they must catch."""

from __future__ import annotations

import pytest

from forum.safety.headers import CSP
from tests.browser import (
    ADMIN,
    CSP_NEEDED,
    TELLER,
    crawl,
    dangerous_dom,
    in_app,
    install_spy,
    path_of,
    seed_people,
    seed_stories,
    sign_in,
    submit,
)

# The fewest pages each crawl must reach; the numbers are printed (pytest -s) for the record.
AT_LEAST = {"reader": 40, "teller": 35, "staff": 50}
# Pages of one shape (story pages, tag pages...) a crawl visits at most: the reader's crawl
# goes wider; signed-in crawls add their own pages to the same public ones.
PER_SHAPE = {"reader": 6, "teller": 2, "staff": 2}


def _check(role: str, result, watch) -> None:
    print(f"\n{role}: {len(result.visited)} pages crawled")
    # The guard also fails the test at teardown; asserting here names the role.
    assert watch.blocked == [], f"requests that left 127.0.0.1 ({role}): {watch.blocked}"
    assert len(result.visited) >= AT_LEAST[role], (
        f"the {role} crawl reached only {len(result.visited)} pages: {sorted(result.visited)}"
    )
    assert result.broken() == {}, f"links that lead nowhere ({role}): {result.broken()}"
    assert result.without_csp == [], f"responses without {CSP_NEEDED!r}: {result.without_csp}"


BAIT = (
    "Pictures and links, which must not load anything from elsewhere: "
    "![a pixel](https://tracker.example/markdown.gif) "
    '<img src="https://tracker.example/raw.gif" alt="x"> '
    '<link rel="stylesheet" href="https://cdn.example/style.css"> '
    '<iframe src="https://embed.example/"></iframe> '
    '<video src="https://media.example/v.mp4" autoplay></video> '
    "[a link](https://example.org/page) and https://example.org/bare"
)


def _seed_with_bait():
    from forum.moderation.services import approve_story
    from tests.browser import MODERATOR, user_by_handle
    from tests.factories import make_story

    world = seed_stories()
    bait = make_story(title="Links and pictures", body=BAIT, helped_instead=BAIT)
    approve_story(user_by_handle(MODERATOR), bait.id)
    return world, bait.id


@pytest.fixture
def world(live_server):
    """The usual stories, and a newest one whose text tries to load things from elsewhere."""
    in_app(live_server, seed_people)
    world, bait = in_app(live_server, _seed_with_bait)
    world.bait = bait
    return world


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_crawls_as_reader_teller_and_staff_stay_on_this_machine(new_context, live_server, world):
    """Every kind of page reachable by links from /, as a reader, as a signed-in teller
    who also opened a story with its status code, and as an admin (who sees every
    moderator page and the admin ones): no request leaves 127.0.0.1 (the contexts' guards
    fail the test at teardown), every link leads to a page, every response has the CSP."""
    reader = new_context(axe=False).new_page()
    reader_watch = new_context.watch(reader.context)
    result = crawl(reader, per_shape=PER_SHAPE["reader"])
    _check("reader", result, reader_watch)
    for path in ("/stories", f"/stories/{world.bait}", "/tags", "/resources", "/share"):
        assert path in result.visited, f"the reader crawl never reached {path}"

    teller = new_context(axe=False).new_page()
    teller_watch = new_context.watch(teller.context)
    sign_in(teller, TELLER)
    teller.goto("/status")
    teller.get_by_label("Your status code").fill(world.status_token)
    submit(teller)
    assert "Sent without an account" in teller.content()
    # Nothing links to /status for a returning teller (only /share/sent does), so the crawl
    # starts there too.
    result = crawl(teller, start=["/", "/status"], per_shape=PER_SHAPE["teller"])
    _check("teller", result, teller_watch)
    for path in ("/account", "/account/stories", "/status"):
        assert path in result.visited, f"the teller crawl never reached {path}"
    assert any(path_of(p).startswith(f"/status/{world.status_story}/") for p in result.visited)

    staff = new_context(axe=False).new_page()
    staff_watch = new_context.watch(staff.context)
    sign_in(staff, ADMIN)
    # Curation pages have no link from any page yet: start there too.
    rules = {rule.rule for rule in live_server.app.url_map.iter_rules()}
    unlinked = [path for path in ("/resources/manage", "/admin/tags") if path in rules]
    result = crawl(staff, start=["/", *unlinked], per_shape=PER_SHAPE["staff"])
    _check("staff", result, staff_watch)
    for path in ("/moderation", "/moderation/log", "/resources/manage"):
        assert path in result.visited, f"the staff crawl never reached {path}"
    assert any(path_of(p).startswith("/moderation/story/") for p in result.visited)


# --- The guards fire --------------------------------------------------------------------------

BAD_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title>
<script>alert("ran"); fetch("/__selftest/data");</script></head>
<body><main><h1>Bad</h1>
<img src="https://tracker.example/pixel.gif" alt="">
<a href="javascript:void(0)">a script link</a> <div onclick="steal()">click</div>
<a href="/__selftest/next">next</a></main></body></html>"""
NEXT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Next</title>
</head><body><main><h1>Next</h1><a href="/__selftest/bad">back</a></main></body></html>"""
INLINE_UNDER_CSP = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Inline</title></head><body><main><h1>Inline</h1>
<script>document.title = "ran";</script></main></body></html>"""

DATA = {"/__selftest/data": ("{}", {})}  # what BAD_PAGE fetches


def _serve(page, live_server, pages: dict[str, tuple[str, dict]]) -> None:
    """Serve made-up pages at loopback paths of this page only."""

    def fulfil(route):
        path = path_of(route.request.url)
        if path not in pages:
            return route.fulfill(status=404, body="")
        body, headers = pages[path]
        return route.fulfill(status=200, content_type="text/html", body=body, headers=headers)

    page.route(live_server.url("/__selftest/**"), fulfil)


def test_the_guards_catch_scripts_third_parties_and_missing_headers(new_context, live_server):
    """On a page that runs an inline script, calls alert and fetch, loads a tracker pixel,
    has an on* attribute and a javascript: link, and comes without a CSP: the spy records
    the calls, dangerous_dom finds the markup, the context's guard blocks and records the
    pixel, and the crawl reports both pages without the CSP."""
    context = new_context(axe=False)
    calls = install_spy(context)
    page = context.new_page()
    _serve(
        page,
        live_server,
        {**DATA, "/__selftest/bad": (BAD_PAGE, {}), "/__selftest/next": (NEXT_PAGE, {})},
    )

    result = crawl(page, start="/__selftest/bad", limit=5)
    assert list(result.visited) == ["/__selftest/bad", "/__selftest/next"]
    assert len(result.without_csp) >= 2, result.without_csp
    assert any(call.startswith("alert('ran')") for call in calls), calls
    assert any(call.startswith("fetch(") for call in calls), calls
    page.goto("/__selftest/bad")
    found = " | ".join(dangerous_dom(page))
    for expected in ("onclick", "javascript:", "script alert"):
        assert expected in found, f"dangerous_dom missed {expected}: {found}"

    watch = new_context.watch(context)
    assert "https://tracker.example/pixel.gif" in watch.blocked
    assert any("request left 127.0.0.1" in problem for problem in watch.problems())
    # Proven; what this test provoked must not fail it at teardown.
    watch.blocked.clear()
    watch.failed_assets.clear()


def test_the_guards_catch_dialogs_and_csp_reports(new_context, live_server):
    """Without the spy, an alert is a dialog the context records; under the app's CSP an
    inline script is refused and the report is recorded. Either fails a test at teardown."""
    context = new_context(axe=False)
    page = context.new_page()
    _serve(
        page,
        live_server,
        {
            **DATA,
            "/__selftest/bad": (BAD_PAGE, {}),
            "/__selftest/inline": (INLINE_UNDER_CSP, {"Content-Security-Policy": CSP}),
        },
    )
    page.goto("/__selftest/inline")
    assert page.title() == "Inline", "the inline script ran under the app's CSP"
    page.goto("/__selftest/bad")
    watch = new_context.watch(context)
    problems = watch.problems()
    assert ("alert", "ran") in watch.dialogs, watch.dialogs
    assert any(problem.startswith("CSP violation") for problem in problems), problems
    assert any(problem.startswith("dialog alert") for problem in problems), problems
    watch.blocked.clear()
    watch.failed_assets.clear()
    watch.dialogs.clear()
    watch.console.clear()
