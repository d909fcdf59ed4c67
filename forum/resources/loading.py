"""Loading the starter set from forum/data, and checking every resource's link.

Loading follows the taxonomy's rule: create what is missing (resources by URL, guides by slug),
never overwrite what exists. The data file is the starting point and the database the truth
afterwards, so a moderator's edit or retirement survives every later `load-resources`.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from forum.db import db, utcnow
from forum.errors import Invalid
from forum.resources import links
from forum.resources.curation import (
    ContactInput,
    ResourceInput,
    all_tags,
    apply_fields,
    category_of,
    checked_fields,
    guide_html,
    single_line,
)
from forum.resources.models import TITLE_LENGTH, Guide, Resource, ResourceStatus
from forum.resources.services import DATA_DIR, DEFAULT_DATA

GUIDES_DIR = DATA_DIR / "guides"
HAND_CHECKED = "Checked by hand before it was added (see the curator note)"


# Loading the starter set.


@dataclass(frozen=True)
class LoadReport:
    """What `load_resources` did."""

    resources_created: int = 0
    resources_kept: int = 0
    guides_created: int = 0
    guides_kept: int = 0

    def summary(self) -> str:
        """One plain sentence for the CLI."""
        return (
            f"Created {self.resources_created} resources and {self.guides_created} guides. "
            f"Kept {self.resources_kept} resources and {self.guides_kept} guides already there, "
            "unchanged."
        )


def _input_from_data(entry: dict) -> ResourceInput:
    if not isinstance(entry, dict):
        raise Invalid("Resource data: every resource must be an object")
    contacts = [
        ContactInput(
            c.get("kind", ""), c.get("number", ""), c.get("label", ""), c.get("confirmed", True)
        )
        for c in entry.get("contacts", [])
        if isinstance(c, dict)
    ]
    return ResourceInput(
        title=entry.get("title", ""),
        url=entry.get("url", ""),
        organisation=entry.get("organisation", ""),
        description=entry.get("description", ""),
        category=entry.get("category", ""),
        regions=entry.get("regions", []),
        harm_tags=entry.get("harm_tags", []),
        practice_tags=entry.get("practice_tags", []),
        serves_all_harms=entry.get("serves_all_harms", False),
        show_on_help=entry.get("show_on_help", False),
        hours=entry.get("hours", ""),
        contacts=contacts,
        curator_note=entry.get("curator_note", ""),
    )


def _checked_on(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise Invalid(f"Resource data: {value!r} is not a date like 2026-11-22") from None


def load_resources(data: dict | None = None, guides_dir: Path | None = None) -> LoadReport:
    """Create the resources and guides in the data file that are missing; change nothing else."""
    data = json.loads(DEFAULT_DATA.read_text(encoding="utf-8")) if data is None else data
    try:
        report = _load(data, guides_dir or GUIDES_DIR)
    except Invalid:
        db.session.rollback()  # bad data loads nothing at all
        raise
    db.session.commit()
    return report


def _load(data: dict, guides_dir: Path) -> LoadReport:
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise Invalid("Resource data must be an object with a list of resources")
    tags = all_tags()
    existing = set(db.session.scalars(select(Resource.url)))
    created = kept = 0
    seen: set[str] = set()
    for position, entry in enumerate(data["resources"]):
        try:
            values = checked_fields(_input_from_data(entry), tags)
        except Invalid as error:
            raise Invalid(
                f"Resource data, {entry.get('title', position)!r}: {error.message}"
            ) from None
        if values["url"] in seen:
            raise Invalid(f"Resource data: {values['url']} appears twice")
        seen.add(values["url"])
        if values["url"] in existing:
            kept += 1
            continue
        resource = Resource(
            position=position,
            last_checked_at=_checked_on(entry.get("last_checked")),
            last_check_ok=True if entry.get("last_checked") else None,
            last_check_result=HAND_CHECKED if entry.get("last_checked") else "",
        )
        apply_fields(resource, values)
        db.session.add(resource)
        created += 1

    guides_created = guides_kept = 0
    existing_guides = set(db.session.scalars(select(Guide.slug)))
    for position, entry in enumerate(data.get("guides", [])):
        slug = entry.get("slug", "")
        if slug in existing_guides:
            guides_kept += 1
            continue
        path = guides_dir / f"{slug}.md"
        if not re.fullmatch(r"[a-z0-9-]{1,80}", slug) or not path.is_file():
            raise Invalid(f"Guide data: no Markdown file for {slug!r}")
        body = path.read_text(encoding="utf-8")
        categories = [category_of(value).value for value in entry.get("related_categories", [])]
        db.session.add(
            Guide(
                slug=slug,
                title=single_line(
                    entry.get("title"), "title", "a title", TITLE_LENGTH, required=True
                ),
                summary=single_line(entry.get("summary"), "summary", "a summary", 400),
                body=body,
                body_html=guide_html(body),
                related_categories=" ".join(categories),
                position=position,
            )
        )
        guides_created += 1
    return LoadReport(created, kept, guides_created, guides_kept)


# The link checker.


@dataclass(frozen=True)
class CheckedLink:
    """One resource's check, for the CLI's report."""

    resource_id: int
    title: str
    url: str
    result: links.CheckResult


def check_links(check=links.check_url, workers: int = 8, **options) -> list[CheckedLink]:
    """Check every active resource's address and record when and what was found.

    The network is never touched inside a transaction: the addresses are read and the
    transaction ends, the checks run (a few at a time), and one short transaction writes every
    result, so a slow site cannot hold SQLite's write lock.
    """

    rows = db.session.execute(
        select(Resource.id, Resource.title, Resource.url)
        .where(Resource.status == ResourceStatus.ACTIVE)
        .order_by(Resource.id)
    ).all()
    db.session.commit()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda row: check(row.url, **options), rows))
    checked_at = utcnow()
    if rows:
        db.session.execute(
            update(Resource),
            [
                {
                    "id": row.id,
                    "last_checked_at": checked_at,
                    "last_check_ok": result.ok,
                    "last_check_result": result.summary[:300],
                }
                for row, result in zip(rows, results, strict=True)
            ],
        )
    db.session.commit()
    return [
        CheckedLink(row.id, row.title, row.url, result)
        for row, result in zip(rows, results, strict=True)
    ]
