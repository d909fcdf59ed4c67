"""Helpers for sharing view tests: walk /share as a browser does, carrying the hidden fields."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from forum.db import db
from forum.stories.models import Story

CODE = re.compile(r'<code id="status-code">([^<]+)</code>')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


class _Forms(HTMLParser):
    """Collects each form's action and its hidden inputs, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", []))
        elif tag == "input" and attributes.get("type") == "hidden" and self.forms:
            self.forms[-1][1].append((attributes.get("name") or "", attributes.get("value") or ""))


def hidden_fields(html: str, action: str = "/share") -> list[tuple[str, str]]:
    """The hidden inputs of the (last) form posting to action, as a browser would send them."""
    parser = _Forms()
    parser.feed(html)
    forms = [fields for form_action, fields in parser.forms if form_action == action]
    assert forms, f"no form posting to {action}"
    return forms[-1]


def valid_story(**overrides) -> dict:
    """Compose-form data for a valid "What happened" story."""
    data = {
        "kind": "experience",
        "title": "Nobody listened",
        "body": "For two years I talked and **nobody** listened.",
        "harm_tags": ["not-heard"],
    }
    data.update(overrides)
    return data


def start(client) -> dict:
    """Open /share; return the csrf and form tokens its form carries."""
    html = client.get("/share").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    return {"csrf_token": csrf, "form_token": FORM_TOKEN.search(html)[1]}


def step(client, action: str, data: dict, tokens: dict | None = None):
    """POST one step of /share with the given fields."""
    return client.post("/share", data={**(tokens or start(client)), **data, "action": action})


def carry(client, response, action: str):
    """Press a button on a check or preview page: post its hidden fields with the action."""
    fields = hidden_fields(response.get_data(as_text=True))
    return client.post("/share", data=MultiDict([*fields, ("action", action)]))


def share(client, **overrides):
    """Compose, preview and submit a story the way a browser does; return the submit response."""
    preview = step(client, "preview", valid_story(**overrides))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return carry(client, preview, "submit")


def sent_code(client) -> str | None:
    """The status code on /share/sent, if one is shown."""
    match = CODE.search(client.get("/share/sent").get_data(as_text=True))
    return match[1] if match else None


def story_count(app) -> int:
    """How many stories the database holds."""
    with app.app_context():
        return db.session.scalar(select(func.count(Story.id)))


def main_of(html: str) -> str:
    """Only the <main> element, to keep assertions away from the shared page shell."""
    return html[html.index("<main") : html.index("</main>")]
