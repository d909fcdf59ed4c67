"""Helpers for view tests: read CSRF tokens from real pages and post forms as a browser would."""

from __future__ import annotations

import re

from forum.governance import teller_access
from forum.governance.session_keys import TELLER_HANDLE

TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    """The CSRF token from the form on the page at url."""
    html = client.get(url).get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST data to url with the CSRF token taken from page (default: url itself)."""
    token = csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def sign_in(client, handle: str, password: str):
    """Sign in through the real form."""
    return post_form(client, "/login", {"handle": handle, "password": password})


def hold_stories(app, client, *story_ids: int) -> None:
    """Let this test browser act on stories, as opening each with its status code would."""
    with client.session_transaction() as session, app.app_context():
        handle = session.get(TELLER_HANDLE)
        for story_id in story_ids:
            handle = teller_access.grant(handle, story_id)
        session[TELLER_HANDLE] = handle
