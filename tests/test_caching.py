"""The page cache never shows a stale page: two app instances ("two workers") share one
database (and, with the `redis` store, one Redis); after each kind of change, made through the
real service on worker A, the next request on worker B shows the new state.

Worker B's pages are requested before every change, so its cache holds the old state: the
memory store keeps a copy in B's own process (as gunicorn workers would), the Redis store one
copy for both. Only the generation in the database (forum/caching.py) can tell B to drop it.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.caching import _MARK as MARK
from forum.caching import (
    CONTENT,
    CacheGeneration,
    cache,
    content_changed,
    generation,
    shared_page,
)
from forum.data_rights.services import delete_account
from forum.db import db
from forum.moderation import actions, receipts, teller_changes
from forum.moderation import services as moderation
from forum.stories import changes, responses, services
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, StoryChange
from forum.taxonomy import services as taxonomy
from forum.taxonomy.models import Tag
from tests.conftest import make_test_app, service_missing
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.stories.test_queries import counting
from tests.web import sign_in

TITLE = "The counsellor kept looking at the clock"
# Every page a story shows on: listings, a search, its tag's page, both feeds, its own URL.
LISTINGS = (
    "/",
    "/stories",
    "/stories?q=counsellor+clock",
    "/stories?tag=not-heard",
    "/tags/not-heard",
    "/feeds/stories.atom",
    "/feeds/tags/not-heard.atom",
)


def _redis_settings() -> dict:
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("REDIS_URL not set: the shared page-cache tests need a Redis server")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis at {url} is not reachable")
    # A key prefix of this test's own: tests share the server, and each has a fresh database.
    return {"CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": f"heard-test-{uuid.uuid4().hex}:"}


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request) -> dict:
    """Each worker's own memory, or one Redis for both."""
    return {} if request.param == "memory" else _redis_settings()


@dataclass
class Workers:
    a: object
    b: object
    story_id: int

    def on_a(self, change: Callable[[], object]) -> None:
        """Make a change through a service on worker A, in a context of its own."""
        with self.a.app_context():  # type: ignore[attr-defined]
            change()
            db.session.remove()

    def page(self, url: str) -> tuple[int, str]:
        """What worker B answers for url."""
        response = self.b.test_client().get(url)  # type: ignore[attr-defined]
        return response.status_code, response.get_data(as_text=True)

    def warm_b(self) -> None:
        """Fill worker B's cache with every page the story is on."""
        for url in (*LISTINGS, f"/stories/{self.story_id}", "/tags"):
            self.page(url)


def user(handle: str) -> User:
    found = db.session.scalar(select(User).where(User.handle == handle))
    assert found is not None
    return found


@pytest.fixture
def workers(app, database_uri, store) -> Workers:
    with app.app_context():
        load_tags()
        make_user("mod", role=Role.MODERATOR)
        make_user("admin", role=Role.ADMIN)
        teller = make_user("teller")
        make_user("friend")
        story = make_story(
            status=Status.PUBLISHED,
            author=teller,
            title=TITLE,
            body="Every session the counsellor kept looking at the clock.",
            show_handle=True,
        )
        story_id = story.id
        db.session.remove()
    a, b = make_test_app(database_uri, **store), make_test_app(database_uri, **store)
    workers = Workers(a, b, story_id)
    workers.warm_b()
    yield workers
    for application in (a, b):
        with application.app_context():
            cache.clear()  # with Redis, removes this test's keys (its own prefix)
            db.engine.dispose()


def _shown_everywhere(w: Workers) -> None:
    for url in LISTINGS:
        assert TITLE in w.page(url)[1], url
    assert w.page(f"/stories/{w.story_id}")[0] == 200


def _gone_everywhere(w: Workers) -> None:
    for url in LISTINGS:
        assert TITLE not in w.page(url)[1], url
    assert w.page(f"/stories/{w.story_id}")[0] == 404


def _hide(w: Workers) -> None:
    w.on_a(lambda: actions.hide(user("mod"), "story", w.story_id, "Breaks the guidelines"))


def test_a_hidden_story_disappears_at_once_everywhere(workers):
    _shown_everywhere(workers)
    _hide(workers)
    _gone_everywhere(workers)


def test_a_restored_story_comes_back_at_once(workers):
    _hide(workers)
    workers.warm_b()
    workers.on_a(lambda: actions.restore(user("mod"), "story", workers.story_id, "On reflection"))
    _shown_everywhere(workers)


def test_an_erased_story_disappears_at_once(workers):
    def erase():
        teller = services.Teller(user=user("teller"))
        services.erase_story(teller, db.session.get(Story, workers.story_id))

    workers.on_a(erase)
    _gone_everywhere(workers)


def test_a_withdrawn_story_disappears_at_once(workers):
    def withdraw():
        teller = services.Teller(user=user("teller"))
        services.withdraw_story(teller, db.session.get(Story, workers.story_id))

    workers.on_a(withdraw)
    _gone_everywhere(workers)


def test_deleting_an_account_with_its_posts_erases_its_story_at_once(workers):
    workers.on_a(lambda: delete_account(user("teller"), PASSWORD, erase_posts=True))
    _gone_everywhere(workers)


def test_deleting_an_account_keeping_its_posts_drops_the_handle_at_once(workers):
    url = f"/stories/{workers.story_id}"
    assert "Shared by teller" in workers.page(url)[1]
    workers.on_a(lambda: delete_account(user("teller"), PASSWORD, erase_posts=False))
    assert "Shared by Anonymous" in workers.page(url)[1]


def test_a_published_story_appears_at_once(workers):
    new_title = "My therapist talked about herself"
    ids = []

    def submit():
        ids.append(make_story(title=new_title, body="She talked about herself.").id)

    workers.on_a(submit)
    workers.warm_b()
    assert new_title not in workers.page("/stories")[1]
    workers.on_a(lambda: moderation.approve_story(user("mod"), ids[0]))
    for url in ("/", "/stories", "/stories?q=talked+herself", "/tags/not-heard"):
        assert new_title in workers.page(url)[1], url
    assert new_title in workers.page("/feeds/stories.atom")[1]
    assert workers.page(f"/stories/{ids[0]}")[0] == 200


def test_an_accepted_redaction_shows_the_new_words_at_once(workers):
    new_title = "The counsellor seemed distracted"
    workers.on_a(
        lambda: receipts.redact(
            user("mod"), workers.story_id, new_title, "They seemed distracted.", "Less detail"
        )
    )
    _gone_everywhere(workers)  # out of view while the teller decides
    workers.on_a(
        lambda: receipts.accept_redaction(services.Teller(user=user("teller")), workers.story_id)
    )
    status, html = workers.page(f"/stories/{workers.story_id}")
    assert status == 200 and new_title in html and "clock" not in html
    assert new_title in workers.page("/stories")[1]
    assert new_title in workers.page("/feeds/stories.atom")[1]


def _decide(change_id: int, decision: str) -> None:
    change = db.session.get(StoryChange, change_id)
    teller_changes.decide(user("mod"), change, decision, "Thank you", change.version)


def test_an_approved_update_shows_under_the_story_at_once(workers):
    sent: dict = {}

    def send() -> None:
        teller = services.Teller(user=user("teller"))
        update = changes.add_update(
            teller, workers.story_id, "Months later I found a peer group.", "u" * 32, checked=True
        )
        sent["id"] = update.change.id

    workers.on_a(send)
    assert "peer group" not in workers.page(f"/stories/{workers.story_id}")[1]  # in review
    workers.on_a(lambda: _decide(sent["id"], "accept"))
    assert "peer group" in workers.page(f"/stories/{workers.story_id}")[1]


def test_an_accepted_revision_shows_the_new_words_at_once(workers):
    new_title = "The counsellor watched the clock, not me"
    sent: dict = {}

    def send() -> None:
        teller = services.Teller(user=user("teller"))
        revision = changes.propose_revision(
            teller, workers.story_id, new_title, "I felt like a task.", "r" * 32, checked=True
        )
        sent["id"] = revision.change.id

    workers.on_a(send)
    assert new_title not in workers.page("/stories")[1]  # the published words stay meanwhile
    workers.on_a(lambda: _decide(sent["id"], "accept"))
    status, html = workers.page(f"/stories/{workers.story_id}")
    assert status == 200 and new_title in html and "clock." not in html
    for url in LISTINGS:
        assert new_title in workers.page(url)[1], url


def test_adjusted_tags_move_the_story_between_tag_pages_at_once(workers):
    assert TITLE not in workers.page("/tags/invalidated")[1]
    workers.on_a(
        lambda: actions.adjust_tags(
            user("mod"), workers.story_id, ["invalidated"], [], [], "Closer to what happened"
        )
    )
    assert TITLE in workers.page("/tags/invalidated")[1]
    assert TITLE not in workers.page("/tags/not-heard")[1]
    assert TITLE not in workers.page("/feeds/tags/not-heard.atom")[1]


def test_a_renamed_tag_shows_its_new_name_at_once(workers):
    def rename():
        tag = db.session.scalar(select(Tag).where(Tag.slug == "not-heard"))
        taxonomy.update_tag(user("admin"), tag, "Not listened to", tag.description)

    workers.on_a(rename)
    for url in ("/tags", "/stories", f"/stories/{workers.story_id}", "/tags/not-heard"):
        assert "Not listened to" in workers.page(url)[1], url


def test_a_reaction_is_counted_at_once(workers):
    url = f"/stories/{workers.story_id}"
    kind = next(iter(ReactionKind))
    assert f'{kind.label} <span class="reaction-count">(0)' in workers.page(url)[1]
    workers.on_a(lambda: responses.react(workers.story_id, kind, "c:2026-01-01:" + "0" * 32))
    assert f'{kind.label} <span class="reaction-count">(1)' in workers.page(url)[1]
    assert f"{kind.label}: 1" in workers.page("/stories")[1]  # the card's counts


def _reply(story_id: int, handle: str | None, body: str) -> int:
    """A reply sent for review through the service, as the reply form sends it."""
    author = user(handle) if handle else None
    token, reader = uuid.uuid4().hex, "reader-" + uuid.uuid4().hex
    return responses.add_reply(
        story_id, author, body, token, reader_id=reader, teller=services.Teller()
    ).id


def test_an_approved_reply_appears_at_once_and_an_erased_one_goes(workers):
    url = f"/stories/{workers.story_id}"
    ids = []
    workers.on_a(
        lambda: ids.append(_reply(workers.story_id, "friend", "You deserved to be listened to."))
    )
    workers.warm_b()
    assert "You deserved to be listened to." not in workers.page(url)[1]  # waits for review
    workers.on_a(lambda: moderation.approve_reply(user("mod"), ids[0]))
    assert "You deserved to be listened to." in workers.page(url)[1]
    assert "1 reply" in workers.page("/stories")[1]
    # The reply's writer deletes their account with what they wrote: the reply goes at once.
    workers.on_a(lambda: delete_account(user("friend"), PASSWORD, erase_posts=True))
    assert "You deserved to be listened to." not in workers.page(url)[1]
    assert "0 replies" in workers.page("/stories")[1]


def test_a_hidden_reply_goes_at_once(workers):
    url = f"/stories/{workers.story_id}"
    ids = []
    workers.on_a(lambda: ids.append(_reply(workers.story_id, None, "Same thing happened to me.")))
    workers.on_a(lambda: moderation.approve_reply(user("mod"), ids[0]))
    assert "Same thing happened to me." in workers.page(url)[1]
    workers.on_a(lambda: actions.hide(user("mod"), "reply", ids[0], "Breaks the guidelines"))
    assert "Same thing happened to me." not in workers.page(url)[1]


@pytest.mark.parametrize(
    ("flag", "url", "shown"),
    [
        ("locked", "/stories/{id}", "Replies are closed on this story."),
        ("pinned", "/stories", "Pinned by the moderators"),
        ("featured", "/", "Featured"),
    ],
)
def test_lock_pin_and_feature_show_at_once(workers, flag, url, shown):
    page = url.format(id=workers.story_id)
    before = workers.page(page)[1]
    workers.on_a(
        lambda: actions.set_flag(user("mod"), workers.story_id, flag, True, "Moderators' choice")
    )
    after = workers.page(page)[1]
    assert after.count(shown) > before.count(shown), flag


# --- The generation itself ------------------------------------------------------------------


def test_the_generation_changes_only_with_a_committed_change(ctx):
    def stored() -> int | None:
        return db.session.scalar(
            select(CacheGeneration.value).where(CacheGeneration.scope == CONTENT)
        )

    first = stored()
    content_changed()
    db.session.rollback()
    assert stored() == first  # a change that rolled back leaves cached pages valid
    content_changed()
    db.session.commit()
    second = stored()
    assert second is not None and second != first
    db.session.commit()  # a commit with no change keeps it
    assert stored() == second


def test_a_request_reads_the_generation_once(app):
    with app.test_request_context("/"):
        assert generation() == generation()


# --- The store failing ------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_redis_down_pages_are_built_from_the_database(app, database_uri, caplog):
    pytest.importorskip("redis")
    with app.app_context():
        load_tags()
        story_id = make_story(status=Status.PUBLISHED, title=TITLE).id
        db.session.remove()
    offline = make_test_app(database_uri, CACHE_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/3")
    client = offline.test_client()
    with caplog.at_level(logging.WARNING, logger="forum.caching"):
        for url in (*LISTINGS, f"/stories/{story_id}", "/tags"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert TITLE in response.get_data(as_text=True) or url == "/tags", url
    warnings = [r for r in caplog.records if r.name == "forum.caching"]
    assert len(warnings) == 1  # said once, then the store is left alone for a while
    assert "127.0.0.1" not in warnings[0].getMessage()
    # Still right after a change: nothing was kept anywhere.
    with offline.app_context():
        actions.hide(user_or_none("mod"), "story", story_id, "Breaks the guidelines")
        db.session.remove()
    assert client.get(f"/stories/{story_id}").status_code == 404


def user_or_none(handle: str) -> User:
    """The moderator, made on first use."""
    found = db.session.scalar(select(User).where(User.handle == handle))
    return found or make_user(handle, role=Role.MODERATOR)


# --- Whole pages for readers with nothing personal ---------------------------------------------


@pytest.fixture
def shared(app):
    with app.app_context():
        load_tags()
        make_user("reader")
        make_story(status=Status.PUBLISHED, title=TITLE, harm_tags=["not-heard"])
        db.session.remove()
    return app


def _statements(app, client, url: str):
    with counting(app) as seen:
        response = client.get(url)
    return response, seen


@pytest.mark.parametrize("url", [*LISTINGS, "/tags"])
def test_a_reader_page_is_kept_whole_for_readers_with_nothing_personal(shared, url):
    first = shared.test_client().get(url)
    again, seen = _statements(shared, shared.test_client(), url)
    assert again.status_code == first.status_code == 200
    assert again.get_data() == first.get_data()
    assert [s for s in seen if "cache_generations" not in s and s != "BEGIN"] == []
    # The headers are made on each response, not kept.
    assert again.headers["Content-Security-Policy"] and "Set-Cookie" not in again.headers
    assert again.content_type == first.content_type


def test_a_reader_with_hidden_tags_gets_a_page_of_their_own(shared):
    shared.test_client().get("/stories")  # the shared page, kept
    client = shared.test_client()
    with client.session_transaction() as session:
        session["hidden_tags"] = ["not-heard"]
    html = client.get("/stories").get_data(as_text=True)
    assert TITLE not in html and "Some stories are hidden" in html
    assert TITLE in shared.test_client().get("/stories").get_data(as_text=True)


def test_a_signed_in_member_never_gets_the_shared_page(shared):
    anonymous = shared.test_client().get("/").get_data(as_text=True)
    client = shared.test_client()
    sign_in(client, "reader", PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert "Sign out" in html and "Sign out" not in anonymous
    assert "Sign out" not in shared.test_client().get("/").get_data(as_text=True)


def test_a_shared_story_page_gives_each_reader_tokens_of_their_own(shared):
    with shared.app_context():
        story_id = db.session.scalar(select(Story.id).where(Story.title == TITLE))
    url = f"/stories/{story_id}"
    shared.test_client().get(url)  # kept
    readers = [shared.test_client() for _ in range(2)]
    pages = []
    for client in readers:
        response, seen = _statements(shared, client, url)
        assert [s for s in seen if "cache_generations" not in s and s != "BEGIN"] == []
        assert "Set-Cookie" in response.headers  # the reader's CSRF secret, as before
        pages.append(response.get_data(as_text=True))
    csrf = [set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)) for page in pages]
    forms = [re.findall(r'name="form_token"[^>]*value="([^"]+)"', page) for page in pages]
    assert len(csrf[0]) == len(csrf[1]) == 1 and csrf[0] != csrf[1]  # one per reader
    assert len(forms[0]) == len(forms[1]) == 1 and forms[0] != forms[1]
    assert all(MARK not in page for page in pages)
    # Each reader's tokens work: a reaction and a reply each go through.
    # (Different kinds: both readers come from one address, which counts once per kind.)
    for client, page, token, kind in zip(readers, pages, csrf, ("hear", "me-too"), strict=True):
        reacted = client.post(
            f"{url}/reactions", data={"csrf_token": next(iter(token)), "kind": kind}
        )
        assert reacted.status_code == 303
        form = dict(re.findall(r'name="(csrf_token|form_token)"[^>]*value="([^"]+)"', page))
        sent = client.post(
            f"{url}/replies",
            data={**form, "body": "Thank you for telling this.", "action": "send"},
        )
        assert sent.status_code in (200, 303), sent.status_code
    with shared.app_context():
        assert reactions_of(story_id) == 2
        assert replies_of(story_id) == 2


def test_a_page_that_failed_or_changed_the_session_is_never_kept():
    app = make_test_app("sqlite://")
    calls: list[str] = []

    @shared_page
    def remembers():
        calls.append("remembers")
        session["region"] = "gb"
        return f"token {generate_csrf()}"

    @shared_page
    def failing():
        calls.append("failing")
        return "Not yet", 503

    app.add_url_rule("/remembers", view_func=remembers)
    app.add_url_rule("/failing", view_func=failing)
    with app.app_context():
        db.create_all()
    first, second = app.test_client().get("/remembers"), app.test_client().get("/remembers")
    assert first.get_data() != second.get_data()  # each reader's own token, filled in
    assert MARK.encode() not in first.get_data()
    assert app.test_client().get("/failing").status_code == 503
    assert app.test_client().get("/failing").status_code == 503
    assert calls == ["remembers", "remembers", "failing", "failing"]


def reactions_of(story_id: int) -> int:
    return len(db.session.scalars(select(Reaction.id).where(Reaction.story_id == story_id)).all())


def replies_of(story_id: int) -> int:
    return len(db.session.scalars(select(Reply.id).where(Reply.story_id == story_id)).all())
