"""Reading resources: the directory, the story panel, tag pages, /help, the complaint finder.

Every function runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum.db import db
from forum.errors import NotFound
from forum.resources import complaints, links
from forum.resources.models import (
    Category,
    ContactKind,
    Guide,
    Resource,
    ResourceContact,
    ResourceRegion,
    ResourceStatus,
    contact_href,
    resource_tags,
)
from forum.resources.regions import GLOBAL, reader_clause, serves_reader
from forum.stories.content import CRISIS_NOTES
from forum.taxonomy.models import Tag, TagKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DATA = DATA_DIR / "resources.json"
PANEL_CRISIS = 3
PANEL_MATCHED = 4
CATEGORY_ORDER = {category: rank for rank, category in enumerate(Category)}


# Reading: the directory, the panel, tag pages and /help.


def _active() -> Any:
    return Resource.status == ResourceStatus.ACTIVE


def _in_region(region: str) -> Any:
    return exists().where(
        ResourceRegion.resource_id == Resource.id, reader_clause(ResourceRegion.code, region)
    )


def _local(region: str) -> Any:
    """SQL: the resource serves the reader's own country or part of it (not only "global")."""
    if region == GLOBAL:
        return false()
    return exists().where(
        ResourceRegion.resource_id == Resource.id,
        reader_clause(ResourceRegion.code, region, include_global=False),
    )


def _local_first(region: str) -> list:
    """ORDER BY terms putting the reader's own country first; none for "global".

    A constant in ORDER BY would be read by SQLite as a column position, so it is left out.
    """
    return [] if region == GLOBAL else [_local(region).desc()]


def category_rank() -> Any:
    return case(*[(Resource.category == c, rank) for c, rank in CATEGORY_ORDER.items()], else_=99)


def _sort_key(region: str):
    def key(resource: Resource) -> tuple:
        local = region != "all" and serves_reader(resource.region_codes, region)
        return (CATEGORY_ORDER[resource.category], not local, resource.position, resource.id)

    return key


@dataclass(frozen=True)
class DirectoryFilters:
    """The directory's GET filters, already checked: None or "all" means no filter."""

    category: Category | None = None
    region: str = "all"
    tag: str | None = None


@dataclass(frozen=True)
class Section:
    """One category of the directory with its resources."""

    category: Category
    resources: tuple[Resource, ...]


def list_directory(filters: DirectoryFilters) -> list[Section]:
    """Active resources matching the filters, grouped by category, in four queries."""
    query = (
        select(Resource)
        .where(_active())
        .options(
            selectinload(Resource.regions),
            selectinload(Resource.contacts),
            selectinload(Resource.tags),
        )
    )
    if filters.category is not None:
        query = query.where(Resource.category == filters.category)
    if filters.region != "all":
        query = query.where(_in_region(filters.region))
    if filters.tag:
        query = query.where(
            exists()
            .where(resource_tags.c.resource_id == Resource.id, resource_tags.c.tag_id == Tag.id)
            .where(Tag.slug == filters.tag)
        )
    resources = sorted(db.session.scalars(query).all(), key=_sort_key(filters.region))
    sections: dict[Category, list[Resource]] = {}
    for resource in resources:
        sections.setdefault(resource.category, []).append(resource)
    return [Section(category, tuple(items)) for category, items in sections.items()]


def harm_tags_for_filter() -> list[Tag]:
    """Harm tags readers can filter the directory by, in taxonomy order."""
    query = (
        select(Tag)
        .where(Tag.kind == TagKind.HARM, Tag.retired.is_(False))
        .order_by(Tag.group_id, Tag.position, Tag.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Panel:
    """What the resources panel beside a story shows, in order."""

    region: str
    crisis_first: bool
    crisis: tuple[Resource, ...]
    matched: tuple[Resource, ...]


def resources_for_story(story: Any, region: str) -> Panel:
    """Help for a story's reader: resources matching its harm and practice tags in their region,
    and crisis lines (first when the story carries a self-harm or suicide content note).

    One query whatever the data size: a window function ranks crisis lines and matched
    resources apart and keeps at most three and four, joined with their regions and numbers.
    """
    tag_ids = [story_tag.tag_id for story_tag in story.story_tags]
    crisis_first = bool(CRISIS_NOTES & set(story.content_note_slugs))
    crisis: list[Resource] = []
    matched: list[Resource] = []
    query = _panel_query(region, crisis_first)
    for resource, part in db.session.execute(query, {"tag_ids": tag_ids}).unique():
        (crisis if part == 0 else matched).append(resource)
    return Panel(region, crisis_first, tuple(crisis), tuple(matched))


@functools.lru_cache(maxsize=1024)
def _panel_query(region: str, crisis_first: bool) -> Select:
    """The panel's statement for a region, built once per process (building it cost more than
    running it); the story's tag ids are bound as `tag_ids` on each execution."""
    matches = (
        select(func.count())
        .select_from(resource_tags)
        .where(
            resource_tags.c.resource_id == Resource.id,
            resource_tags.c.tag_id.in_(bindparam("tag_ids", expanding=True)),
        )
        .correlate(Resource)
        .scalar_subquery()
    )
    is_crisis = Resource.category == Category.CRISIS
    section = case((is_crisis, 0), else_=1)
    # With a crisis note, the general lines (those on /help) lead; otherwise specialist lines
    # that match the story's tags (a sexual-abuse line for a boundary violation) come first.
    crisis_order = (Resource.show_on_help.desc(), matches.desc())
    order = (*(crisis_order if crisis_first else reversed(crisis_order)), *_local_first(region))
    rank = func.row_number().over(
        partition_by=section,
        order_by=(*order, category_rank(), Resource.position, Resource.id),
    )
    eligible = or_(
        and_(is_crisis, or_(Resource.show_on_help, matches > 0)),
        and_(~is_crisis, or_(matches > 0, Resource.serves_all_harms)),
    )
    ranked = (
        select(Resource.id.label("id"), section.label("section"), rank.label("rank"))
        .where(_active(), _in_region(region), eligible)
        .subquery()
    )
    return (
        select(Resource, ranked.c.section)
        .join(ranked, ranked.c.id == Resource.id)
        .where(
            or_(
                and_(ranked.c.section == 0, ranked.c.rank <= PANEL_CRISIS),
                and_(ranked.c.section == 1, ranked.c.rank <= PANEL_MATCHED),
            )
        )
        .order_by(ranked.c.section, ranked.c.rank)
        # Joined, not selectin: at most seven resources with a few regions and numbers each,
        # so one statement carries everything the panel shows.
        .options(joinedload(Resource.regions), joinedload(Resource.contacts))
    )


def resources_for_tags(slugs: Iterable[str], region: str, limit: int = 6) -> list[Resource]:
    """Resources for the harm or practice types with these slugs (a tag page), best first.

    Those matching more of the tags come first, then those for the reader's own country, then
    by category. Resources that serve every harm fill any space left, but never crisis lines:
    /help and the header link give those on every page. One query whatever the size.
    """
    slugs = [slug for slug in slugs if isinstance(slug, str)]
    tag_ids = select(Tag.id).where(Tag.slug.in_(slugs)) if slugs else None
    matches = (
        select(func.count())
        .select_from(resource_tags)
        .where(resource_tags.c.resource_id == Resource.id, resource_tags.c.tag_id.in_(tag_ids))
        .correlate(Resource)
        .scalar_subquery()
        if tag_ids is not None
        else literal(0)
    )
    eligible = or_(
        matches > 0, and_(Resource.serves_all_harms, Resource.category != Category.CRISIS)
    )
    query = (
        select(Resource)
        .where(_active(), _in_region(region), eligible)
        .order_by(
            *([matches.desc()] if tag_ids is not None else []),
            *_local_first(region),
            category_rank(),
            Resource.position,
            Resource.id,
        )
        .limit(max(1, min(int(limit), 50)))
        .options(joinedload(Resource.regions), joinedload(Resource.contacts))
    )
    return list(db.session.scalars(query).unique())


def resources_for_categories(
    categories: list[Category], region: str, limit: int = 12
) -> list[Resource]:
    """Active resources of these categories for a reader's region ("all" for every region)."""
    if not categories:
        return []
    query = select(Resource).where(_active(), Resource.category.in_(categories))
    if region != "all":
        query = query.where(_in_region(region))
        order = (category_rank(), *_local_first(region), Resource.position, Resource.id)
    else:
        order = (category_rank(), Resource.position, Resource.id)
    query = (
        query.order_by(*order)
        .limit(limit)
        .options(joinedload(Resource.regions), joinedload(Resource.contacts))
    )
    return list(db.session.scalars(query).unique())


def _help_line(resource: Any) -> dict:
    """A crisis resource in the shape templates/pages/help.html shows."""
    return {
        "name": resource["title"],
        "organisation": resource["organisation"],
        "description": resource["description"],
        "url": resource["url"] if links.is_valid_resource_url(resource["url"]) else "",
        "hours": resource["hours"],
        "regions": resource["regions"],
        "contacts": resource["contacts"],
    }


def _contact_dict(kind: str, number: str, label: str, href: str) -> dict:
    return {"kind": kind, "label": label, "value": number, "href": href}


def help_lines(region: str) -> list[dict]:
    """Crisis lines for /help in one region ("global": those for everywhere), in curated order.

    Read from the curated resources, so a retired line leaves /help at once. Until the
    starter set is loaded (no crisis line for /help in the database at all), read the same
    entries from the data file: the crisis page must never be empty.
    """
    rows = _line_rows((region,))
    if rows:
        return [_help_line(row) for row in rows]
    if _help_lines_loaded():
        return []
    return [_help_line(entry) for entry in _starter_help_lines(region)]


# What a crisis line shows besides its regions and numbers, from the database or the data file.
_LINE_FIELDS = ("title", "organisation", "description", "url", "hours")


@functools.lru_cache(maxsize=512)
def _lines_statement(regions: tuple[str, ...]) -> Select:
    """Active crisis resources shown on /help in any of these regions, in curated order, one
    row per region and number: plain columns, built once per process for each set of regions
    (building it, and loading its rows as objects, cost more than running it)."""
    served = or_(*(reader_clause(ResourceRegion.code, c, include_global=False) for c in regions))
    every_region = aliased(ResourceRegion)
    return (
        select(
            Resource.id,
            Resource.title,
            Resource.organisation,
            Resource.description,
            Resource.url,
            Resource.hours,
            every_region.code,
            ResourceContact.id.label("contact_id"),
            ResourceContact.kind,
            ResourceContact.number,
            ResourceContact.label,
        )
        .join(every_region, every_region.resource_id == Resource.id)
        .outerjoin(ResourceContact, ResourceContact.resource_id == Resource.id)
        .where(
            _active(),
            Resource.category == Category.CRISIS,
            Resource.show_on_help.is_(True),
            exists().where(ResourceRegion.resource_id == Resource.id, served),
        )
        .order_by(Resource.position, Resource.id, ResourceContact.position, ResourceContact.id)
    )


def _line_rows(regions: tuple[str, ...]) -> list[dict]:
    """The crisis lines for /help in any of these regions, as dicts: each with every region it
    serves (in code order) and its numbers (in curated order)."""
    lines: dict[int, dict] = {}
    regions_of: dict[int, set[str]] = {}
    contacts_of: dict[int, dict[int, dict]] = {}
    for row in db.session.execute(_lines_statement(regions)):
        if row.id not in lines:
            lines[row.id] = {name: getattr(row, name) for name in _LINE_FIELDS}
            regions_of[row.id], contacts_of[row.id] = set(), {}
        regions_of[row.id].add(row.code)
        if row.contact_id is not None and row.contact_id not in contacts_of[row.id]:
            href = contact_href(row.kind, row.number)
            contacts_of[row.id][row.contact_id] = _contact_dict(
                row.kind.value, row.number, row.label, href
            )
    return [
        line | {"regions": sorted(regions_of[key]), "contacts": list(contacts_of[key].values())}
        for key, line in lines.items()
    ]


def _help_lines_loaded() -> bool:
    """Whether any crisis line for /help is in the database; if none, the data file stands in."""
    any_line = select(Resource.id).where(
        Resource.category == Category.CRISIS, Resource.show_on_help.is_(True)
    )
    return db.session.scalar(any_line.limit(1)) is not None


def starter_help_lines(region: str) -> list[dict]:
    """The checked crisis lines from the data file, for /help while the database is away."""
    return [_help_line(entry) for entry in _starter_help_lines(region)]


@functools.cache
def _starter_resources() -> tuple[dict, ...]:
    """The data file's resources, read once per process (it ships with the code)."""
    return tuple(json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))["resources"])


def _starter_help_lines(region: str) -> list[dict]:
    lines = []
    for entry in _starter_resources():
        codes = entry.get("regions", [])
        if entry.get("category") != Category.CRISIS or not entry.get("show_on_help"):
            continue
        if region == GLOBAL and GLOBAL not in codes:
            continue
        if region != GLOBAL and (GLOBAL in codes or not serves_reader(codes, region)):
            continue
        contacts = [
            _contact_dict(
                c["kind"],
                c["number"],
                c["label"],
                contact_href(ContactKind(c["kind"]), c["number"]),
            )
            for c in entry.get("contacts", [])
        ]
        lines.append(
            {
                **{name: entry.get(name, "") for name in _LINE_FIELDS},
                "regions": codes,
                "contacts": contacts,
            }
        )
    return lines


def help_lines_by_region(regions: Iterable[str]) -> dict[str, list[dict]]:
    """Crisis lines for /help in each of several countries, in curated order: one query.

    What /help and the story panels show a reader who has not chosen a region (issue 12):
    the lines of the main regions, never only directories. Same fallback as help_lines.
    """
    codes = tuple(code for code in regions if code != GLOBAL)
    rows = _line_rows(codes)
    if not rows:
        if _help_lines_loaded():
            return {code: [] for code in codes}
        return {code: [_help_line(e) for e in _starter_help_lines(code)] for code in codes}
    return {
        code: [_help_line(row) for row in rows if serves_reader(row["regions"], code)]
        for code in codes
    }


# The complaint-route finder.


@dataclass(frozen=True)
class ComplaintAnswer:
    """The finder's answer: the country and route if known, and the live resources it links."""

    country: complaints.Country | None
    route: complaints.Route | None
    resources: dict[str, Resource]

    @property
    def known(self) -> bool:
        """Whether Heard has a route for this question."""
        return self.route is not None


def complaint_answer(country_code: str | None, practitioner: str | None) -> ComplaintAnswer | None:
    """The complaint finder's answer once the reader has said enough, else None (no answer yet).

    "Somewhere else" and "Someone else" get the kind "we don't know this one yet"; a
    practitioner left over from another country just shows this country's choices.
    """
    country = complaints.country(country_code)
    if country_code == complaints.ELSEWHERE or (
        country and (practitioner == "other" or country.route(practitioner))
    ):
        return find_complaint_route(country_code, practitioner)
    return None


def find_complaint_route(country_code: str | None, practitioner: str | None) -> ComplaintAnswer:
    """Which body handles a complaint about this kind of practitioner in this country.

    An unknown country or practitioner gives an answer with no route (the page says kindly
    that Heard does not know this one yet). Links come only from active resources: one query.
    """
    country = complaints.country(country_code)
    route = country.route(practitioner) if country else None
    found: dict[str, Resource] = {}
    if route is not None and route.urls:
        query = select(Resource).where(_active(), Resource.url.in_(route.urls))
        found = {resource.url: resource for resource in db.session.scalars(query)}
    return ComplaintAnswer(country, route, found)


# Guides.


def list_guides() -> list[Guide]:
    """The guides, in order."""
    return list(db.session.scalars(select(Guide).order_by(Guide.position, Guide.id)))


def get_guide(slug: str) -> Guide:
    """One guide by slug; NotFound if there is none."""
    if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9-]{1,80}", slug):
        raise NotFound("There is no guide with that name")
    guide = db.session.scalar(select(Guide).where(Guide.slug == slug))
    if guide is None:
        raise NotFound("There is no guide with that name")
    return guide
