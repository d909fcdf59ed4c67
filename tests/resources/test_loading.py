"""Loading the starter set: faithful to RESOURCES.md, idempotent, never overwriting edits."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from forum.db import db
from forum.errors import Invalid
from forum.resources import complaints
from forum.resources.links import is_valid_resource_url
from forum.resources.loading import load_resources
from forum.resources.models import Category, ContactKind, Guide, Resource, ResourceStatus
from forum.resources.services import DEFAULT_DATA

DATA = json.loads(DEFAULT_DATA.read_text("utf-8"))
SHARED = DEFAULT_DATA.parents[2].parent / "shared" / "RESOURCES.md"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_loading_creates_every_resource_and_guide_once(tags):
    report = load_resources()
    assert report.resources_created == len(DATA["resources"]) == count(Resource)
    assert report.guides_created == 4 == count(Guide)
    again = load_resources()
    assert (again.resources_created, again.guides_created) == (0, 0)
    assert again.resources_kept == len(DATA["resources"])
    assert count(Resource) == len(DATA["resources"])
    assert "Created 0 resources and 0 guides" in again.summary()


def test_loading_never_overwrites_a_curators_edits_or_retirements(loaded):
    samaritans = db.session.scalar(select(Resource).where(Resource.title == "Samaritans"))
    samaritans.description = "Edited by a moderator."
    samaritans.status = ResourceStatus.RETIRED
    guide = db.session.scalar(select(Guide).where(Guide.slug == "finding-a-therapist-who-fits"))
    guide.title = "Renamed by an admin"
    db.session.commit()

    load_resources()
    db.session.expire_all()
    assert samaritans.description == "Edited by a moderator."
    assert samaritans.status is ResourceStatus.RETIRED
    assert guide.title == "Renamed by an admin"


def test_a_deleted_resource_comes_back_but_nothing_is_duplicated(loaded):
    db.session.delete(db.session.scalar(select(Resource).where(Resource.title == "Samaritans")))
    db.session.commit()
    report = load_resources()
    assert report.resources_created == 1
    assert count(Resource) == len(DATA["resources"])


def test_bad_data_loads_nothing_at_all(tags):
    data = json.loads(json.dumps(DATA))
    data["resources"][5]["url"] = "javascript:alert(1)"
    with pytest.raises(Invalid) as caught:
        load_resources(data)
    assert "https://" in caught.value.message
    assert count(Resource) == 0


def test_an_unknown_tag_is_refused_with_a_hint(tags):
    data = {"resources": [dict(DATA["resources"][0], harm_tags=["suicidal-thoughts"])]}
    with pytest.raises(Invalid) as caught:
        load_resources(data)
    assert "Load the taxonomy first" in caught.value.message


def test_loading_without_the_taxonomy_says_so(ctx):
    with pytest.raises(Invalid) as caught:
        load_resources()
    assert "taxonomy" in caught.value.message


def test_each_resource_records_when_its_source_was_checked(loaded):
    for resource in db.session.scalars(select(Resource)):
        assert resource.last_checked_at is not None
        assert resource.last_checked_at.date().isoformat() == "2026-11-22"
        assert resource.last_check_ok is True
        assert resource.curator_note  # where it was checked, and any caveat


def test_guides_are_rendered_safely_with_headings_under_the_page_title(loaded):
    for guide in db.session.scalars(select(Guide)):
        assert "<h2>" in guide.body_html
        assert "<h1" not in guide.body_html and "<script" not in guide.body_html
        assert guide.categories


# The data file itself: faithful to RESOURCES.md.


def test_every_url_and_number_in_the_data_appears_in_resources_md():
    if not SHARED.exists():
        pytest.skip("RESOURCES.md is not beside this checkout")
    source = SHARED.read_text("utf-8")
    for entry in DATA["resources"]:
        assert entry["url"] in source, entry["url"]
        for contact in entry["contacts"]:
            digits = re.sub(r"\D", "", contact["number"])
            # Each number as printed in RESOURCES.md, ignoring its spacing and punctuation.
            assert digits in re.sub(r"\D", "", source), contact


def test_unverified_and_closed_services_are_left_out():
    text = json.dumps(DATA)
    for absent in (
        "crisistextline",
        "741741",
        "13yarn",
        "0300 123 3393",
        "wellnesstogether",
        "1-800-273-8255",
        "086 1800 280",
        "supportingsafetherapy",
    ):
        assert absent not in text.lower(), absent


def test_data_urls_are_valid_unique_and_https():
    urls = [entry["url"] for entry in DATA["resources"]]
    assert len(urls) == len(set(urls))
    assert all(url.startswith("https://") and is_valid_resource_url(url) for url in urls)


def test_secondary_numbers_carry_their_caveat():
    rape_crisis = next(e for e in DATA["resources"] if "Rape" in e["title"])
    (contact,) = rape_crisis["contacts"]
    assert contact["number"] == "0808 500 2222"
    assert contact["confirmed"] is False
    assert "secondary" in rape_crisis["curator_note"]


def test_every_category_has_resources_and_crisis_lines_cover_every_region():
    categories = {entry["category"] for entry in DATA["resources"]}
    assert categories == {c.value for c in Category}
    on_help = [e for e in DATA["resources"] if e["show_on_help"]]
    assert all(e["category"] == "crisis" for e in on_help)
    for region in ("global", "GB", "IE", "US", "CA", "AU"):
        assert any(region in e["regions"] for e in on_help), region
    numbers = {c["kind"] for e in DATA["resources"] for c in e["contacts"]}
    assert numbers <= {k.value for k in ContactKind}


def test_complaint_routes_link_only_to_listed_resources():
    countries = complaints.parse_routes(DATA)
    assert {c.code for c in countries} == {"GB", "US", "IE", "AU", "CA"}
    assert sum(len(c.practitioners) for c in countries) >= 15
    broken = dict(DATA, complaint_routes=[dict(DATA["complaint_routes"][0])])
    broken["complaint_routes"][0]["practitioners"] = [
        dict(DATA["complaint_routes"][0]["practitioners"][0], also=["https://invented.example/"])
    ]
    with pytest.raises(ValueError, match="invented"):
        complaints.parse_routes(broken)
