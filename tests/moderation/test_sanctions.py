"""Sanctions: warn, suspend, ban accounts and anonymous posting; every way in enforces them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.accounts.models import AccountSession, Role
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance import sanctions as sanction_checks
from forum.governance.models import Sanction, SanctionKind
from forum.moderation import sanctions
from forum.stories import reply_policy
from tests.factories import PASSWORD, make_story, make_user
from tests.moderation.conftest import entries, make_reply, published_story
from tests.web import sign_in


def _sessions(user) -> int:
    return db.session.scalar(
        select(func.count(AccountSession.id)).where(AccountSession.user_id == user.id)
    )


def test_suspending_ends_every_session_and_blocks_sign_in(moderator, member):
    accounts.start_session(member)
    accounts.start_session(member)
    sanctions.suspend(moderator, member.id, 7, "Harassing other members")
    assert _sessions(member) == 0
    assert member.suspended_until > utcnow() + timedelta(days=6)
    with pytest.raises(NotAllowed):
        accounts.authenticate("heron", PASSWORD)
    with pytest.raises(NotAllowed):
        accounts.start_session(member)
    [entry] = entries()
    assert (entry.action, entry.target_type, entry.target_id, entry.public) == (
        "suspend",
        "user",
        member.id,
        True,
    )
    assert entry.reason == "7 days: Harassing other members"


def test_a_ban_blocks_recovery_too(moderator, tags):
    user, codes = make_user("wren", codes=2)
    accounts.start_session(user)
    sanctions.ban(moderator, user.id, "Spam")
    assert user.banned and _sessions(user) == 0
    with pytest.raises(NotAllowed):
        accounts.recover("wren", codes[0], "a brand new long passphrase")
    with pytest.raises(Invalid):
        sanctions.ban(moderator, user.id, "Again")


def test_sanctioned_accounts_cannot_post(moderator, member):
    sanctions.suspend(moderator, member.id, 1, "Cooling off")
    with pytest.raises(NotAllowed):
        sanction_checks.check_may_post(member, None)
    with pytest.raises(NotAllowed):
        make_story(author=member)


def test_a_suspension_that_ended_no_longer_applies(moderator, member):
    """Deferred: nothing runs when a suspension ends; every check compares with now."""
    sanctions.suspend(moderator, member.id, 2, "Cooling off")
    later = utcnow() + timedelta(days=2, minutes=1)
    sanction_checks.check_may_post(member, None, now=later)
    assert not member.is_suspended(later)


def test_a_warning_is_recorded_and_changes_nothing_else(moderator, member):
    sanctions.warn(moderator, member.id, "Please keep it kind")
    sanction_checks.check_may_post(member, None)
    assert member.is_active
    [entry] = entries()
    assert (entry.action, entry.public) == ("warn", False)


def test_anonymous_posting_is_paused_by_ban_key_until_it_expires(moderator):
    story = published_story()
    story.client_key = "k" * 32
    db.session.commit()
    sanctions.ban_poster(moderator, "story", story.id, 3, "Abusive replies")
    with pytest.raises(sanction_checks.Sanctioned):
        sanction_checks.check_may_post(None, "k" * 32)
    sanction_checks.check_may_post(None, "other")
    later = utcnow() + timedelta(days=3, minutes=1)
    sanction_checks.check_may_post(None, "k" * 32, now=later)
    [entry] = entries()
    assert (entry.action, entry.target_type, entry.reason) == (
        "ban_poster",
        "story",
        "3 days: Abusive replies",
    )
    assert "k" * 32 not in entry.reason


def test_an_anonymous_ban_also_stops_accounts_from_the_same_client(moderator, member):
    story = published_story()
    story.client_key = "k" * 32
    db.session.commit()
    sanctions.ban_poster(moderator, "story", story.id, 3, "Abusive")
    with pytest.raises(sanction_checks.Sanctioned):
        sanction_checks.check_may_post(member, "k" * 32)


def test_anonymous_bans_need_a_kept_key(moderator):
    story = published_story()
    with pytest.raises(Invalid):
        sanctions.ban_poster(moderator, "story", story.id, 3, "Abusive")
    reply = make_reply(story, client_key="r" * 32)
    sanctions.ban_poster(moderator, "reply", reply.id, 1, "Abusive")
    with pytest.raises(NotFound):
        sanctions.ban_poster(moderator, "reply", 999_999, 1, "Abusive")


@pytest.mark.parametrize("days", [0, -1, 366, "7", None, True])
def test_days_are_checked(moderator, member, days):
    with pytest.raises(Invalid) as error:
        sanctions.suspend(moderator, member.id, days, "x")
    assert error.value.field == "days"


def test_lifting_restores_the_account(moderator, member):
    suspension = sanctions.suspend(moderator, member.id, 7, "Cooling off")
    ban = sanctions.ban(moderator, member.id, "Spam")
    sanctions.lift(moderator, ban.id, "Appeal accepted")
    assert not member.banned and member.is_suspended()
    sanctions.lift(moderator, suspension.id, "Appeal accepted")
    assert member.is_active and member.suspended_until is None
    with pytest.raises(Invalid):
        sanctions.lift(moderator, suspension.id, "Again")
    assert [e.action for e in entries()] == ["suspend", "ban", "lift", "lift"]


def test_who_may_sanction_whom(moderator, admin, member):
    other_mod = make_user("warden", role=Role.MODERATOR)
    with pytest.raises(NotAllowed):
        sanctions.suspend(moderator, moderator.id, 1, "Myself")
    with pytest.raises(NotAllowed):
        sanctions.suspend(moderator, other_mod.id, 1, "A colleague")
    with pytest.raises(NotAllowed):
        sanctions.ban(moderator, admin.id, "The admin")
    with pytest.raises(NotAllowed):
        sanctions.suspend(member, moderator.id, 1, "Revenge")
    sanctions.suspend(admin, other_mod.id, 1, "Admins act on moderators")
    with pytest.raises(NotFound):
        sanctions.warn(moderator, 999_999, "Nobody")
    deleted = make_user("gone", deleted_at=utcnow())
    with pytest.raises(NotFound):
        sanctions.warn(moderator, deleted.id, "Gone")


def test_a_suspended_moderator_cannot_sanction(moderator, member):
    moderator.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(NotAllowed):
        sanctions.ban(moderator, member.id, "x")
    assert not member.banned


def test_trust_needs_approved_posts_and_a_clean_record(app, moderator, member):
    app.config["TRUSTED_MEMBER_APPROVED_POSTS"] = 2
    assert not reply_policy.is_trusted(member) and not reply_policy.is_trusted(None)
    published_story(author=member)
    make_story(author=member)  # pending: does not count
    assert not reply_policy.is_trusted(member)
    published_story(author=member, title="Another")
    assert reply_policy.is_trusted(member)
    assert reply_policy.reply_starts_published(member, needs_review=False)
    assert not reply_policy.reply_starts_published(member, needs_review=True)
    assert not reply_policy.reply_starts_published(None, needs_review=False)
    app.config["REPLY_POST_MODERATION"] = False
    assert not reply_policy.reply_starts_published(member, needs_review=False)
    app.config["REPLY_POST_MODERATION"] = True
    sanctions.warn(moderator, member.id, "Keep it kind")
    assert not reply_policy.is_trusted(member)


def test_sanctions_are_listed_newest_first(moderator, member):
    sanctions.warn(moderator, member.id, "One")
    sanctions.suspend(moderator, member.id, 1, "Two")
    assert [s.kind for s in sanctions.sanctions_for(member)] == [
        SanctionKind.SUSPEND,
        SanctionKind.WARN,
    ]
    assert db.session.scalar(select(func.count(Sanction.id))) == 2


def test_a_warned_member_reads_the_warning_on_their_account_page(app):
    with app.app_context():
        keeper = make_user("keeper", role=Role.MODERATOR)
        member = make_user("wren")
        sanctions.warn(keeper, member.id, "Please do not name the clinic")
    client = app.test_client()
    sign_in(client, "wren", PASSWORD)
    html = client.get("/account").get_data(as_text=True)
    assert "A message from the moderators" in html
    assert "Please do not name the clinic" in html and "keeper" not in html
