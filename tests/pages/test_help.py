"""Crisis numbers by default: /help and the story help panels with no region chosen list a
line to call or text in each main region (GB, IE, US, CA, AU), with hours; a deployment can
choose its own default region (FORUM_DEFAULT_REGION); a reader can still choose another."""

from __future__ import annotations

import re

import pytest

from forum.config import environment_overrides
from forum.db import db
from forum.resources.loading import load_resources
from forum.stories.models import Status
from tests.factories import load_tags, make_story

CALL_OR_TEXT = re.compile(r'<a href="(?:tel|sms):[^"]+">(?:Call|Text)[^<]*</a>')


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _main_lines_shown(html: str) -> tuple[int, list[str]]:
    part = _section(html, "main-lines-title")
    return len(CALL_OR_TEXT.findall(part)), re.findall(r"<h3>([^<]+)</h3>", part)


@pytest.mark.parametrize("loaded", [False, True], ids=["starter-data", "curated"])
def test_help_with_no_region_shows_five_regions_to_call_or_text(app, client, loaded):
    """/help with no region: at least five call-or-text lines, one region each at least,
    with their hours; the worldwide directories stay as well."""
    if loaded:
        with app.app_context():
            load_tags()
            load_resources()
            db.session.remove()
    html = client.get("/help").get_data(as_text=True)
    count, regions = _main_lines_shown(html)
    assert count >= 5, count
    assert regions == ["United Kingdom", "Ireland", "United States", "Canada", "Australia"]
    part = _section(html, "main-lines-title")
    assert "116 123" in part and "988" in part and "13 11 14" in part
    assert "Open 24 hours a day" in part
    assert "Find A Helpline" in html
    assert '<option value="global" selected>' in html


def test_a_reader_can_still_choose_a_region(client):
    html = client.get("/help?region=IE").get_data(as_text=True)
    assert 'id="main-lines-title"' not in html
    assert '<option value="IE" selected>' in html
    assert "988" not in html


def test_the_deployment_chooses_the_default_region(app, client):
    """FORUM_DEFAULT_REGION=US: /help starts with the US lines; GB can still be chosen."""
    overrides = environment_overrides(dict(app.config), {"FORUM_DEFAULT_REGION": "US"})
    assert overrides["DEFAULT_REGION"] == "US"
    app.config.update(overrides)
    html = client.get("/help").get_data(as_text=True)
    assert '<option value="US" selected>' in html and "988" in html
    assert "116 123" not in html
    assert "116 123" in client.get("/help?region=GB").get_data(as_text=True)


def test_every_story_panel_with_no_region_lists_lines_to_call_or_text(app, client):
    """A story's help panel, reader with no region: a call-or-text line for each main region."""
    with app.app_context():
        load_tags()
        load_resources()
        story = make_story(status=Status.PUBLISHED, harm_tags=["not-heard"])
        story_id = story.id
        db.session.remove()
    html = client.get(f"/stories/{story_id}").get_data(as_text=True)
    panel = html[html.index('class="resources-panel__crisis"') :]
    panel = panel[: panel.index("</div>")]
    assert len(CALL_OR_TEXT.findall(panel)) >= 5
    for name in ("United Kingdom", "Ireland", "United States", "Canada", "Australia"):
        assert f"{name}: " in panel, name
    assert "(open 24 hours a day" in panel


def test_help_offers_a_line_of_hope(client):
    html = client.get("/help").get_data(as_text=True)
    assert "You do not have to go through this alone" in html
    assert "found a way through" in html
