"""The development server's request log carries no client address."""

from __future__ import annotations

import logging

from forum.safety.logs import DropClientAddress


def test_the_leading_client_address_is_removed():
    message = '203.0.113.5 - - [22/Nov/2026 04:43:59] "%s" %s %s'
    args = ("GET / HTTP/1.1", "200", "-")
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)
    assert DropClientAddress().filter(record) is True
    assert "203.0.113.5" not in record.getMessage()
    assert record.getMessage().startswith('- - - [22/Nov/2026 04:43:59] "GET / HTTP/1.1" 200')


def test_the_filter_is_installed_when_the_app_is_created(app):
    assert any(isinstance(f, DropClientAddress) for f in logging.getLogger("werkzeug").filters)
