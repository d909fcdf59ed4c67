"""Reading and sharing stories in a real browser: axe on every state of the story pages,
tags, /share, /status and the teller's list (light and dark, JavaScript on and off), and
stored XSS payloads through every field readers and moderators see, checked where they
would run."""

from __future__ import annotations

import pytest

from forum.stories.reading import PAGE_SIZE
from tests.browser import (
    CRISIS_TEXT,
    DANGEROUS_DOM_JS,
    MODERATOR,
    TAG,
    TELLER,
    add_reply,
    audit_walk,
    batches,
    format_violations,
    in_app,
    install_spy,
    load_payloads,
    path_of,
    seed_people,
    seed_stories,
    serve_stripped,
    sign_in,
    submit,
)


def _title(page) -> str:
    return page.title()


def _heading(page) -> str:
    return page.locator("h1").first.inner_text()


def walk_story_states(page, live_server, settle):
    """Every state of the reader's and the teller's pages; yields a label at each."""
    in_app(live_server, seed_people)
    page.goto("/stories")
    assert _heading(page).startswith("0 stories"), _heading(page)
    yield "/stories (empty)"
    page.goto("/tags")
    yield "/tags (no stories yet)"
    page.goto(f"/tags/{TAG}")
    yield f"/tags/{TAG} (no stories yet)"

    world = in_app(live_server, seed_stories)
    page.goto("/stories")
    assert page.locator(f"a[href='/stories/{world.plain}']").count() >= 1
    yield "/stories (with stories)"
    page.goto(f"/stories?type=experience&tag={TAG}&tag=memories-stirred&exclude=got-worse")
    assert "leaving out" in _heading(page), _heading(page)
    yield "/stories (active filters)"
    page.goto("/stories?tag=bad-ending")
    assert _heading(page).startswith("0 stories about"), _heading(page)
    yield "/stories (filters, nothing matches)"

    page.goto(f"/stories/{world.plain}")
    assert page.locator("details.content-note").count() == 0
    yield "/stories/<id> (plain)"
    page.goto(f"/stories/{world.noted}")
    note = page.locator("details.content-note")
    assert not note.evaluate("d => d.open"), "the content note starts open"
    yield "/stories/<id> (content note closed)"
    note.locator("summary").click()
    assert note.evaluate("d => d.open"), "the content note did not open"
    yield "/stories/<id> (content note open)"
    page.goto(f"/stories/{world.replied}")
    assert page.locator("#replies li.reply").count() == 2
    yield "/stories/<id> (with replies)"
    submit(page, page.get_by_role("button", name="Send reply for review"))
    settle()
    assert _title(page).startswith("Error: "), "an empty reply did not show an error"
    yield "/stories/<id> (reply form with an error)"

    page.goto("/tags")
    yield "/tags (with stories)"
    page.goto(f"/tags/{TAG}")
    assert page.locator(f"a[href='/stories/{world.plain}']").count() >= 1
    yield f"/tags/{TAG} (with stories)"

    page.goto("/status")
    yield "/status (form)"
    page.get_by_label("Your status code").fill("not-a-real-status-code")
    submit(page)
    settle()
    assert _title(page).startswith("Error: "), "a wrong status code did not show an error"
    yield "/status (wrong code)"
    page.get_by_label("Your status code").fill(world.status_token)
    submit(page)
    settle()
    assert path_of(page.url) == "/status" and "Sent without an account" in page.content()
    yield "/status (with an opened story)"

    page.goto("/share")
    yield "/share (empty)"
    submit(page, page.get_by_role("button", name="Continue"))
    settle()
    assert _title(page).startswith("Error: "), "an empty story did not show errors"
    yield "/share (errors)"
    page.locator("input[name=kind][value=experience]").check()
    page.locator("#title").fill("Nobody heard me")
    page.locator("#body").fill(f"Write to me at sam@example.com. {CRISIS_TEXT}")
    page.locator(f"input[name=harm_tags][value={TAG}]").check()
    submit(page, page.get_by_role("button", name="Continue"))
    settle()
    assert page.locator("#crisis-title").count() == 1, "no crisis panel on the check step"
    assert "sam@example.com" in page.locator("ul.findings").inner_text()
    yield "/share (check step: identifiers and crisis help)"
    submit(page, page.get_by_role("button", name="Continue"))
    settle()
    assert page.get_by_role("button", name="Submit for review").count() == 1
    yield "/share (preview)"
    submit(page, page.get_by_role("button", name="Submit for review"))
    settle()
    assert path_of(page.url) == "/share/sent", page.url
    yield "/share/sent"

    sign_in(page, TELLER)
    page.goto("/account/stories")
    assert "My own story, waiting" in page.content()
    yield "/account/stories"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_on_story_pages(new_context, live_server, javascript):
    """Every story, tag, share and status state passes axe in light and dark, with
    JavaScript and as rendered without it."""
    # Reduced motion: no colour transition to wait out after each scheme switch.
    page = new_context(reduced_motion="reduce").new_page()
    settle = (lambda: None) if javascript else serve_stripped(page)
    found = audit_walk(page, walk_story_states(page, live_server, settle), javascript)
    assert len(found) == 2 * 22, f"the walk stopped early: {sorted(found)}"
    assert not any(found.values()), "axe violations:\n" + format_violations(found)


# --- Stored XSS --------------------------------------------------------------------------------

TITLE_MAX, REPORT_MAX, NOTE_MAX, REPLY_MAX = 200, 1000, 2000, 5000


def _seed_payloads(lines: list[str], crafted: list[str]) -> dict:
    """Every line in a title, a body, an answer, "what helped instead" and a reply of a
    published story (the crafted handler payloads in all but the titles), and every one in
    a report's details, a reply waiting and a moderator's note; four stories queued."""
    from forum.moderation import people, reports
    from forum.moderation.services import approve_story
    from tests.browser import user_by_handle
    from tests.factories import make_story

    keeper = user_by_handle(MODERATOR)
    published, queued, titles = [], [], {}
    payloads = lines + crafted
    titled = batches(lines, TITLE_MAX)
    for number, batch in enumerate(titled):
        title = " ".join(batch)[:TITLE_MAX]
        batch = batch + crafted[number :: len(titled)]
        text = "\n\n".join(batch)
        fields = {
            "title": title,
            "body": f"Before the payloads.\n\n{text}\n\nAfter, {number}.",
            "answers": {"affected": text, "would-have-helped": " ".join(batch)},
            "helped_instead": text,
            "harm_tags": [TAG],
            "therapy_kind": batch[0][:120],
            "roughly_when": batch[-1][:60],
        }
        story = make_story(**fields)
        approve_story(keeper, story.id)
        add_reply(story.id, text, keeper)
        published.append(story.id)
        titles[story.id] = story.title
    # The queue: stories waiting, one story with every payload in its reports (two "other",
    # below the hiding threshold, the rest "may be at risk", which never hide), and replies
    # waiting; every payload also in a moderator's notes on an account.
    reported = published[0]
    for number, batch in enumerate(batches(payloads, REPORT_MAX, "\n")):
        reason = "other" if number < 2 else "at-risk"
        detail = "\n".join(batch)[:REPORT_MAX]
        reports.file_report(None, f"c:xss:{number}", "story", reported, reason, detail)
        if number < 4:
            queued.append(make_story(**{**fields, "title": batch[0][:TITLE_MAX]}).id)
    for batch in batches(payloads, REPLY_MAX, "\n"):
        add_reply(published[1], "\n".join(batch))
    for batch in batches(payloads, NOTE_MAX, "\n"):
        people.add_note(keeper, keeper.id, "\n".join(batch))
    return {
        "published": published,
        "queued": queued,
        "reported": [reported],
        "keeper": keeper.id,
        "titles": titles,
    }


def _pending_replies() -> list[int]:
    from sqlalchemy import select

    from forum.db import db
    from forum.stories.models import Reply, Status

    return list(db.session.scalars(select(Reply.id).where(Reply.status == Status.PENDING)))


OLDER = "a[rel=next]"
HEADING_JS = "(document.querySelector('h1') || {}).innerText || ''"


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_stored_payloads_never_run_in_the_browser(new_context, live_server):
    """Every line of the XSS payload files, stored through the services and published, runs
    nowhere: no dialog, page error or CSP report (the context's guards), no call to alert,
    confirm, prompt, print or fetch, no on* attribute and no javascript: link, on the
    listings, every story page, the tag page, the feed, the queue and every item page."""
    lines, crafted = load_payloads()
    if len(lines) < 200:
        pytest.skip("the payload files in /work/shared/attack/payloads/xss are missing")
    live_server.app.config["MODERATION_QUEUE_SIZE"] = 500
    in_app(live_server, seed_people)
    seeded = in_app(live_server, lambda: _seed_payloads(lines, crafted))
    pending_replies = in_app(live_server, _pending_replies)
    context = new_context(axe=False)
    calls = install_spy(context)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    visited: list[str] = []

    def visit(url: str) -> str:
        """Load url, note anything dangerous in it; its first heading's text."""
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response}"
        visited.append(url)
        found, heading = page.evaluate(f"[({DANGEROUS_DOM_JS})(), {HEADING_JS}]")
        if found:
            problems[url] = found[:5]
        return heading

    def visit_with_older(url: str) -> int:
        """A listing and each older page of it; how many pages it had."""
        pages = 0
        while url and pages < 20:
            visit(url)
            pages += 1
            older = page.locator(OLDER)
            url = older.first.get_attribute("href") if older.count() else None
        return pages

    # Every title is on some page of each listing: follow "Older stories" to the end.
    for listing in ("/stories", f"/tags/{TAG}"):
        pages = visit_with_older(listing)
        assert pages * PAGE_SIZE >= len(seeded["published"]), f"{listing}: {pages} page(s)"
    visit("/")
    visit("/feeds/stories.atom")
    for story_id, title in seeded["titles"].items():
        shown = visit(f"/stories/{story_id}")
        # The payloads are there, as text: the heading shows the stored title exactly.
        assert " ".join(shown.split()) == " ".join(title.split()), (story_id, shown, title)

    sign_in(page, MODERATOR)
    staff = ["/moderation", "/moderation-log", f"/moderation/accounts/{seeded['keeper']}"]
    staff += [f"/moderation/story/{i}" for i in seeded["queued"] + seeded["reported"]]
    staff += [f"/moderation/reply/{i}" for i in pending_replies]
    for url in staff:
        visit(url)
    page.goto("/moderation")
    waiting = len(seeded["queued"]) + len(seeded["reported"]) + len(pending_replies)
    assert f"{waiting} waiting" in page.locator("#main").inner_text()

    assert len(visited) >= len(seeded["published"]) + len(staff) + 4
    assert calls == [], "script ran:\n" + "\n".join(calls)
    assert problems == {}, "dangerous markup:\n" + "\n".join(
        f"{url}: {found}" for url, found in problems.items()
    )
