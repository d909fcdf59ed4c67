"""Attack shapes against /share and /status: mass assignment, type fuzz and XSS payload corpora."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from forum.accounts.models import User
from forum.db import db
from forum.stories.models import Status, Story
from forum.stories.services import submit_story
from tests.factories import load_tags, make_draft, make_user
from tests.payloads import PAYLOADS
from tests.sharing.flow import main_of, start, step, story_count, valid_story
from tests.web import post_form

CORPORA = [
    PAYLOADS / "xss" / "xss_payloads_quick.txt",
    PAYLOADS / "xss" / "XSS_Polyglots.txt",
    PAYLOADS / "xss" / "BRUTELOGIC-XSS-STRINGS.txt",
]
BLNS = PAYLOADS / "naughty-strings" / "blns.txt"
FIELDS = [
    "form_token",
    "kind",
    "title",
    "body",
    "answer_affected",
    "answer_group",
    "harm_tags",
    "impact-not-heard",
    "practice_tags",
    "content_notes",
    "therapy_kind",
    "setting",
    "format",
    "roughly_when",
    "problem_kind",
    "attribution",
    "helped_instead",
    "show_handle",
    "action",
]


@pytest.fixture
def tags(app):
    """The starting taxonomy."""
    with app.app_context():
        load_tags()


def test_extra_fields_cannot_set_what_only_moderators_and_the_service_decide(app, client, tags):
    with app.app_context():
        victim = make_user("egret")
        victim_id = victim.id
    tokens = start(client)
    sneaky = {
        "status": "published",
        "author_id": str(victim_id),
        "featured": "1",
        "locked": "1",
        "story_id": "1",
        "id": "99",
        "published_at": "2020-01-01",
        "crisis_flagged": "0",
        "status_token_hash": "0" * 64,
        "version": "7",
        "show_handle": "handle",
    }
    response = step(client, "submit", {**valid_story(), **sneaky}, tokens)
    assert response.status_code == 303
    with app.app_context():
        story = db.session.scalar(select(Story))
        assert story.status is Status.PENDING
        assert story.author_id is None and not story.show_handle
        assert not story.featured and not story.locked and story.published_at is None
        assert story.id != 99 and story.version == 1
        assert story.status_token_hash != "0" * 64


def test_edit_cannot_move_a_story_to_another_author_or_publish_it(app, client, tags):
    with app.app_context():
        sent = submit_story(None, make_draft(), "a-form-token-of-thirty-two-chars")
        story_id, code = sent.story.id, sent.status_token
        other = make_user("egret")
        other_id = other.id
    post_form(client, "/status", {"code": code})
    response = post_form(
        client,
        f"/status/{story_id}/edit",
        {**valid_story(), "status": "published", "author_id": str(other_id), "featured": "1"},
    )
    assert response.status_code == 303
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status is Status.PENDING and story.author_id is None and not story.featured
        assert db.session.get(User, other_id) is not None


def _fuzz_values() -> list:
    odd_bytes = "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")
    return [
        ["one", "two"],
        "\x00",
        "text\x00with\x00nul",
        "",
        " ",
        "%00",
        "' OR 1=1 --",
        "{}",
        "[]",
        odd_bytes,
        "9" * 400,
    ]


@pytest.mark.parametrize("action", ["check", "preview", "submit", "edit", "bogus"])
def test_type_fuzz_on_every_field_never_gives_a_500(app, client, tags, action):
    for value in _fuzz_values():
        tokens = start(client)
        data = MultiDict(valid_story())
        for name in FIELDS:
            data.setlist(name, value if isinstance(value, list) else [value])
        data.update(tokens)
        data.setlist("action", [action])
        response = client.post("/share", data=data)
        assert response.status_code in (200, 303, 400), (value, response.status_code)


@pytest.mark.parametrize(
    "name",
    [
        "title",
        "body",
        "harm_tags",
        "impact-not-heard",
        "form_token",
        "kind",
        "answer_affected",
        "roughly_when",
    ],
)
def test_huge_values_are_refused_kindly(client, tags, name):
    tokens = start(client)
    response = step(client, "submit", {**valid_story(), name: "x" * 200_000}, tokens)
    assert response.status_code in (200, 303, 413)
    if response.status_code == 200:
        assert "<title>Error: " in response.get_data(as_text=True)


def test_nul_characters_never_reach_the_database(app, client, tags):
    tokens = start(client)
    story = valid_story(
        title="A\x00title",
        body="Body\x00text",
        therapy_kind="C\x00BT",
        answer_affected="Badly\x00.",
        helped_instead="Walks\x00",
    )
    assert step(client, "submit", story, tokens).status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Story))
        texts = [stored.title, stored.body, stored.therapy_kind, stored.helped_instead]
        texts += [answer.body for answer in stored.answers]
        assert not any("\x00" in text for text in texts)
        assert stored.body == "Bodytext"


def test_wrong_types_on_the_status_form_never_give_a_500(client, tags):
    for value in _fuzz_values():
        values = value if isinstance(value, list) else [value]
        response = post_form(client, "/status", {"code": values})
        assert response.status_code == 200


# --- XSS payload corpora -------------------------------------------------------------------


class _Sinks(HTMLParser):
    """Every script element, event-handler attribute and javascript: URL in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        src = attributes.get("src") or ""
        if tag == "script" and not re.fullmatch(r"/static/js/heard\.js\?v=[0-9a-f]{16}", src):
            self.found.append(f"<script {attrs}>")
        for name, value in attrs:
            if re.fullmatch(r"on\w+", name):
                self.found.append(f"<{tag} {name}=...>")
            compact = re.sub(r"[\s\x00-\x1f]+", "", (value or "")).lower()
            if name in {"href", "src", "action", "formaction", "xlink:href"} and (
                compact.startswith(("javascript:", "vbscript:", "data:"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def _sinks(html: str) -> list[str]:
    parser = _Sinks()
    parser.feed(html)
    parser.close()
    return parser.found


def _payloads() -> list[str]:
    lines: list[str] = []
    for path in CORPORA:
        lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    naughty = [
        line
        for line in BLNS.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    lines += naughty[::4]  # a sample, to keep the test fast
    return [line.replace("\x00", "") for line in lines if line.strip()]


def _chunks(payloads: list[str], limit: int) -> list[str]:
    """Payloads joined with spaces into pieces no longer than limit (long ones cut)."""
    chunks, current = [], ""
    for payload in payloads:
        payload = payload[:limit]
        if current and len(current) + 1 + len(payload) > limit:
            chunks.append(current)
            current = payload
        else:
            current = f"{current} {payload}" if current else payload
    return [*chunks, current] if current else chunks


def test_payload_corpora_render_no_script_on_the_preview(client, tags):
    payloads = _payloads()
    assert len(payloads) > 250
    block = "\n\n".join(payloads)
    per_field = {
        "title": _chunks(payloads, 200),
        "therapy_kind": _chunks(payloads, 120),
        "roughly_when": _chunks(payloads, 60),
    }
    rounds = max(len(chunks) for chunks in per_field.values())
    tokens = start(client)
    for n in range(rounds):
        data = valid_story(
            title=per_field["title"][n % len(per_field["title"])],
            therapy_kind=per_field["therapy_kind"][n % len(per_field["therapy_kind"])],
            roughly_when=per_field["roughly_when"][n],
        )
        if n == 0:  # the long fields take every payload at once
            data.update(
                body=block,
                answer_affected=block[:5000],
                answer_risks=block[5000:10000],
                helped_instead=block[:10000],
            )
        response = step(client, "preview", data, tokens)
        html = response.get_data(as_text=True)
        assert "<h1>Check your story</h1>" in html, html[html.find("error-summary") :][:600]
        assert _sinks(html) == [], _sinks(html)[:5]
        if n == 0:
            assert len(main_of(html)) > len(block)


def test_payloads_on_the_compose_and_check_pages_stay_inert(client, tags):
    payloads = _payloads()
    block = "\n\n".join(payloads)
    # Errors re-render every value into the form; the check page carries them in hidden inputs.
    for action, extra in (("check", {"harm_tags": []}), ("check", {"body": block + " a@b.com"})):
        data = {
            **valid_story(title=payloads[0][:200], body=block, helped_instead=block[:9000]),
            **extra,
        }
        html = step(client, action, data).get_data(as_text=True)
        assert _sinks(html) == [], _sinks(html)[:5]


def test_nothing_from_the_attack_runs_is_stored(app, client, tags):
    step(client, "preview", valid_story(body="<script>alert(1)</script>"))
    assert story_count(app) == 0


def test_the_sink_detector_itself_finds_live_payloads():
    page = '<img src=x onerror=alert(1)><a href=" java\tscript:x">a</a><script>x</script>'
    assert len(_sinks(page)) == 3
    assert _sinks("<p>&lt;script&gt; onerror=alert(1) javascript:</p>") == []
