"""Stored XSS in the staff views (SECURITY.md §2: the moderation queue is the highest-value
sink). Every payload of the quick list and the polyglots, and a sample of Brute Logic's
strings, goes through every field the moderation pages show — titles, bodies, answers,
handles, tag names, report details, moderator notes, watched words, reasons — and each page
is parsed: no script, no on* attribute, no javascript:/data: URL."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.db import db
from forum.governance.models import AuditEntry
from forum.moderation import people, receipts, reports, watched_words
from forum.stories.models import Reply, Status, StoryTag
from forum.taxonomy.models import Tag, TagGroup, TagKind
from tests.conftest import service_missing
from tests.factories import load_tags, make_story, make_user
from tests.moderation.conftest import make_reply
from tests.moderation.web import client_as, dangerous
from tests.payloads import XSS
from tests.web import hold_stories

KIT = XSS


def _lines(name: str) -> list[str]:
    path = KIT / name
    if not path.exists():
        return []
    return [
        line
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]


CORPORA = {
    "quick": _lines("xss_payloads_quick.txt"),
    "polyglots": _lines("XSS_Polyglots.txt"),
    "brutelogic-sample": _lines("BRUTELOGIC-XSS-STRINGS.txt")[::4],
}


def _seed(payloads: list[str]):
    """One story, one reply, one account, one tag, one report and one note per payload."""
    load_tags()
    group = db.session.scalar(select(TagGroup).limit(1))
    admin = make_user("steward", role=Role.ADMIN)
    keeper = make_user("keeper", role=Role.MODERATOR)
    user_ids = []
    for i, payload in enumerate(payloads):
        author = User(handle=payload[:30], handle_key=f"xss-{i}", password_hash="x")
        db.session.add(author)
        tag = Tag(slug=f"xss-{i}", name=payload[:60], kind=TagKind.HARM, group=group)
        db.session.add(tag)
        db.session.commit()
        user_ids.append(author.id)
        story = make_story(
            title=payload[:200] or "x",
            body=f"Before {payload} after, Dr Smith",
            author=author,
            answers={"affected": payload},
            helped_instead=payload,
        )
        story.story_tags.append(StoryTag(tag=tag, position=5))
        story.show_handle = True
        story.client_key = secrets.token_hex(16)
        published = make_story(title=f"Published {i}", status=Status.PUBLISHED, author=author)
        make_reply(published, body=payload, author=author)
        reports.file_report(None, f"c:x:{i}", "story", published.id, "other", payload)
        people.add_note(keeper, author.id, payload)
        db.session.add(
            AuditEntry(
                action="approve",
                target_type="story",
                target_id=published.id,
                reason=payload,
                actor_id=keeper.id,
            )
        )
        db.session.commit()
    for i, payload in enumerate(payloads[:5]):
        try:
            watched_words.add_word(admin, f"w{i} {payload[:80]}", "flag")
        except Exception:
            db.session.rollback()
            continue
    return user_ids


# Escaping is the templates' work, the same on either engine: SQLite takes every payload and
# PostgreSQL every PG_SPREAD-th, so both engines store and show the corpora's shapes.
PG_SPREAD = 4


def _payloads(corpus: str, engine_name: str = "sqlite") -> list[str]:
    payloads = CORPORA[corpus]
    if not payloads:
        service_missing(f"the {corpus} payload file is not in {KIT}")
    return payloads if engine_name == "sqlite" else payloads[::PG_SPREAD]


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_payloads_never_execute_in_the_moderation_pages(app, engine_name, corpus):
    payloads = _payloads(corpus, engine_name)
    app.config["MODERATION_QUEUE_SIZE"] = 1000
    with app.app_context():
        user_ids = _seed(payloads)
        story_ids = list(
            db.session.scalars(select(StoryTag.story_id).where(StoryTag.position == 5))
        )
        reply_ids = list(db.session.scalars(select(Reply.id)))
    client = client_as(app, "steward")
    pages = {
        "/moderation": None,
        "/moderation-log": None,
        "/moderation/log": None,
        "/moderation/watched-words": None,
    }
    pages.update({f"/moderation/story/{i}": None for i in story_ids})
    pages.update({f"/moderation/reply/{i}": None for i in reply_ids})
    pages.update({f"/moderation/accounts/{i}": None for i in user_ids})
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        if found := dangerous(html):
            problems[url] = found[:3]
    assert problems == {}
    queue = client.get("/moderation").get_data(as_text=True)
    assert f"{len(story_ids) + 2 * len(payloads)} waiting" in queue  # every item was rendered


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_payloads_never_execute_on_the_tellers_receipt(app, engine_name, corpus):
    payloads = _payloads(corpus, engine_name)
    with app.app_context():
        load_tags()
        keeper = make_user("keeper", role=Role.MODERATOR)
        ids = []
        for payload in payloads:
            story = make_story(title="Mine", body=f"Old {payload}")
            receipts.redact(keeper, story.id, "Mine", f"New {payload} words", payload[:2000] or "r")
            ids.append(story.id)
    teller = app.test_client()
    hold_stories(app, teller, *ids)
    problems = {}
    for story_id in ids:
        html = teller.get(f"/status/{story_id}/moderator-edit").get_data(as_text=True)
        assert "<ins>" in html or "<del>" in html
        if found := dangerous(html):
            problems[story_id] = found[:3]
    assert problems == {}


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_the_detector_would_catch_these_payloads_if_rendered_raw(corpus):
    """The checks above could fail: most payloads, put into a page unescaped, are caught."""
    payloads = _payloads(corpus)
    caught = sum(1 for p in payloads if dangerous(f"<div>{p}</div>"))
    assert caught >= len(payloads) * 0.6, f"{caught} of {len(payloads)}"
