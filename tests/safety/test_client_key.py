"""Keyed client hashes: never the raw address, rotating daily, proxies trusted only by count."""

from __future__ import annotations

from datetime import date

from flask import Flask

from forum.safety.client_key import client_key, request_client_key
from tests.conftest import make_test_app

SECRET = "s" * 40


def test_the_key_is_not_the_address_and_is_stable_within_a_day():
    day = date(2026, 11, 22)
    key = client_key(SECRET, "203.0.113.9", "rate-limit", day)
    assert "203.0.113.9" not in key and len(key) == 32
    assert key == client_key(SECRET, "203.0.113.9", "rate-limit", day)


def test_the_key_changes_with_the_day_the_purpose_and_the_secret():
    day = date(2026, 11, 22)
    key = client_key(SECRET, "203.0.113.9", "rate-limit", day)
    assert key != client_key(SECRET, "203.0.113.9", "rate-limit", date(2026, 11, 23))
    assert key != client_key(SECRET, "203.0.113.9", "reaction", day)
    assert key != client_key("t" * 40, "203.0.113.9", "rate-limit", day)
    assert key != client_key(SECRET, "203.0.113.10", "rate-limit", day)


def _keys_seen(app: Flask, forwarded_for: list[str]) -> list[str]:
    """The rate-limit key for requests from one proxy address, forwarding for others."""
    app.add_url_rule("/_key", "key", lambda: request_client_key())
    client = app.test_client()
    return [
        client.get(
            "/_key", environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": address},
        ).get_data(as_text=True)
        for address in forwarded_for
    ]  # fmt: skip


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(database_uri):
    first, second = _keys_seen(make_test_app(database_uri), ["1.1.1.1", "2.2.2.2"])
    assert first == second == client_key(make_test_app(database_uri).config["SECRET_KEY"],
                                         "10.0.0.2", "rate-limit")  # fmt: skip


def test_one_trusted_proxy_hop_uses_the_address_it_forwarded(database_uri):
    app = make_test_app(database_uri, TRUSTED_PROXY_HOPS=1)
    first, second = _keys_seen(app, ["1.1.1.1", "2.2.2.2"])
    assert first != second
    assert first == client_key(app.config["SECRET_KEY"], "1.1.1.1", "rate-limit")


def test_the_ban_key_lasts_across_days_and_differs_from_daily_keys():
    from forum.safety.client_key import ban_key  # noqa: PLC0415

    key = ban_key(SECRET, "203.0.113.9")
    assert key == ban_key(SECRET, "203.0.113.9")
    assert key != ban_key(SECRET, "203.0.113.10") and "203.0.113.9" not in key
    assert key != client_key(SECRET, "203.0.113.9", "ban", date(2026, 11, 22))
