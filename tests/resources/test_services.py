"""Reading resources: directory filters, regions, the story panel, tag pages, /help, the finder."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.db import db
from forum.resources import services
from forum.resources.models import Category, Resource, ResourceStatus
from forum.resources.regions import served_label
from forum.resources.services import DirectoryFilters
from forum.stories.models import Status
from tests.factories import make_story
from tests.resources.conftest import count_queries, make_resource


def titles(resources) -> list[str]:
    return [resource.title for resource in resources]


def directory(**filters) -> list[str]:
    return [
        r.title for s in services.list_directory(DirectoryFilters(**filters)) for r in s.resources
    ]


# The directory.


def test_filter_by_category(loaded):
    found = services.list_directory(DirectoryFilters(category=Category.COMPLAIN))
    assert [section.category for section in found] == [Category.COMPLAIN]
    assert "Professional Conduct Procedure (complaints about BACP members)" in titles(
        found[0].resources
    )
    assert "Samaritans" not in directory(category=Category.COMPLAIN)


def test_filter_by_harm_tag(loaded):
    found = directory(tag="cultural-mismatch")
    assert "Therapy for People of Color directory" in found
    assert "Hope for Wellness Help Line" in found
    assert "Samaritans" not in found  # serves everyone, but is not tagged with this harm


def test_filters_combine(loaded):
    found = directory(category=Category.FIND_THERAPIST, region="GB", tag="boundary-violation")
    assert set(found) == {
        "BACP: how to find a therapist (and the BACP Register)",
        "PSA Accredited Registers: check a counsellor or psychotherapist is on one",
        "Therapy after a professional boundary violation",
    }


def test_a_gb_reader_sees_gb_and_its_nations_and_global_but_not_other_countries(loaded):
    found = directory(region="GB", category=Category.CRISIS)
    assert "Samaritans" in found  # GB and IE
    assert "NHS 111, mental health option (England)" in found  # GB-ENG
    assert "24/7 Rape & Sexual Abuse Support Line" in found  # GB-ENG and GB-WLS
    assert "Find A Helpline" in found  # global
    assert "988 Suicide & Crisis Lifeline" not in found
    assert "Lifeline Australia" not in found


def test_the_reader_region_comes_before_everywhere_within_a_category(loaded):
    found = directory(region="GB", category=Category.CRISIS)
    assert found.index("Samaritans") < found.index("Find A Helpline")


def test_a_global_reader_sees_only_global_resources(loaded):
    found = directory(region="global")
    assert (
        "Find A Helpline" in found and "Intervoice (International Hearing Voices Movement)" in found
    )
    assert "Samaritans" not in found


def test_no_region_filter_shows_every_region(loaded):
    everything = directory()
    assert len(everything) == db.session.query(Resource).count()


def test_subdivision_only_regions_are_labelled():
    assert served_label(["GB-ENG"]) == "England only"
    assert served_label(["GB-ENG", "GB-WLS"]) == "England and Wales only"
    assert served_label(["GB", "IE"]) == "United Kingdom and Ireland"
    assert served_label(["global"]) == "Everywhere"


def test_retired_resources_are_never_listed(loaded):
    samaritans = db.session.scalar(select(Resource).where(Resource.title == "Samaritans"))
    samaritans.status = ResourceStatus.RETIRED
    db.session.commit()
    assert "Samaritans" not in directory()
    assert "Samaritans" not in [line["name"] for line in services.help_lines("GB")]


def test_directory_query_count_does_not_grow_with_the_data(tags):
    for i in range(5):
        make_resource(f"Small {i}", regions=("GB",), tags=("not-heard",))
    with count_queries() as small:
        assert len(directory(region="GB")) == 5
    for i in range(45):
        make_resource(f"Large {i}", regions=("GB-ENG",), tags=("not-heard", "no-say"))
    with count_queries() as large:
        assert len(directory(region="GB")) == 50
    assert len(small) == len(large) <= 4


# The story panel.


def story_with(tags=("not-heard",), notes=(), practice=()):
    return make_story(
        status=Status.PUBLISHED,
        harm_tags=list(tags),
        content_notes=list(notes),
        practice_tags=list(practice),
    )


def test_panel_matches_the_story_tags_in_the_reader_region(loaded):
    story = story_with(tags=("boundary-violation",))
    panel = services.resources_for_story(story, "GB")
    assert not panel.crisis_first
    assert panel.matched, "a GB reader of a boundary-violation story gets matched resources"
    for resource in panel.matched:
        assert resource.category is not Category.CRISIS
        codes = resource.region_codes
        assert "global" in codes or any(c == "GB" or c.startswith("GB-") for c in codes)
        assert "boundary-violation" in {t.slug for t in resource.tags} or resource.serves_all_harms
    assert len(panel.matched) <= services.PANEL_MATCHED


def test_panel_for_a_us_reader_gives_us_help(loaded):
    story = story_with(tags=("boundary-violation",))
    panel = services.resources_for_story(story, "US")
    assert all("GB" not in r.region_codes for r in panel.matched + panel.crisis)
    assert "988 Suicide & Crisis Lifeline" in titles(panel.crisis)


def test_panel_puts_crisis_help_first_for_suicide_or_self_harm_notes(loaded):
    for note in ("suicide", "self-harm"):
        panel = services.resources_for_story(story_with(notes=(note,)), "GB")
        assert panel.crisis_first
        assert titles(panel.crisis)[0] == "Samaritans"
        assert all(r.show_on_help for r in panel.crisis)


def test_panel_without_crisis_notes_leads_with_matched_help_and_specialist_lines(loaded):
    story = story_with(tags=("boundary-violation",), notes=("sexual-abuse",))
    panel = services.resources_for_story(story, "GB")
    assert not panel.crisis_first
    # A specialist line matching the story's harm comes before the general ones.
    assert titles(panel.crisis)[0] == "24/7 Rape & Sexual Abuse Support Line"


def test_panel_uses_practice_tags_too(tags):
    make_resource("Peer group finder", category=Category.PEER_SUPPORT, tags=("peer-support-group",))
    make_resource("Unrelated", category=Category.PEER_SUPPORT, tags=("nature",))
    story = story_with(tags=("not-heard",), practice=("peer-support-group",))
    assert titles(services.resources_for_story(story, "GB").matched) == ["Peer group finder"]


def test_panel_ranks_more_matching_tags_first_then_own_country(tags):
    make_resource("One match, global", regions=("global",), tags=("not-heard",))
    make_resource("One match, GB", regions=("GB",), tags=("not-heard",))
    make_resource("Two matches, global", regions=("global",), tags=("not-heard", "no-say"))
    make_resource("Two matches, US", regions=("US",), tags=("not-heard", "no-say"))
    story = story_with(tags=("not-heard", "no-say"))
    assert titles(services.resources_for_story(story, "GB").matched) == [
        "Two matches, global",
        "One match, GB",
        "One match, global",
    ]


def test_panel_for_a_reader_with_no_region_shows_only_global_help(loaded):
    panel = services.resources_for_story(story_with(notes=("suicide",)), "global")
    assert titles(panel.crisis) == ["Find A Helpline", "Befrienders Worldwide"]


def test_panel_query_count_is_constant(tags):
    story = story_with(tags=("not-heard",), notes=("suicide",))
    for i in range(3):
        make_resource(
            f"Crisis {i}",
            category=Category.CRISIS,
            show_on_help=True,
            contacts=(("phone", "116 123", "Call"),),
        )
        make_resource(f"Match {i}", tags=("not-heard",))
    db.session.expire_all()
    story = db.session.get(type(story), story.id)
    _ = story.story_tags  # the story page has these already
    with count_queries() as small:
        services.resources_for_story(story, "GB")
    for i in range(40):
        make_resource(
            f"More crisis {i}",
            category=Category.CRISIS,
            show_on_help=True,
            contacts=(("text", "85258", "Text"),),
        )
        make_resource(f"More match {i}", tags=("not-heard",), regions=("GB-ENG",))
    db.session.expire_all()
    story = db.session.get(type(story), story.id)
    _ = story.story_tags
    with count_queries() as large:
        panel = services.resources_for_story(story, "GB")
    assert len(panel.crisis) == services.PANEL_CRISIS
    assert len(panel.matched) == services.PANEL_MATCHED
    assert len(small) == len(large) == 1


# Tag pages.


def test_resources_for_a_tag_are_matched_and_limited(loaded):
    found = services.resources_for_tags(["over-pathologised"], "GB", limit=3)
    assert len(found) == 3
    assert titles(found)[0] in {
        "Hearing Voices Network (England): hearing voices groups",
        "National Survivor User Network (user-led groups)",
    }
    for resource in found:
        assert "over-pathologised" in {t.slug for t in resource.tags} or resource.serves_all_harms


def test_resources_for_tags_never_fill_up_with_crisis_lines(loaded):
    found = services.resources_for_tags(["disengaged"], "GB", limit=10)
    assert all(r.category is not Category.CRISIS for r in found)


def test_resources_for_an_unknown_tag_is_empty_of_matches(loaded):
    found = services.resources_for_tags(["no-such-tag"], "US", limit=5)
    assert all(r.serves_all_harms for r in found)


# /help reads the same data.


def test_help_lines_come_from_the_curated_resources(loaded):
    gb = services.help_lines("GB")
    assert [line["name"] for line in gb][:2] == ["Samaritans", "Shout 85258"]
    samaritans = gb[0]
    assert {"kind": "phone", "label": "Call 116 123", "value": "116 123", "href": "tel:116123"} in (
        samaritans["contacts"]
    )
    us = services.help_lines("US")
    assert [line["name"] for line in us] == ["988 Suicide & Crisis Lifeline"]
    assert us[0]["contacts"][0]["href"] == "tel:988"
    assert [line["name"] for line in services.help_lines("global")] == [
        "Find A Helpline",
        "Befrienders Worldwide",
    ]


def test_help_lines_follow_curation(loaded):
    make_resource(
        "A new GB line",
        category=Category.CRISIS,
        show_on_help=True,
        position=999,
        contacts=(("phone", "0800 000 000", "Call 0800 000 000"),),
    )
    assert services.help_lines("GB")[-1]["name"] == "A new GB line"


def test_help_lines_fall_back_to_the_data_file_before_anything_is_loaded(ctx):
    names = [line["name"] for line in services.help_lines("GB")]
    assert names == ["Samaritans", "Shout 85258", "NHS 111, mental health option (England)"]
    assert services.help_lines("AU")[0]["contacts"][0]["href"] == "tel:131114"


def test_help_lines_do_not_fall_back_once_curators_retired_them_all(loaded):
    for resource in db.session.scalars(select(Resource).where(Resource.show_on_help.is_(True))):
        resource.status = ResourceStatus.RETIRED
    db.session.commit()
    assert services.help_lines("GB") == []


# The complaint-route finder.


def test_finder_uk_bacp_member_goes_to_the_bacp_pcp_within_three_years(loaded):
    answer = services.find_complaint_route("GB", "bacp-member")
    assert answer.known
    assert answer.route.steps[0].body.startswith("British Association for Counselling")
    assert "three years" in answer.route.time_limit
    pcp = answer.resources[answer.route.steps[0].url]
    assert pcp.title == "Professional Conduct Procedure (complaints about BACP members)"


def test_finder_hcpc_five_years_and_nhs_england_service_first(loaded):
    hcpc = services.find_complaint_route("GB", "hcpc-registered")
    assert "five years" in hcpc.route.time_limit
    nhs = services.find_complaint_route("GB", "nhs-england")
    assert nhs.route.steps[0].body.startswith("The NHS organisation")
    assert "Ombudsman" in nhs.route.steps[1].body


@pytest.mark.parametrize(
    ("country", "practitioner", "expected"),
    [
        ("US", "licensed-psychologist", "licensing board"),
        ("US", "national-certified-counselor", "National Board for Certified Counselors"),
        ("IE", "iacp-member", "Irish Association for Counselling"),
        ("IE", "psi-member", "PSI"),
        ("AU", "registered-psychologist", "Ahpra"),
        ("AU", "counsellor-nsw", "Health Care Complaints Commission"),
        ("CA", "crpo-registered", "College of Registered Psychotherapists of Ontario"),
    ],
)
def test_finder_answers_real_questions(loaded, country, practitioner, expected):
    answer = services.find_complaint_route(country, practitioner)
    assert answer.known
    assert expected in " ".join(step.body for step in answer.route.steps)


def test_finder_ireland_says_what_bodies_cannot_do(loaded):
    iacp = services.find_complaint_route("IE", "iacp-member").route
    assert "three years" in iacp.time_limit
    assert any(
        "not PSI members" in item
        for item in services.find_complaint_route("IE", "psi-member").route.cannot
    )
    not_sure = services.find_complaint_route("IE", "not-sure").route
    assert "not yet opened" in not_sure.steps[0].text


def test_finder_does_not_know_unknown_combinations(loaded):
    for country, practitioner in (
        ("FR", "psychologist"),
        ("GB", "other"),
        ("GB", "<script>"),
        (None, None),
    ):
        answer = services.find_complaint_route(country, practitioner)
        assert not answer.known
        assert answer.resources == {}


def test_finder_links_only_to_active_resources(loaded):
    pcp = db.session.scalar(select(Resource).where(Resource.url.contains("professional-conduct")))
    pcp.status = ResourceStatus.RETIRED
    db.session.commit()
    answer = services.find_complaint_route("GB", "bacp-member")
    assert answer.known and pcp.url not in answer.resources


def test_tag_resources_take_one_query_whatever_the_size(tags):
    for i in range(3):
        make_resource(f"Few {i}", tags=("not-heard",), contacts=(("phone", "111", "Call"),))
    with count_queries() as small:
        assert len(services.resources_for_tags(["not-heard"], "GB", limit=6)) == 3
    for i in range(40):
        make_resource(
            f"Many {i}",
            tags=("not-heard",),
            regions=("GB", "IE"),
            contacts=(("phone", "111", "Call"), ("text", "85258", "Text")),
        )
    with count_queries() as large:
        found = services.resources_for_tags(["not-heard"], "GB", limit=6)
    assert len(found) == 6 and all(r.contacts for r in found)
    assert len(small) == len(large) == 1
