"""Account pages over HTTP: sign-up, sign-in, sign-out, recovery, and their attack shapes."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from forum.accounts.models import AccountSession, Role, User
from forum.db import db
from tests.conftest import make_test_app, service_missing
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.web import csrf_token, hold_stories, post_form, sign_in

CODE = re.compile(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){7})</code>")


def sign_up(client, handle="heron", password="a quiet lake in spring"):
    """Sign up through the form; return the response and the recovery codes it showed."""
    response = post_form(client, "/signup", {"handle": handle, "password": password})
    return response, CODE.findall(response.get_data(as_text=True))


def test_sign_up_shows_recovery_codes_once_and_signs_in(client):
    response, codes = sign_up(client)
    assert response.status_code == 200
    assert len(codes) == 8
    assert "will not show them again" in response.get_data(as_text=True)
    account = client.get("/account")
    assert account.status_code == 200
    assert "heron" in account.get_data(as_text=True)
    assert codes[0] not in account.get_data(as_text=True)


def test_no_form_anywhere_asks_for_an_email(client):
    for url in ("/signup", "/login", "/recover"):
        html = client.get(url).get_data(as_text=True).lower()
        assert 'type="email"' not in html
        assert 'name="email"' not in html


def test_the_database_holds_no_password_code_ip_or_email_after_sign_up(app, client):
    password = "a quiet lake in spring"
    _, codes = sign_up(client, password=password)
    client.get("/account", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                dump.extend(str(value) for value in row)
            dump.extend(column.name for column in table.columns)
    text = "\n".join(dump).lower()
    assert password not in text
    assert "127.0.0.1" not in text and "203.0.113.77" not in text
    assert "email" not in text
    for code in codes:
        assert code not in text and code.replace("-", "") not in text


def test_sign_up_errors_keep_the_handle_and_follow_gov_uk(client):
    response = post_form(client, "/signup", {"handle": "heron", "password": "short"})
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert '<a href="#password">Password must be 8 characters or more</a>' in html
    assert 'value="heron"' in html
    assert 'value="short"' not in html  # passwords are never echoed back


def test_sign_up_ignores_extra_fields_such_as_role(app, client):
    post_form(
        client,
        "/signup",
        {
            "handle": "heron",
            "password": "a quiet lake in spring",
            "role": "admin",
            "id": "1",
            "banned": "1",
        },
    )
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role is Role.MEMBER and not user.banned


def test_sign_in_failures_are_uniform(app, client):
    with app.app_context():
        make_user("heron")
    unknown = post_form(client, "/login", {"handle": "nobody", "password": PASSWORD})
    wrong = post_form(client, "/login", {"handle": "heron", "password": "not it at all"})
    assert unknown.status_code == wrong.status_code == 200

    def message(response):
        return re.search(r'<a href="#handle">([^<]+)</a>', response.get_data(as_text=True))[1]

    assert message(unknown) == message(wrong) == "Handle or password not recognised"


def test_sign_in_goes_to_a_local_next_path(app, client):
    with app.app_context():
        make_user("heron")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=/account/password",
        data={"csrf_token": token, "handle": "heron", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "////evil.example",
        "\\\\\\evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https:evil.example",
        "https://evil.example",
        "/\tevil.example",
        "/\r\nLocation: https://evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "http:/evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(app, client, target):
    with app.app_context():
        make_user("heron")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": token, "handle": "heron", "password": PASSWORD},
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example" not in location or location.startswith("/%")


def test_sign_out_revokes_the_session_so_a_replayed_cookie_fails(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.get("/account").status_code == 200
    post_form(client, "/logout", {}, page="/account")
    with app.app_context():
        assert db.session.scalar(select(AccountSession)) is None
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = thief.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_sign_out_without_a_token_changes_nothing(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405


def test_sign_in_starts_a_fresh_session(app, client):
    with app.app_context():
        make_user("heron")
    client.get("/login")
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    sign_in(client, "heron", PASSWORD)
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert before != after


def test_changing_the_password_signs_out_other_browsers(app, client):
    with app.app_context():
        make_user("heron")
    other = app.test_client()
    sign_in(client, "heron", PASSWORD)
    sign_in(other, "heron", PASSWORD)
    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new phrase"},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_change_password_acts_only_on_the_signed_in_account(app, client):
    with app.app_context():
        make_user("heron")
        victim = make_user("egret")
        victim_id = victim.id
    sign_in(client, "heron", PASSWORD)
    post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new phrase",
            "user_id": str(victim_id),
            "uid": str(victim_id),
            "handle": "egret",
        },
    )
    assert sign_in(app.test_client(), "egret", PASSWORD).status_code == 303


def test_recovery_through_the_form(app, client):
    with app.app_context():
        _user, codes = make_user("heron", codes=2)
    response = post_form(
        client,
        "/recover",
        {"handle": "heron", "code": codes[1], "new_password": "a brand new phrase"},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    again = post_form(
        app.test_client(),
        "/recover",
        {"handle": "heron", "code": codes[1], "new_password": "another phrase here"},
    )
    assert "Handle or recovery code not recognised" in again.get_data(as_text=True)


def test_account_pages_need_sign_in(client):
    for url in ("/account", "/account/password", "/account/recovery-codes"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_a_missing_csrf_token_keeps_what_was_typed(client):
    response = client.post("/signup", data={"handle": "heron-typed", "password": "x" * 12})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="heron-typed"' in html
    assert "Everything you wrote is still here" in html
    assert "<title>Error: " in html


def test_an_expired_csrf_token_keeps_what_was_typed(app, client, monkeypatch):
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) - 7200
    )
    token = csrf_token(client, "/signup")
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", real)
    response = client.post(
        "/signup", data={"csrf_token": token, "handle": "kept-handle", "password": "x" * 12}
    )
    html = response.get_data(as_text=True)
    assert 'value="kept-handle"' in html
    assert "Everything you wrote is still here" in html
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_session_cookie_flags(app, client):
    client.get("/signup")
    header = next(h for h in client.get("/signup").headers.getlist("Set-Cookie") or [""])
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only
    assert cookie.same_site == "Lax"
    assert header == "" or "HttpOnly" in header


def test_pages_with_a_signed_in_user_are_not_cached(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def _limited_app(database_uri, storage_uri, prefix):
    return make_test_app(
        database_uri,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage_uri,
        RATELIMIT_KEY_PREFIX=prefix,
        LIMIT_SIGN_IN="3 per minute",
    )


def _hammer_login(application) -> list[int]:
    client = application.test_client()
    statuses = []
    for _ in range(5):
        token = csrf_token(client, "/login")
        statuses.append(
            client.post(
                "/login",
                data={"csrf_token": token, "handle": "x", "password": "y"},
                environ_base={"REMOTE_ADDR": "198.51.100.23"},
            ).status_code
        )
    return statuses


def test_sign_in_is_rate_limited(app, database_uri):
    statuses = _hammer_login(_limited_app(database_uri, "memory://", "t"))
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


@pytest.mark.redis
def test_rate_limits_are_kept_in_redis_without_raw_addresses(app, database_uri):
    """Counters live in Redis (shared by every worker and host), keyed by hashes only."""
    import os

    import redis

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        service_missing("REDIS_URL not set: the Redis rate-limit storage test needs a Redis server")
    # A database of its own on the same server, emptied before and after.
    url = redis_url.rsplit("/", 1)[0] + "/15" if redis_url.count("/") > 2 else redis_url + "/15"
    server = redis.Redis.from_url(url)
    try:
        server.flushdb()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis at {redis_url} is not reachable")
    try:
        application = _limited_app(database_uri, url, f"heard-test-{uuid.uuid4().hex}")
        assert _hammer_login(application) == [200, 200, 200, 429, 429]
        keys = [k.decode() for k in server.keys("*")]
        assert keys, "the limiter stored nothing in Redis"
        assert not any("198.51.100.23" in key for key in keys)
        dumped = " ".join(str(server.dump(k)) for k in keys)
        assert "198.51.100.23" not in dumped
    finally:
        server.flushdb()


def test_a_rate_limited_page_is_kind(app, database_uri):
    application = _limited_app(database_uri, "memory://", "k")
    _hammer_login(application)
    client = application.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "handle": "x", "password": "y"},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 429
    assert "Please wait a little" in response.get_data(as_text=True)


def test_create_admin_cli_takes_the_password_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("HEARD_ADMIN_PASSWORD", "a long admin passphrase")
    result = app.test_cli_runner().invoke(args=["heard", "create-admin", "keeper"])
    assert result.exit_code == 0, result.output
    assert "Created admin keeper" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.handle == "keeper")) is Role.ADMIN


def test_create_admin_cli_refuses_a_weak_password(app, monkeypatch):
    monkeypatch.setenv("HEARD_ADMIN_PASSWORD", "short")
    result = app.test_cli_runner().invoke(args=["heard", "create-admin", "keeper"])
    assert result.exit_code != 0
    assert "8 characters or more" in result.output


def test_the_session_cookie_carries_no_hash_of_address_or_agent(app, client):
    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    contents = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert "_id" not in contents
    assert set(contents) <= {"_user_id", "_fresh", "sid", "csrf_token", "_permanent", "_flashes"}


def test_an_error_page_still_renders_when_the_database_fails(app, client, monkeypatch):
    from forum.accounts import services

    with app.app_context():
        make_user("heron")
    sign_in(client, "heron", PASSWORD)

    def broken(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(services, "load_session", broken)
    response = client.get("/account")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "database unavailable" not in html and 'href="/exit"' in html


def test_signing_in_keeps_the_help_region_and_opened_stories(app, client):
    with app.app_context():
        make_user("heron")
        load_tags()
        story_id = make_story(title="Opened by its status code").id
    hold_stories(app, client, story_id)
    with client.session_transaction() as session:
        session["region"] = "IE"
        session["other"] = "dropped"
    sign_in(client, "heron", PASSWORD)
    with client.session_transaction() as session:
        assert session["region"] == "IE" and "other" not in session
    assert "Opened by its status code" in client.get("/status").get_data(as_text=True)
