"""Taxonomy rules: loading the starting set, listing it, and admins' edits.

Services take the acting user explicitly, never read the request, raise typed errors and
commit once per public function.

Loading follows one rule: create what is missing, never overwrite what exists. The JSON file is
the starting point, and the database is the truth afterwards: an admin's rename, new
description or retirement survives every later `load-taxonomy`, and a tag removed from the file
is not deleted (old stories keep it). To change a shipped tag, an admin edits it on the site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.caching import content_changed, remember
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.audit import audit
from forum.safety.crisis import has_crisis_language
from forum.safety.sanitize import clean_text
from forum.taxonomy.models import (
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    SLUG_LENGTH,
    ProblemKind,
    Tag,
    TagGroup,
    TagKind,
)

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SAFETY_FLAG_MESSAGE = (
    "Suicidal thoughts and self-harm are never tags: they are a safety flag. Posts that mention "
    "them show crisis help and reach moderators first, so they need no tag"
)


@dataclass(frozen=True)
class LoadReport:
    """What `load_taxonomy` did: how many of each it created and how many it left as they were."""

    groups_created: int = 0
    tags_created: int = 0
    problem_kinds_created: int = 0
    kept: int = 0

    @property
    def created(self) -> int:
        """Everything created in this run."""
        return self.groups_created + self.tags_created + self.problem_kinds_created

    def summary(self) -> str:
        """One plain sentence for the CLI."""
        if not self.created:
            return f"Nothing new: all {self.kept} groups, tags and kinds were already there."
        created = (
            f"Created {self.groups_created} groups, {self.tags_created} tags and "
            f"{self.problem_kinds_created} problem kinds."
        )
        return f"{created} Kept {self.kept} already there, unchanged." if self.kept else created


@dataclass(frozen=True)
class GroupListing:
    """A tag group with the tags to show under it, in order."""

    group: TagGroup
    tags: tuple[Tag, ...]


# Checks shared by the loader and the admin functions.


def _check_slug(slug: Any, field: str = "slug") -> str:
    if not isinstance(slug, str) or not 1 <= len(slug) <= SLUG_LENGTH:
        raise Invalid(f"A slug must be 1 to {SLUG_LENGTH} characters long", field=field)
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            "A slug can only use lower-case letters a to z and numbers, "
            "in words joined by single hyphens, like “not-heard”",
            field=field,
        )
    return slug


def _check_name(name: Any) -> str:
    name = clean_text(name, single_line=True) if isinstance(name, str) else ""
    if not 2 <= len(name) <= NAME_LENGTH:
        raise Invalid(f"A name must be 2 to {NAME_LENGTH} characters long", field="name")
    return name


def _check_description(description: Any) -> str:
    description = clean_text(description, single_line=True) if isinstance(description, str) else ""
    if not 1 <= len(description) <= DESCRIPTION_LENGTH:
        raise Invalid(
            f"A description must be 1 to {DESCRIPTION_LENGTH} characters long",
            field="description",
        )
    return description


def _refuse_safety_flags(text: str, field: str) -> None:
    words = text.replace("-", " ")
    # The substring check catches run-together slugs ("mysuicidalthoughts") that
    # word-boundary patterns miss.
    if has_crisis_language(words) or "suicid" in text.casefold():
        raise Invalid(SAFETY_FLAG_MESSAGE, field=field)


def _require_admin(actor: User | None) -> None:
    # Fail closed: a suspended, banned or deleted admin account cannot change anything.
    if actor is None or not actor.is_admin or not actor.is_active:
        raise NotAllowed("Only admins can change the taxonomy")


# Loading the starting set.


def _read_default() -> dict:
    return json.loads(DEFAULT_DATA.read_text(encoding="utf-8"))


def _entries(data: dict, key: str) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise Invalid(f"Taxonomy data: {key!r} must be a list of objects", field=key)
    return entries


def _checked_entry(entry: dict, seen: set[str], what: str) -> tuple[str, str, str]:
    slug = _check_slug(entry.get("slug"))
    if slug in seen:
        raise Invalid(f"Taxonomy data: {what} {slug!r} appears twice", field="slug")
    seen.add(slug)
    name = _check_name(entry.get("name"))
    description = entry.get("description")
    description = _check_description(description) if description is not None else ""
    return slug, name, description


def load_taxonomy(data: dict | None = None) -> LoadReport:
    """Create the groups, tags and problem kinds in data (default: forum/data/taxonomy.json)
    that do not exist yet; never change or delete existing ones."""
    data = _read_default() if data is None else data
    try:
        report = _load(data)
    except Invalid:
        # Bad data loads nothing at all, rather than half a taxonomy.
        db.session.rollback()
        raise
    content_changed()
    db.session.commit()
    return report


def _load(data: dict) -> LoadReport:
    if not isinstance(data, dict):
        raise Invalid("Taxonomy data must be a JSON object")
    groups = {g.slug: g for g in db.session.scalars(select(TagGroup))}
    tag_slugs = set(db.session.scalars(select(Tag.slug)))
    kind_slugs = set(db.session.scalars(select(ProblemKind.slug)))
    counts = {"groups": 0, "tags": 0, "kinds": 0, "kept": 0}
    seen_groups: set[str] = set()
    seen_tags: set[str] = set()
    seen_kinds: set[str] = set()

    def add_tag_entry(entry: dict, position: int, kind: TagKind, group: TagGroup | None) -> None:
        slug, name, description = _checked_entry(entry, seen_tags, "tag")
        _refuse_safety_flags(slug, "slug")
        _refuse_safety_flags(name, "name")
        if slug in tag_slugs:
            counts["kept"] += 1
            return
        db.session.add(
            Tag(
                slug=slug,
                name=name,
                description=description,
                kind=kind,
                group=group,
                position=position,
            )
        )
        counts["tags"] += 1

    for group_position, entry in enumerate(_entries(data, "groups")):
        slug, name, _ = _checked_entry(entry, seen_groups, "group")
        group = groups.get(slug)
        if group is None:
            group = TagGroup(slug=slug, name=name, position=group_position)
            db.session.add(group)
            counts["groups"] += 1
        else:
            counts["kept"] += 1
        for position, tag_entry in enumerate(_entries(entry, "tags")):
            add_tag_entry(tag_entry, position, TagKind.HARM, group)

    for position, entry in enumerate(_entries(data, "practice_tags")):
        add_tag_entry(entry, position, TagKind.PRACTICE, None)

    for position, entry in enumerate(_entries(data, "problem_kinds")):
        slug, name, description = _checked_entry(entry, seen_kinds, "problem kind")
        if slug in kind_slugs:
            counts["kept"] += 1
            continue
        db.session.add(
            ProblemKind(slug=slug, name=name, description=description, position=position)
        )
        counts["kinds"] += 1

    return LoadReport(counts["groups"], counts["tags"], counts["kinds"], counts["kept"])


# Reading.


def list_groups_with_tags(include_retired: bool = False) -> list[GroupListing]:
    """Harm-tag groups in order, each with its tags, in two queries whatever the size.

    Without retired tags, a group left with no tags is not listed.
    """
    groups = db.session.scalars(select(TagGroup).order_by(TagGroup.position, TagGroup.id)).all()
    query = select(Tag).where(Tag.group_id.is_not(None)).order_by(Tag.position, Tag.id)
    if not include_retired:
        query = query.where(Tag.retired.is_(False))
    by_group: dict[int | None, list[Tag]] = {}
    for tag in db.session.scalars(query):
        by_group.setdefault(tag.group_id, []).append(tag)
    return [
        GroupListing(group, tuple(by_group.get(group.id, ())))
        for group in groups
        if include_retired or by_group.get(group.id)
    ]


@dataclass(frozen=True)
class Entry:
    """A tag group, tag or problem kind as the public pages and the compose form show it:
    plain data, so it can be kept in the page cache (ORM rows never are)."""

    id: int
    slug: str
    name: str
    description: str = ""
    kind: TagKind | None = None  # tags only


@dataclass(frozen=True)
class GroupEntries:
    """A tag group and its live tags, in order."""

    group: Entry
    tags: tuple[Entry, ...]


@dataclass(frozen=True)
class LiveTaxonomy:
    """Everything readers and tellers may choose from: the live harm tags in their groups, the
    live practice tags and the problem kinds."""

    groups: tuple[GroupEntries, ...]
    practices: tuple[Entry, ...]
    problem_kinds: tuple[Entry, ...]


_LIVE_GROUPS = select(TagGroup.id, TagGroup.slug, TagGroup.name).order_by(
    TagGroup.position, TagGroup.id
)
_LIVE_TAGS = (
    select(Tag.id, Tag.slug, Tag.name, Tag.description, Tag.kind, Tag.group_id)
    .where(Tag.retired.is_(False))
    .order_by(Tag.position, Tag.id)
)
_PROBLEM_KINDS = select(
    ProblemKind.id, ProblemKind.slug, ProblemKind.name, ProblemKind.description
).order_by(ProblemKind.position)


def _read_live_taxonomy() -> LiveTaxonomy:
    """The live taxonomy in three statements of plain columns: the same groups, tags and kinds
    as list_groups_with_tags, list_practice_tags and list_problem_kinds give, without building
    them as objects."""
    by_group: dict[int, list[Entry]] = {}
    practices: list[Entry] = []
    for tag_id, slug, name, description, kind, group_id in db.session.execute(_LIVE_TAGS):
        entry = Entry(tag_id, slug, name, description or "", kind)
        if group_id is not None:
            by_group.setdefault(group_id, []).append(entry)
        if kind == TagKind.PRACTICE:
            practices.append(entry)
    return LiveTaxonomy(
        groups=tuple(
            GroupEntries(Entry(group_id, slug, name), tuple(by_group[group_id]))
            for group_id, slug, name in db.session.execute(_LIVE_GROUPS)
            if group_id in by_group
        ),
        practices=tuple(practices),
        problem_kinds=tuple(
            Entry(kind_id, slug, name, description or "")
            for kind_id, slug, name, description in db.session.execute(_PROBLEM_KINDS)
        ),
    )


def live_taxonomy() -> LiveTaxonomy:
    """The live taxonomy, read once per content generation (every change to it is one:
    forum/caching.py), in four queries when it is read."""
    return remember("taxonomy", (), _read_live_taxonomy)


def list_practice_tags(include_retired: bool = False) -> list[Tag]:
    """Community-practice tags in order, in one query."""
    query = select(Tag).where(Tag.kind == TagKind.PRACTICE).order_by(Tag.position, Tag.id)
    if not include_retired:
        query = query.where(Tag.retired.is_(False))
    return list(db.session.scalars(query))


def list_problem_kinds() -> list[ProblemKind]:
    """The "what kind of problem" choices in order."""
    return list(db.session.scalars(select(ProblemKind).order_by(ProblemKind.position)))


def get_tag(slug: str, *, include_retired: bool = False) -> Tag:
    """The tag with this slug; NotFound when there is none or it is retired."""
    # A slug that could never exist needs no query (and keeps odd input away from the database).
    if not isinstance(slug, str) or len(slug) > SLUG_LENGTH or not SLUG_PATTERN.match(slug):
        raise NotFound("There is no tag with that name")
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None or (tag.retired and not include_retired):
        raise NotFound("There is no tag with that name")
    return tag


# Admins' edits.


def _check_unique_name(name: str, tag: Tag | None = None) -> None:
    query = select(Tag.id).where(func.lower(Tag.name) == name.lower())
    if tag is not None:
        query = query.where(Tag.id != tag.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Invalid("Another tag already has that name. Choose a different one", field="name")


def update_tag(actor: User, tag: Tag, name: str, description: str) -> Tag:
    """Rename a tag and/or change its description, in one transaction (its slug stays)."""
    _require_admin(actor)
    name = _check_name(name)
    description = _check_description(description)
    if name != tag.name:
        _refuse_safety_flags(name, "name")
        _check_unique_name(name, tag)
        audit(actor, "tag_renamed", tag, f"{tag.name} → {name}", public=False)
        tag.name = name
    if description != tag.description:
        audit(actor, "tag_described", tag, public=False)
        tag.description = description
    content_changed()
    db.session.commit()
    return tag


def retire_tag(actor: User, tag: Tag) -> Tag:
    """Hide a tag from lists and its page; stories that carry it keep it. Idempotent."""
    _require_admin(actor)
    if not tag.retired:
        tag.retired = True
        audit(actor, "tag_retired", tag, tag.slug, public=False)
        content_changed()
        db.session.commit()
    return tag


def restore_tag(actor: User, tag: Tag) -> Tag:
    """Bring a retired tag back into lists. Idempotent."""
    _require_admin(actor)
    if tag.retired:
        tag.retired = False
        audit(actor, "tag_restored", tag, tag.slug, public=False)
        content_changed()
        db.session.commit()
    return tag


def add_tag(
    actor: User,
    slug: str,
    name: str,
    description: str,
    kind: TagKind | str,
    group_slug: str | None = None,
) -> Tag:
    """Add a harm tag to a group, or a practice tag (no group), at the end of its list."""
    _require_admin(actor)
    slug = _check_slug(slug)
    name = _check_name(name)
    description = _check_description(description)
    _refuse_safety_flags(slug, "slug")
    _refuse_safety_flags(name, "name")
    try:
        kind = TagKind(kind)
    except ValueError:
        raise Invalid("A tag is either a harm tag or a practice tag", field="kind") from None

    group = None
    if kind is TagKind.HARM:
        if not group_slug:
            raise Invalid("Choose the group this harm tag belongs to", field="group")
        group = db.session.scalar(select(TagGroup).where(TagGroup.slug == group_slug))
        if group is None:
            raise Invalid("There is no group with that name", field="group")
    elif group_slug:
        raise Invalid("Practice tags are not in a group", field="group")

    taken = Invalid("A tag with that slug already exists. Choose a different one", field="slug")
    if db.session.scalar(select(Tag.id).where(Tag.slug == slug)) is not None:
        raise taken
    _check_unique_name(name)
    siblings = Tag.group_id == group.id if group else Tag.kind == kind
    last = db.session.scalar(select(func.max(Tag.position)).where(siblings))
    tag = Tag(
        slug=slug,
        name=name,
        description=description,
        kind=kind,
        group=group,
        position=(last + 1) if last is not None else 0,
    )
    db.session.add(tag)
    try:
        db.session.flush()
        audit(actor, "tag_added", tag, slug, public=False)
        content_changed()
        db.session.commit()
    except IntegrityError:
        # Another admin added the same slug between our check and our commit.
        db.session.rollback()
        raise taken from None
    return tag


def get_tag_for_admin(actor: User, slug: str) -> Tag:
    """Any tag, retired ones included, for an admin; the permission is checked first."""
    _require_admin(actor)
    return get_tag(slug, include_retired=True)


def list_for_admin(actor: User) -> tuple[list[GroupListing], list[Tag]]:
    """Every group with every tag, and every practice tag, retired ones included."""
    _require_admin(actor)
    return list_groups_with_tags(include_retired=True), list_practice_tags(include_retired=True)
