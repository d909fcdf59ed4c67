"""Taxonomy services: the starting set, idempotent loading, listing, and admins' edits."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from forum.accounts.models import Role
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.taxonomy import services
from forum.taxonomy.models import ProblemKind, Tag, TagGroup, TagKind
from tests.factories import make_user

HARM_SLUGS = {
    "how-i-was-treated": [
        "harsh-or-exploitative",
        "boundary-violation",
        "prejudice",
        "imposed-values",
        "disengaged",
    ],
    "the-relationship": ["not-heard", "invalidated", "no-say", "bad-ending"],
    "fit-and-quality": [
        "cultural-mismatch",
        "out-of-depth",
        "risks-not-explained",
        "no-progress",
        "over-pathologised",
    ],
    "effects-on-me": ["got-worse", "memories-stirred", "dependency", "life-impact"],
}
PRACTICE_SLUGS = [
    "better-fit-therapist",
    "spoke-up",
    "peer-support-group",
    "group-therapy",
    "mutual-aid",
    "family-and-friends",
    "faith-community",
    "community-ritual",
    "movement",
    "creative-expression",
    "nature",
    "self-directed",
]


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def loaded(ctx):
    """The starting taxonomy, loaded."""
    services.load_taxonomy()
    return ctx


@pytest.fixture
def admin(ctx):
    return make_user("admin-one", role=Role.ADMIN)


def test_models_are_registered_with_the_app(ctx):
    assert {"tag_groups", "tags", "problem_kinds"} <= set(db.metadata.tables)


def test_load_creates_the_starting_set(ctx):
    report = services.load_taxonomy()
    assert (report.groups_created, report.tags_created, report.problem_kinds_created) == (4, 30, 3)
    listing = services.list_groups_with_tags()
    assert {g.group.slug: [t.slug for t in g.tags] for g in listing} == HARM_SLUGS
    assert [g.group.slug for g in listing] == list(HARM_SLUGS)
    assert all(t.kind == TagKind.HARM for g in listing for t in g.tags)
    practice = services.list_practice_tags()
    assert [t.slug for t in practice] == PRACTICE_SLUGS
    assert all(t.group_id is None and t.description for t in practice)
    assert [k.slug for k in services.list_problem_kinds()] == [
        "side-effect",
        "poor-quality",
        "misconduct",
    ]
    tag = services.get_tag("boundary-violation")
    assert tag.description.startswith("Sexual, financial or dual relationships")
    assert tag.group.name == "How I was treated"


def test_shipped_data_is_valid_json_with_no_suicide_tag():
    data = json.loads(services.DEFAULT_DATA.read_text(encoding="utf-8"))
    names = [t["name"] for g in data["groups"] for t in g["tags"]] + [
        t["name"] for t in data["practice_tags"]
    ]
    assert not any("suicid" in name.lower() for name in names)


def test_second_load_creates_nothing(loaded):
    before = db.session.scalars(select(Tag).order_by(Tag.id)).all()
    snapshot = [(t.id, t.slug, t.name, t.description, t.position) for t in before]
    report = services.load_taxonomy()
    assert report.created == 0
    assert report.kept == 4 + 30 + 3
    db.session.expire_all()
    after = db.session.scalars(select(Tag).order_by(Tag.id)).all()
    assert [(t.id, t.slug, t.name, t.description, t.position) for t in after] == snapshot


def test_reload_keeps_admin_edits_and_retirements(loaded, admin):
    tag = services.get_tag("not-heard")
    services.update_tag(admin, tag, "Not listened to", tag.description)
    services.update_tag(admin, tag, tag.name, "My words were brushed aside")
    services.retire_tag(admin, services.get_tag("dependency"))
    services.load_taxonomy()
    db.session.expire_all()
    tag = services.get_tag("not-heard")
    assert (tag.name, tag.description) == ("Not listened to", "My words were brushed aside")
    with pytest.raises(NotFound):
        services.get_tag("dependency")


def test_load_adds_only_what_is_missing(loaded):
    data = json.loads(services.DEFAULT_DATA.read_text(encoding="utf-8"))
    data["groups"][0]["tags"].append(
        {"slug": "new-harm", "name": "A new harm", "description": "Added in a later release"}
    )
    data["groups"][0]["tags"][0]["name"] = "Changed in the file"
    report = services.load_taxonomy(data)
    assert (report.groups_created, report.tags_created, report.problem_kinds_created) == (0, 1, 0)
    assert services.get_tag("new-harm").group.slug == "how-i-was-treated"
    assert services.get_tag("harsh-or-exploitative").name == "Harsh or exploitative"


def test_bad_data_loads_nothing(ctx):
    data = {
        "groups": [
            {"slug": "ok-group", "name": "OK group", "tags": [{"slug": "Bad Slug", "name": "x y"}]}
        ]
    }
    with pytest.raises(Invalid):
        services.load_taxonomy(data)
    assert db.session.scalars(select(TagGroup)).all() == []


def test_data_with_a_suicide_tag_is_refused(ctx):
    data = {"practice_tags": [{"slug": "suicidal-thoughts", "name": "Suicidal thoughts"}]}
    with pytest.raises(Invalid, match="safety flag"):
        services.load_taxonomy(data)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_only_admins_edit_the_taxonomy(loaded, role):
    user = make_user("someone", role=role)
    tag = services.get_tag("prejudice")
    attempts = [
        lambda: services.update_tag(user, tag, "Renamed", tag.description),
        lambda: services.update_tag(user, tag, tag.name, "New words"),
        lambda: services.retire_tag(user, tag),
        lambda: services.add_tag(user, "new-tag", "New tag", "Words", "practice"),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    db.session.expire_all()
    tag = services.get_tag("prejudice")
    assert (tag.name, tag.retired) == ("Prejudice", False)
    with pytest.raises(NotFound):
        services.get_tag("new-tag")


def test_a_suspended_admin_cannot_edit(loaded):
    from datetime import timedelta

    admin = make_user("resting-admin", role=Role.ADMIN, suspended_until=utcnow() + timedelta(1))
    with pytest.raises(NotAllowed):
        services.retire_tag(admin, services.get_tag("prejudice"))


def test_no_actor_is_not_allowed(loaded):
    with pytest.raises(NotAllowed):
        services.retire_tag(None, services.get_tag("prejudice"))


def test_admin_renames_and_describes(loaded, admin):
    tag = services.get_tag("no-say")
    tag = services.update_tag(admin, tag, "  No say in it \n", tag.description)
    tag = services.update_tag(admin, tag, tag.name, "Goals were set for me")
    db.session.expire_all()
    tag = services.get_tag("no-say")
    assert (tag.name, tag.description, tag.slug) == (
        "No say in it",
        "Goals were set for me",
        "no-say",
    )


@pytest.mark.parametrize(
    ("name", "field"), [("x", "name"), ("y" * 61, "name"), ("", "name"), ("Prejudice", "name")]
)
def test_rename_validates(loaded, admin, name, field):
    with pytest.raises(Invalid) as error:
        tag = services.get_tag("no-say")
        services.update_tag(admin, tag, name, tag.description)
    assert error.value.field == field


def test_describe_validates_length(loaded, admin):
    with pytest.raises(Invalid) as error:
        tag = services.get_tag("no-say")
        services.update_tag(admin, tag, tag.name, "z" * 301)
    assert error.value.field == "description"


def test_retire_hides_the_tag(loaded, admin):
    services.retire_tag(admin, services.get_tag("disengaged"))
    services.retire_tag(admin, services.get_tag("nature"))
    listed = [t.slug for g in services.list_groups_with_tags() for t in g.tags]
    assert "disengaged" not in listed and len(listed) == 17
    assert "nature" not in [t.slug for t in services.list_practice_tags()]
    with pytest.raises(NotFound):
        services.get_tag("disengaged")
    assert services.get_tag("disengaged", include_retired=True).retired is True
    everything = [
        t.slug for g in services.list_groups_with_tags(include_retired=True) for t in g.tags
    ]
    assert "disengaged" in everything and len(everything) == 18


def test_a_group_with_every_tag_retired_is_not_listed(loaded, admin):
    for slug in HARM_SLUGS["the-relationship"]:
        services.retire_tag(admin, services.get_tag(slug))
    assert "the-relationship" not in [g.group.slug for g in services.list_groups_with_tags()]
    assert "the-relationship" in [
        g.group.slug for g in services.list_groups_with_tags(include_retired=True)
    ]


@pytest.mark.parametrize("slug", ["unknown", "Not-Heard", "not heard", "../etc", "", "a" * 41])
def test_get_tag_unknown(loaded, slug):
    with pytest.raises(NotFound):
        services.get_tag(slug)


def test_admin_adds_harm_and_practice_tags(loaded, admin):
    harm = services.add_tag(
        admin, "talked-over", "Talked over", "Interrupted and corrected", "harm", "the-relationship"
    )
    practice = services.add_tag(
        admin, "volunteering", "Volunteering", "Giving time to others", TagKind.PRACTICE
    )
    groups = {g.group.slug: [t.slug for t in g.tags] for g in services.list_groups_with_tags()}
    assert groups["the-relationship"][-1] == "talked-over"
    assert harm.group.slug == "the-relationship" and harm.kind == TagKind.HARM
    assert [t.slug for t in services.list_practice_tags()][-1] == "volunteering"
    assert practice.group_id is None


@pytest.mark.parametrize(
    "slug",
    [
        "Upper",
        "two--hyphens",
        "-leading",
        "trailing-",
        "with space",
        "under_score",
        "ü-tag",
        "",
        "a" * 41,
    ],
)
def test_add_tag_rejects_bad_slugs(loaded, admin, slug):
    with pytest.raises(Invalid) as error:
        services.add_tag(admin, slug, "A name", "Words", "practice")
    assert error.value.field == "slug"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("prejudice", "Another", "Words", "harm", "fit-and-quality"), "slug"),
        (("fresh", "A name", "Words", "opinion", None), "kind"),
        (("fresh", "A name", "Words", "harm", None), "group"),
        (("fresh", "A name", "Words", "harm", "no-such-group"), "group"),
        (("fresh", "A name", "Words", "practice", "effects-on-me"), "group"),
        (("fresh", "A name", "", "practice", None), "description"),
        (("fresh", "Nature", "Words", "practice", None), "name"),
    ],
)
def test_add_tag_validates(loaded, admin, args, field):
    with pytest.raises(Invalid) as error:
        services.add_tag(admin, *args)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("suicidal-thoughts", "Suicidal thoughts"),
        ("thoughts", "Suicidal thoughts"),
        ("suicide", "Dark thoughts"),
        ("mysuicideplan", "Plans"),
        ("wanted-to-die", "Wanted to die"),
        ("self-harm", "Self-harm"),
    ],
)
def test_add_tag_refuses_safety_flags(loaded, admin, slug, name):
    with pytest.raises(Invalid, match="safety flag") as error:
        services.add_tag(admin, slug, name, "Words", "harm", "effects-on-me")
    assert error.value.field in ("slug", "name")
    assert db.session.scalar(select(Tag).where(Tag.slug == slug)) is None


def test_rename_refuses_a_safety_flag(loaded, admin):
    with pytest.raises(Invalid, match="safety flag"):
        tag = services.get_tag("got-worse")
        services.update_tag(admin, tag, "Suicidal thoughts", tag.description)


def test_listing_runs_a_bounded_number_of_queries(loaded, admin):
    db.session.expire_all()
    with count_queries() as small:
        listing = services.list_groups_with_tags()
        # Touch what a page shows, so lazy loads would be counted too.
        shown = [(g.group.name, [(t.name, t.group.slug) for t in g.tags]) for g in listing]
    assert len(shown) == 4
    for i in range(40):
        services.add_tag(admin, f"extra-{i}", f"Extra {i}", "Words", "harm", "effects-on-me")
    db.session.add(TagGroup(slug="more", name="More", position=9))
    db.session.commit()
    services.add_tag(admin, "in-more", "In more", "Words", "harm", "more")
    db.session.expire_all()
    with count_queries() as large:
        listing = services.list_groups_with_tags()
        shown = [(g.group.name, [(t.name, t.group.slug) for t in g.tags]) for g in listing]
    assert sum(len(tags) for _, tags in shown) == 18 + 41
    # SQLite's BEGIN is a statement too; count the queries.
    selects = [
        len([s for s in run if s.lstrip().upper().startswith("SELECT")]) for run in (small, large)
    ]
    assert selects[0] == selects[1] <= 2


def test_problem_kinds_are_a_table(loaded):
    assert db.session.scalar(select(ProblemKind).where(ProblemKind.slug == "misconduct")).name


def test_cli_load_taxonomy_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["heard", "load-taxonomy"])
    assert first.exit_code == 0, first.output
    assert "Created 4 groups, 30 tags and 3 problem kinds." in first.output
    second = runner.invoke(args=["heard", "load-taxonomy"])
    assert second.exit_code == 0, second.output
    assert second.output.startswith("Nothing new")
    with app.app_context():
        assert len(db.session.scalars(select(Tag)).all()) == 30
