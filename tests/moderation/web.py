"""Helpers for moderation view tests: sign in as someone, post prefixed forms with CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.factories import PASSWORD
from tests.web import sign_in

TOKEN = re.compile(r'name="[\w-]*csrf_token"[^>]*?value="([^"]+)"')


def client_as(app, handle: str | None):
    """A test client, signed in as handle (or anonymous for None)."""
    client = app.test_client()
    if handle:
        response = sign_in(client, handle, PASSWORD)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def token(client) -> str:
    """A CSRF token for this client's session (any form's token is the session's token)."""
    html = client.get("/login").get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, "no CSRF token on /login"
    return match.group(1)


def post(client, url: str, data: dict | None = None, prefix: str | None = None, **kwargs):
    """POST data with a valid CSRF token; with prefix, data keys are prefixed as the form is."""
    data = dict(data or {})
    if prefix:
        data = {f"{prefix}-{key}": value for key, value in data.items()}
    value = token(client)
    data.setdefault("csrf_token", value)
    if prefix:
        data[f"{prefix}-csrf_token"] = value
    return client.post(url, data=data, **kwargs)


def act(client, kind: str, item_id: int, action: str, version: int, reason="A reason", **fields):
    """Run one moderation action through its form."""
    data = {"version": str(version), "reason": reason, **fields}
    return post(client, f"/moderation/{kind}/{item_id}/{action}", data, prefix=action)


OWN_SCRIPT = re.compile(r"/static/js/heard\.js\?v=[0-9a-f]{16}")


class Dangerous(HTMLParser):
    """Collects what would run in a browser: script elements, on* attributes, js: URLs."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        # Heard's own script, by its fingerprinted URL (forum/assets.py), and nothing else.
        src = dict(attrs).get("src") or ""
        own_script = tag == "script" and OWN_SCRIPT.fullmatch(src) is not None
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "img", "style"} and not (
            own_script
        ):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in self.URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag} {name}={value[:40]}")

    handle_startendtag = handle_starttag


def dangerous(html: str) -> list[str]:
    """What in html could execute (empty when the page is safe)."""
    parser = Dangerous()
    parser.feed(html)
    parser.close()
    return parser.found
