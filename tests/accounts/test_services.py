"""Account rules: handles, passwords, sessions, recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts import services
from forum.accounts.models import AccountSession, RecoveryCode, Role, User
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed
from tests.factories import PASSWORD, make_user


def test_sign_up_stores_argon2id_hash_at_asvs_parameters(ctx):
    user, codes = services.sign_up("Heron", "a quiet lake in spring")
    assert user.role is Role.MEMBER
    assert user.password_hash.startswith("$argon2id$v=19$m=47104,t=1,p=1$")
    assert "a quiet lake in spring" not in user.password_hash
    assert len(codes) == 8


def test_recovery_codes_are_random_and_stored_only_as_hashes(ctx):
    _user, codes = services.sign_up("heron", "a quiet lake in spring")
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(set(codes)) == 8
    assert all(len(code.replace("-", "")) == 32 for code in codes)
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored


@pytest.mark.parametrize(
    "handle",
    [
        "ab",
        "x" * 31,
        "has space",
        "semi;colon",
        "-leading",
        "trailing_",
        "admin",
        "Moderator",
        "anonymous-heron",
        "héron",
        "<script>",
    ],
)
def test_bad_handles_are_refused_with_a_message_for_the_field(ctx, handle):
    with pytest.raises(Invalid) as error:
        services.sign_up(handle, "a quiet lake in spring")
    assert error.value.field == "handle"
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_handles_are_unique_whatever_their_case(ctx):
    services.sign_up("Heron", "a quiet lake in spring")
    with pytest.raises(Invalid, match="already taken"):
        services.sign_up("hERON", "a quiet lake in spring")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "8 characters or more"),
        ("password123", "most commonly used"),
        ("iloveyou", "most commonly used"),
        ("my-heron-password", "must not contain your handle"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_password_policy(ctx, password, message):
    with pytest.raises(Invalid, match=message) as error:
        services.sign_up("heron", password)
    assert error.value.field == "password"


def test_long_passwords_are_allowed_and_never_truncated(ctx):
    long_password = "river stone " * 10
    user, _ = services.sign_up("heron", long_password)
    assert services.authenticate("heron", long_password) == user
    with pytest.raises(Invalid):
        services.authenticate("heron", long_password[:-1])
    with pytest.raises(Invalid):
        services.authenticate("heron", long_password.upper())


def test_sign_in_failures_look_the_same(ctx):
    make_user("heron")
    with pytest.raises(Invalid) as unknown:
        services.authenticate("nobody", PASSWORD)
    with pytest.raises(Invalid) as wrong:
        services.authenticate("heron", "not the password")
    assert unknown.value.message == wrong.value.message == services.SIGN_IN_FAILED
    assert unknown.value.field == wrong.value.field


def test_handle_is_matched_case_insensitively(ctx):
    user = make_user("Heron")
    assert services.authenticate("heron", PASSWORD) == user


@pytest.mark.parametrize(
    "fields",
    [{"banned": True}, {"suspended_until": utcnow() + timedelta(days=2)}],
)
def test_banned_and_suspended_accounts_cannot_sign_in(ctx, fields):
    make_user("heron", **fields)
    with pytest.raises(NotAllowed):
        services.authenticate("heron", PASSWORD)


def test_deleted_accounts_cannot_sign_in(ctx):
    make_user("heron", deleted_at=utcnow())
    with pytest.raises(Invalid):
        services.authenticate("heron", PASSWORD)


def test_a_session_loads_until_it_is_ended(ctx):
    user = make_user()
    token = services.start_session(user)
    assert services.load_session(str(user.id), token) == user
    services.end_session(token)
    assert services.load_session(str(user.id), token) is None
    assert db.session.scalar(select(func.count(AccountSession.id))) == 0


def test_a_session_token_is_stored_only_as_a_hash(ctx):
    user = make_user()
    token = services.start_session(user)
    assert db.session.scalar(select(AccountSession.token_hash)) != token


def test_a_session_does_not_load_for_another_user_id(ctx):
    user = make_user()
    other = make_user("egret")
    token = services.start_session(user)
    assert services.load_session(str(other.id), token) is None
    assert services.load_session("not-a-number", token) is None


def test_idle_sessions_expire(app, ctx):
    user = make_user()
    token = services.start_session(user)
    record = db.session.scalar(select(AccountSession))
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert services.load_session(str(user.id), token) is None
    assert db.session.scalar(select(func.count(AccountSession.id))) == 0


def test_sessions_end_after_the_absolute_limit_even_when_active(app, ctx):
    user = make_user()
    token = services.start_session(user)
    record = db.session.scalar(select(AccountSession))
    record.created_at = utcnow() - timedelta(days=app.config["SESSION_ABSOLUTE_DAYS"], minutes=1)
    db.session.commit()
    assert services.load_session(str(user.id), token) is None


def test_suspending_an_account_ends_its_sessions_on_next_use(ctx):
    user = make_user()
    token = services.start_session(user)
    user.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert services.load_session(str(user.id), token) is None
    assert db.session.scalar(select(func.count(AccountSession.id))) == 0


def test_change_password_needs_the_current_one(ctx):
    user = make_user()
    with pytest.raises(Invalid) as error:
        services.change_password(user, "wrong", "a brand new phrase", None)
    assert error.value.field == "current_password"
    assert services.authenticate("heron", PASSWORD) == user


def test_change_password_ends_every_other_session(ctx):
    user = make_user()
    here = services.start_session(user)
    elsewhere = services.start_session(user)
    services.change_password(user, PASSWORD, "a brand new phrase", here)
    assert services.load_session(str(user.id), here) == user
    assert services.load_session(str(user.id), elsewhere) is None
    assert services.authenticate("heron", "a brand new phrase") == user


def test_a_recovery_code_works_once(ctx):
    user, codes = make_user(codes=3)
    old = services.start_session(user)
    services.recover("heron", codes[0].upper().replace("-", " "), "a brand new phrase")
    assert services.authenticate("heron", "a brand new phrase") == user
    assert services.load_session(str(user.id), old) is None
    with pytest.raises(Invalid, match="recovery code not recognised"):
        services.recover("heron", codes[0], "another new phrase")
    assert user.unused_recovery_codes == 2


def test_recovery_failures_look_the_same(ctx):
    _user, codes = make_user(codes=1)
    with pytest.raises(Invalid) as unknown_handle:
        services.recover("nobody", codes[0], "a brand new phrase")
    with pytest.raises(Invalid) as wrong_code:
        services.recover("heron", "abcd-efgh", "a brand new phrase")
    assert unknown_handle.value.message == wrong_code.value.message


def test_recovery_code_of_one_account_does_not_open_another(ctx):
    _user, codes = make_user(codes=1)
    make_user("egret")
    with pytest.raises(Invalid):
        services.recover("egret", codes[0], "a brand new phrase")


def test_recovery_enforces_suspension_without_spending_the_code(ctx):
    user, codes = make_user(codes=1, suspended_until=utcnow() + timedelta(days=3))
    with pytest.raises(NotAllowed):
        services.recover("heron", codes[0], "a brand new phrase")
    assert user.unused_recovery_codes == 1


def test_regenerating_codes_replaces_the_old_ones(ctx):
    user, old = make_user(codes=2)
    with pytest.raises(Invalid):
        services.regenerate_recovery_codes(user, "wrong")
    new = services.regenerate_recovery_codes(user, PASSWORD)
    assert len(new) == 8
    with pytest.raises(Invalid):
        services.recover("heron", old[0], "a brand new phrase")
    services.recover("heron", new[0], "a brand new phrase")


def test_create_admin_makes_an_admin_and_no_account_exists_before(ctx):
    assert db.session.scalar(select(func.count(User.id))) == 0
    admin = services.create_admin("keeper", "a long admin passphrase")
    assert admin.role is Role.ADMIN
    assert admin.is_admin and admin.is_moderator
