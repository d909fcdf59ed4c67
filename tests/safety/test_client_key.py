"""Keyed client hashes: never the raw address, a random secret per day, destroyed on purge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from forum.db import db
from forum.safety import client_key as ck
from forum.safety.models import DaySecret
from tests.conftest import make_test_app

SECRET = "s" * 40


def test_the_key_is_not_the_address_and_is_stable_within_a_day(ctx):
    key = ck.client_key("203.0.113.9", "rate-limit")
    assert "203.0.113.9" not in key and len(key) == 32
    assert key == ck.client_key("203.0.113.9", "rate-limit")
    assert key != ck.client_key("203.0.113.9", "reaction")
    assert key != ck.client_key("203.0.113.10", "rate-limit")


def test_each_day_has_its_own_random_secret_stored_once(ctx):
    first = ck.secret_of_the_day(date(2026, 11, 21))
    second = ck.secret_of_the_day(date(2026, 11, 22))
    assert first != second and len(first) == 32
    assert ck.secret_of_the_day(date(2026, 11, 22)) == second
    assert db.session.scalar(select(func.count(DaySecret.id))) == 2
    # Not derived from the app's secret: another database gets another secret for the day.
    assert ck.keyed_hash(first, "a", "p") != ck.keyed_hash(second, "a", "p")


def test_purge_destroys_secrets_older_than_the_retention_window(ctx):
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    for days_ago in range(5):
        ck.secret_of_the_day((now - timedelta(days=days_ago)).date())
    removed = ck.purge_day_secrets(48, now=now)
    db.session.commit()
    kept = sorted(db.session.scalars(select(DaySecret.day)))
    assert removed == 2
    assert kept == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]


def _keys_seen(app: Flask, forwarded_for: list[str]) -> list[str]:
    """The rate-limit key for requests from one proxy address, forwarding for others."""
    with app.app_context():
        db.create_all()
    app.add_url_rule("/_key", "key", lambda: ck.request_client_key())
    client = app.test_client()
    return [
        client.get(
            "/_key",
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": address},
        ).get_data(as_text=True)
        for address in forwarded_for
    ]


def _expected(app: Flask, address: str) -> str:
    with app.app_context():
        return ck.client_key(address, "rate-limit")


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(database_uri):
    app = make_test_app(database_uri)
    first, second = _keys_seen(app, ["1.1.1.1", "2.2.2.2"])
    assert first == second == _expected(app, "10.0.0.2")


def test_one_trusted_proxy_hop_uses_the_address_it_forwarded(database_uri):
    app = make_test_app(database_uri, TRUSTED_PROXY_HOPS=1)
    first, second = _keys_seen(app, ["1.1.1.1", "2.2.2.2"])
    assert first != second
    assert first == _expected(app, "1.1.1.1")


def test_the_ban_key_lasts_across_days_and_differs_from_daily_keys(ctx):
    key = ck.ban_key(SECRET, "203.0.113.9")
    assert key == ck.ban_key(SECRET, "203.0.113.9")
    assert key != ck.ban_key(SECRET, "203.0.113.10") and "203.0.113.9" not in key
    assert key != ck.client_key("203.0.113.9", "ban")
