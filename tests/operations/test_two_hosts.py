"""Heard on two app hosts at once, sharing one PostgreSQL database and one Redis.

Each host is gunicorn (gunicorn.conf.py, 2 workers) in a network namespace of its own, reached
over a veth pair at an address this test assigns from 198.18.0.0/15 (tests/operations/hosts.py).
The test speaks only to those two hosts, with bounded loops, and removes the namespaces, links
and forwarders when done, whatever happened. It needs root and the `ip` command (iproute2):
elsewhere it is skipped with the reason, and in CI (CI=true) a missing one fails.

It proves what a load balancer in front of N hosts relies on: a session made on one host works
on the other; rate limits count across both (Redis); both hosts use the one day secret and
the one ban key (a paused client is paused everywhere); and what one host stores, the other
shows at once (nothing cached per host that a change does not reach).
"""

from __future__ import annotations

import os
import secrets
import shutil
import urllib.parse

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from forum.accounts.models import Role, User
from forum.config import normalise_database_url
from forum.db import db
from forum.governance.sanctions import POSTING_PAUSED
from forum.moderation import sanctions
from forum.safety.models import DaySecret
from forum.stories.models import Status, Story
from tests.conftest import TEST_DATABASE_URL, make_test_app, service_missing
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.operations.hosts import Browser, Network, free_subnet, wait_until_serving
from tests.sharing.flow import hidden_fields

SECRET = "two-hosts-" + secrets.token_urlsafe(32)


def _dedicated_database() -> str:
    """TEST_DATABASE_URL's server, database `<name>_two_hosts`, created if missing."""
    url = make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"{url.database}_two_hosts"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _requirements() -> str:
    """Redis's URL, once root, `ip`, PostgreSQL and Redis are known to be there."""
    if os.geteuid() != 0:
        service_missing("the two-host test needs root to create network namespaces")
    if shutil.which("ip") is None:
        service_missing("the two-host test needs the ip command (iproute2)")
    if not TEST_DATABASE_URL:
        service_missing("the two-host test needs PostgreSQL (TEST_DATABASE_URL)")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        service_missing("the two-host test needs Redis (REDIS_URL)")
    return redis_url


class Site:
    """The two hosts, and an app in this process on their database for setup and checks."""

    def __init__(self, app, network: Network) -> None:
        self.app = app
        self.network = network
        self.a, self.b = network.host(0), network.host(1)

    def stories_titled(self, title: str) -> list[Story]:
        """Stories with this title, as the database holds them now."""
        with self.app.app_context():
            found = list(db.session.scalars(select(Story).where(Story.title == title)))
            db.session.remove()
            return found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two hosts serving Heard from one PostgreSQL database and one Redis; removed after."""
    redis_url = _requirements()
    database = _dedicated_database()
    app = make_test_app(database, SECRET_KEY=SECRET)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        load_tags()
        make_user("keeper", role=Role.MODERATOR)
        make_user("heron")
        db.session.remove()
    network = Network(free_subnet())
    log = tmp_path_factory.mktemp("two-hosts") / "gunicorn.log"
    try:
        network.create(hosts=2, client_addresses=2)
        pg = make_url(database)
        redis = urllib.parse.urlsplit(redis_url)
        network.forward(pg.port or 5432, (pg.host or "127.0.0.1", pg.port or 5432))
        network.forward(redis.port or 6379, (redis.hostname or "127.0.0.1", redis.port or 6379))
        via_gateway_pg = pg.set(host=network.gateway).render_as_string(hide_password=False)
        netloc = redis.netloc.replace(redis.hostname or "", network.gateway, 1)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "FORUM_ENV": "production",
            "FORUM_SECRET_KEY": SECRET,
            "DATABASE_URL": via_gateway_pg,
            "REDIS_URL": redis._replace(netloc=netloc).geturl(),
            # Plain HTTP between the test and the hosts: the cookie cannot be Secure here.
            "FORUM_SESSION_COOKIE_SECURE": "false",
            "FORUM_SESSION_COOKIE_NAME": "heard_session",
            # Counters of this run only, whatever else shares the Redis database.
            "FORUM_RATELIMIT_KEY_PREFIX": f"two-hosts-{secrets.token_hex(4)}",
            # Members' replies appear at once (post-moderation) from the first post.
            "FORUM_TRUSTED_MEMBER_APPROVED_POSTS": "0",
        }
        for n in range(2):
            network.serve(n, env, log)
        for n in range(2):
            wait_until_serving(network.host(n))
        yield Site(app, network)
    finally:
        network.remove()
        with app.app_context():
            db.engine.dispose()


def test_a_session_made_on_host_a_works_on_host_b(site):
    browser = Browser()
    assert browser.sign_in(site.a, "heron", PASSWORD).status == 303
    account = browser.get(site.b, "/account")
    assert account.status == 200
    assert "heron" in account.text
    stranger = Browser()
    assert stranger.get(site.b, "/account").status in {302, 303}  # it is the session that counts


def test_sign_in_limits_count_across_both_hosts(site):
    browser = Browser(source=site.network.client(0))  # a client address of its own
    hosts = [site.a, site.b] * 5
    for attempt, host in enumerate(hosts, start=1):  # the 10 allowed a minute, split over both
        answer = browser.sign_in(host, "heron", "not the password at all")
        assert answer.status != 429, f"attempt {attempt} on {host} was refused"
    assert browser.sign_in(site.a, "heron", PASSWORD).status == 429  # the 11th, on A
    assert browser.sign_in(site.b, "heron", PASSWORD).status == 429  # and on B
    with site.app.app_context():  # both hosts keyed the counts with the one day secret
        assert db.session.scalar(select(func.count()).select_from(DaySecret)) == 1
        db.session.remove()


def test_a_client_paused_through_host_a_is_paused_on_host_b(site):
    browser = Browser(source=site.network.client(1))
    assert browser.share(site.a, "Sent through A before the pause").status == 303
    (story,) = site.stories_titled("Sent through A before the pause")
    with site.app.app_context():
        moderator = db.session.scalar(select(User).where(User.handle == "keeper"))
        sanctions.ban_poster(moderator, "story", story.id, 7, "Testing the ban key")
        db.session.remove()
    for host, title in ((site.b, "Sent through B after the pause"), (site.a, "Again through A")):
        answer = browser.share(host, title)
        assert answer.status != 303
        assert POSTING_PAUSED.split(",")[0] in answer.text
        assert site.stories_titled(title) == []


def test_a_story_published_through_host_a_is_listed_on_host_b_at_once(site):
    title = "Published through A and read on B"
    assert Browser().share(site.a, title).status == 303
    (story,) = site.stories_titled(title)
    reader = Browser()
    assert title not in reader.get(site.b, "/stories").text  # B has served the listing
    moderator = Browser()
    assert moderator.sign_in(site.a, "keeper", PASSWORD).status == 303
    token = moderator.csrf(site.a, "/login")
    answer = moderator.post(
        site.a,
        f"/moderation/story/{story.id}/approve",
        {
            "csrf_token": token,
            "approve-csrf_token": token,
            "approve-version": str(story.version),
            "approve-reason": "Kind and careful",
        },
    )
    assert answer.status == 303, answer.text[:500]
    assert title in reader.get(site.b, "/stories").text
    assert title in reader.get(site.b, f"/stories/{story.id}").text


def test_a_reply_posted_on_host_b_shows_on_host_a(site):
    with site.app.app_context():
        story_id = make_story(status=Status.PUBLISHED, title="A story to reply to").id
        db.session.remove()
    path = f"/stories/{story_id}"
    reply = "Posted on B, read on A: you are not alone in this."
    assert reply not in Browser().get(site.a, path).text  # A has served the story page
    member = Browser()
    assert member.sign_in(site.b, "heron", PASSWORD).status == 303
    page = member.get(site.b, path).text
    fields = [*hidden_fields(page, action=f"{path}/replies"), ("body", reply)]
    answer = member.post(site.b, f"{path}/replies", fields)
    assert answer.status == 303, answer.text[:500]
    assert reply in Browser().get(site.a, path).text
