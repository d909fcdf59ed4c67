"""Every transition of the lifecycle table, from every state, allowed and refused, on each engine.

Each case builds a story (or a reply under a published story) in one state, calls the one
lifecycle function for the action, commits, and checks what the table promises: the new status,
one version more and one audit entry — or, when refused, the typed error and nothing changed.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.db import db, utcnow
from forum.errors import NotAllowed
from forum.governance.models import AuditEntry
from forum.governance.versions import AlreadyHandled
from forum.stories import lifecycle, responses
from forum.stories import services as stories
from forum.stories.lifecycle import (
    CHANGE_STATES,
    CHANGE_TRANSITIONS,
    REPLY_STATES,
    REPLY_TRANSITIONS,
    REVISION_ACTIONS,
    STORY_STATES,
    STORY_TRANSITIONS,
    UPDATE_ACTIONS,
)
from forum.stories.models import ChangeKind, Reply, Status, Story, StoryChange
from tests.factories import load_tags, make_story, make_user

STATUS_OF = {
    "pending": Status.PENDING,
    "changes_requested": Status.CHANGES_REQUESTED,
    "published": Status.PUBLISHED,
    "unreviewed": Status.PUBLISHED,
    "rejected": Status.REJECTED,
    "withdrawn": Status.WITHDRAWN,
    "removed": Status.REMOVED,
    "held": Status.REMOVED,
}
WAS_PUBLISHED = {"published", "unreviewed", "removed", "held"}


@pytest.fixture
def moderator(ctx):
    load_tags()
    return make_user("kestrel", role=Role.MODERATOR)


def _set_state(item: Story | Reply, state: str) -> None:
    item.status = STATUS_OF[state]
    item.published_at = utcnow() if state in WAS_PUBLISHED else None
    item.hidden_pending_review = state == "held"
    if isinstance(item, Reply):
        item.awaiting_review = state == "unreviewed"
    db.session.commit()
    assert lifecycle.state_of(item) == state


def _story_in(state: str) -> Story:
    story = make_story()
    _set_state(story, state)
    return story


def _reply_in(state: str) -> Reply:
    story = make_story(status=Status.PUBLISHED)
    reply = responses.add_reply(
        story.id,
        None,
        "Thinking of you",
        secrets.token_urlsafe(24),
        reader_id=secrets.token_hex(8),
        teller=stories.Teller(),
    )
    _set_state(reply, state)
    return reply


def _call(action: str, item: Story | Reply, moderator) -> None:
    """The one lifecycle function for the action (flags take the value that changes them)."""
    reason = "Checked against the guidelines"
    if action in ("lock", "pin", "feature"):
        flag = {"lock": "locked", "pin": "pinned", "feature": "featured"}[action]
        lifecycle.set_flag(moderator, item, flag, True, reason)
    elif action in ("unlock", "unpin", "unfeature"):
        flag = {"unlock": "locked", "unpin": "pinned", "unfeature": "featured"}[action]
        setattr(item, flag, True)
        lifecycle.set_flag(moderator, item, flag, False, reason)
    elif action == "erase":
        (lifecycle.erase_reply if isinstance(item, Reply) else lifecycle.erase_story)(item)
    elif isinstance(item, Reply):
        {
            "approve": lambda: lifecycle.approve_reply(moderator, item, reason),
            "reject": lambda: lifecycle.reject_reply(moderator, item, reason),
            "hide": lambda: lifecycle.hide(moderator, item, reason),
            "auto_hide": lambda: lifecycle.auto_hide(item, reason),
            "restore": lambda: lifecycle.restore(moderator, item, reason),
        }[action]()
    else:
        {
            "resubmit": lambda: lifecycle.resubmit_story(item),
            "approve": lambda: lifecycle.approve_story(moderator, item, reason),
            "request_changes": lambda: lifecycle.request_changes(moderator, item, reason),
            "reject": lambda: lifecycle.reject_story(moderator, item, reason),
            "redact": lambda: lifecycle.propose_redaction(moderator, item, reason),
            "accept_redaction": lambda: lifecycle.accept_redaction(item),
            "decline_redaction": lambda: lifecycle.decline_redaction(item),
            "hide": lambda: lifecycle.hide(moderator, item, reason),
            "auto_hide": lambda: lifecycle.auto_hide(item, reason),
            "restore": lambda: lifecycle.restore(moderator, item, reason),
            "withdraw": lambda: lifecycle.withdraw_story(item),
        }[action]()
    db.session.commit()


def _entries(item_id: int, action: str) -> int:
    return len(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.target_id == item_id, AuditEntry.action == action)
        ).all()
    )


def _check(item: Story | Reply, action: str, state: str, row, moderator) -> None:
    model, item_id, version = type(item), item.id, item.version
    allowed = state in row.sources
    if action == "auto_hide" and not allowed:
        _call(action, item, moderator)  # auto-hiding is a quiet no-op, not a refusal
        assert lifecycle.state_of(item) == state and item.version == version
        return
    if not allowed:
        with pytest.raises(row.error):
            _call(action, item, moderator)
        db.session.rollback()
        item = db.session.get(model, item_id)
        assert lifecycle.state_of(item) == state and item.version == version
        assert _entries(item_id, action) == 0
        return
    _call(action, item, moderator)
    assert _entries(item_id, action) == 1
    if action == "erase":
        assert db.session.get(model, item_id) is None
        return
    assert item.version == version + 1
    if row.target is not None:
        assert item.status is row.target
    if action == "auto_hide":
        assert lifecycle.state_of(item) == "held"
    if item.status is Status.PUBLISHED:
        assert item.published_at is not None and not item.hidden_pending_review
    if item.status is Status.WITHDRAWN:
        assert not item.pinned and not item.featured and item.published_at is None


@pytest.mark.parametrize("state", STORY_STATES)
@pytest.mark.parametrize("action", sorted(STORY_TRANSITIONS))
def test_every_story_transition_from_every_state(moderator, action, state):
    _check(_story_in(state), action, state, STORY_TRANSITIONS[action], moderator)


@pytest.mark.parametrize("state", REPLY_STATES)
@pytest.mark.parametrize("action", sorted(REPLY_TRANSITIONS))
def test_every_reply_transition_from_every_state(moderator, action, state):
    _check(_reply_in(state), action, state, REPLY_TRANSITIONS[action], moderator)


def test_the_table_refuses_with_the_error_its_row_names(moderator):
    story = _story_in("published")
    with pytest.raises(NotAllowed, match="can no longer be edited"):
        lifecycle.resubmit_story(story)
    with pytest.raises(AlreadyHandled, match="not waiting for review"):
        lifecycle.approve_story(moderator, story, "Fine")


def test_a_stale_version_is_refused_before_anything_changes(moderator):
    story = _story_in("pending")
    with pytest.raises(AlreadyHandled):
        lifecycle.approve_story(moderator, story, "Fine", seen_version=story.version + 1)
    assert story.status is Status.PENDING


def test_withdrawing_a_pinned_featured_story_clears_both_and_is_audited_privately(moderator):
    story = _story_in("published")
    story.pinned = story.featured = True
    db.session.commit()
    stories.withdraw_story(stories.Teller(story_ids=frozenset({story.id})), story)
    assert story.status is Status.WITHDRAWN and not story.pinned and not story.featured
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "withdraw"))
    assert entry.target_id == story.id and entry.public is False


def test_restoring_a_published_item_that_lost_its_date_is_refused(moderator):
    story = _story_in("removed")
    story.published_at = None
    db.session.commit()
    with pytest.raises(AlreadyHandled, match="was published"):
        lifecycle.restore(moderator, story, "Back")


def test_a_reply_is_approved_only_under_a_published_story(moderator):
    reply = _reply_in("pending")
    reply.story.status = Status.REMOVED
    db.session.commit()
    with pytest.raises(AlreadyHandled, match="no longer published"):
        lifecycle.approve_reply(moderator, reply, "Fine")


def test_allowed_actions_read_the_same_table():
    story = Story(status=Status.PUBLISHED, hidden_pending_review=False)
    assert lifecycle.allowed_actions(story) == {
        a for a, row in STORY_TRANSITIONS.items() if "published" in row.sources
    }


# --- A teller's updates and revisions (StoryChange) -----------------------------------------

CHANGE_CALLS = {
    "amend": lambda m, c, r: lifecycle.amend_change(c),
    "approve_update": lifecycle.approve_update,
    "reject_update": lifecycle.reject_update,
    "hide_update": lifecycle.hide_update,
    "accept_revision": lifecycle.accept_revision,
    "decline_revision": lifecycle.decline_revision,
}


def _change_in(kind: ChangeKind, state: str) -> StoryChange:
    story = make_story(status=Status.PUBLISHED)
    story.published_at = utcnow()
    change = StoryChange(
        story_id=story.id,
        kind=kind,
        status=STATUS_OF[state],
        title="A new title" if kind is ChangeKind.REVISION else "",
        body="What happened next",
        body_html="<p>What happened next</p>",
        form_token_hash=secrets.token_hex(32),
    )
    db.session.add(change)
    db.session.commit()
    return change


@pytest.mark.parametrize("state", CHANGE_STATES)
@pytest.mark.parametrize(
    ("kind", "action"),
    [(ChangeKind.UPDATE, a) for a in UPDATE_ACTIONS]
    + [(ChangeKind.REVISION, a) for a in REVISION_ACTIONS],
)
def test_every_change_transition_from_every_state(moderator, kind, action, state):
    change = _change_in(kind, state)
    row, change_id, version = CHANGE_TRANSITIONS[action], change.id, change.version
    call = CHANGE_CALLS[action]
    if state not in row.sources:
        with pytest.raises(row.error):
            call(moderator, change, "Checked against the guidelines")
        db.session.rollback()
        change = db.session.get(StoryChange, change_id)
        assert change.status is STATUS_OF[state] and change.version == version
        assert _entries(change_id, action) == 0
        return
    call(moderator, change, "Checked against the guidelines")
    db.session.commit()
    assert _entries(change_id, action) == 1
    assert change.version == version + 1
    if row.target is not None:
        assert change.status is row.target and change.decided_at is not None
    if action == "accept_revision":
        assert change.story.title == "A new title" and change.story.body == "What happened next"
        assert _entries(change.story_id, "revise") == 1


@pytest.mark.parametrize(
    ("kind", "action"),
    [(ChangeKind.UPDATE, a) for a in REVISION_ACTIONS if a not in UPDATE_ACTIONS]
    + [(ChangeKind.REVISION, a) for a in UPDATE_ACTIONS if a not in REVISION_ACTIONS],
)
def test_an_update_action_is_refused_on_a_revision_and_the_other_way(moderator, kind, action):
    change = _change_in(kind, "pending")
    with pytest.raises(NotAllowed):
        CHANGE_CALLS[action](moderator, change, "No")
    assert change.status is Status.PENDING


def test_a_change_is_approved_only_while_its_story_is_published(moderator):
    for kind, action in (
        (ChangeKind.UPDATE, lifecycle.approve_update),
        (ChangeKind.REVISION, lifecycle.accept_revision),
    ):
        change = _change_in(kind, "pending")
        change.story.status = Status.REMOVED
        db.session.commit()
        with pytest.raises(AlreadyHandled, match="no longer published"):
            action(moderator, change, "Fine")
        db.session.rollback()


# The first state: submits go through the lifecycle too, and are not audited (lifecycle.py).


def test_a_submitted_story_starts_pending_at_version_one_without_an_audit_entry(moderator):
    story = make_story()
    assert lifecycle.state_of(story) == "pending" and story.version == 1
    assert story.published_at is None
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_a_submitted_reply_starts_pending_without_an_audit_entry(moderator):
    reply = _reply_in("pending")
    assert reply.version == 1 and reply.published_at is None and not reply.awaiting_review
    assert db.session.scalars(select(AuditEntry)).all() == []


@pytest.mark.parametrize(("at_once", "state"), [(False, "pending"), (True, "unreviewed")])
def test_a_new_reply_s_first_state_follows_the_reply_policy(ctx, at_once, state):
    reply = lifecycle.submit_reply(Reply(), at_once)
    assert lifecycle.state_of(reply) == state and reply.version == 1
    assert (reply.published_at is not None) is at_once


TELLER_LINKS = {
    "pending": ["edit", "withdraw", "download", "erase"],
    "changes_requested": ["edit", "withdraw", "download", "erase"],
    "published": ["withdraw", "download", "erase"],
    "rejected": ["withdraw", "download", "erase"],
    "withdrawn": ["download", "erase"],
    "removed": ["withdraw", "download", "erase"],
    "held": ["withdraw", "download", "erase"],
}


@pytest.mark.parametrize("state", STORY_STATES)
def test_the_teller_s_links_follow_the_table(state):
    story = Story(status=STATUS_OF[state], hidden_pending_review=state == "held", published_at=None)
    assert lifecycle.teller_actions(story) == TELLER_LINKS[state]
    assert ("edit" in TELLER_LINKS[state]) is lifecycle.allows(story, "resubmit")
