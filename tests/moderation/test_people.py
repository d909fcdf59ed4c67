"""Roles, notes and history: admins grant roles, moderators keep notes, history is visible."""

from __future__ import annotations

import pytest

from forum.accounts.models import Role
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.moderation import people, sanctions, services
from forum.moderation.models import ModeratorNote
from tests.factories import make_story, make_user
from tests.moderation.conftest import entries


def test_admins_grant_and_remove_the_moderator_role(admin, member):
    people.set_role(admin, member.id, "moderator", "Trained and ready")
    assert member.role is Role.MODERATOR and member.is_moderator
    people.set_role(admin, member.id, Role.MEMBER, "Stepped back")
    assert member.role is Role.MEMBER
    assert [(e.action, e.public, e.reason) for e in entries()] == [
        ("set_role", False, "member to moderator: Trained and ready"),
        ("set_role", False, "moderator to member: Stepped back"),
    ]


def test_role_rules(admin, moderator, member):
    with pytest.raises(NotAllowed):
        people.set_role(moderator, member.id, "moderator", "x")
    with pytest.raises(NotAllowed):
        people.set_role(member, member.id, "admin", "x")
    with pytest.raises(NotAllowed):
        people.set_role(admin, admin.id, "member", "x")
    with pytest.raises(Invalid):
        people.set_role(admin, member.id, "overlord", "x")
    with pytest.raises(Invalid):
        people.set_role(admin, member.id, "member", "x")
    with pytest.raises(Invalid):
        people.set_role(admin, member.id, "moderator", "")
    with pytest.raises(NotFound):
        people.set_role(admin, 999_999, "moderator", "x")
    assert member.role is Role.MEMBER


def test_the_last_admin_cannot_be_demoted(admin):
    other = make_user("second", role=Role.ADMIN)
    people.set_role(other, admin.id, "member", "Handing over")
    with pytest.raises(NotAllowed):
        people.operator_set_role("second", "member")
    assert other.role is Role.ADMIN


def test_the_set_role_command(app, member):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["heard", "set-role", "HERON", "moderator"])
    assert result.exit_code == 0, result.output
    assert "heron is now a moderator" in result.output
    db.session.expire_all()
    assert db.session.get(type(member), member.id).role is Role.MODERATOR
    bad = runner.invoke(args=["heard", "set-role", "nobody", "moderator"])
    assert bad.exit_code != 0 and "No account" in bad.output
    wrong = runner.invoke(args=["heard", "set-role", "heron", "overlord"])
    assert wrong.exit_code != 0


def test_notes_are_kept_for_moderators(moderator, member):
    people.add_note(moderator, member.id, "Talked with them about tone")
    [note] = people.notes_for(member)
    assert (note.body, note.author_id) == ("Talked with them about tone", moderator.id)
    with pytest.raises(Invalid):
        people.add_note(moderator, member.id, "   ")
    with pytest.raises(NotAllowed):
        people.add_note(member, member.id, "Notes about myself")
    assert db.session.query(ModeratorNote).count() == 1
    assert entries()[-1].public is False and "tone" not in entries()[-1].reason


def test_history_and_records_cover_posts_and_sanctions(moderator, member):
    story = make_story(author=member)
    services.reject_story(moderator, story.id, "Names a practitioner")
    sanctions.warn(moderator, member.id, "Keep it kind")
    other = make_story(author=make_user("wren"), title="Elsewhere")
    services.approve_story(moderator, other.id)
    assert [e.action for e in people.history(member)] == ["warn", "reject"]
    record = people.records({member.id})[member.id]
    assert (record.not_published, record.warnings, record.suspensions) == (1, 1, 0)
    assert bool(record) and not people.records({other.author_id})[other.author_id]
    assert people.records(set()) == {}
