"""Curation: the fields of a resource and their rules, and moderators' and admins' changes.

Services take the acting user explicitly, never read the request, raise typed errors and commit
once per public function; every change commits together with its audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid, NotAllowed, NotFound
from forum.governance.audit import audit
from forum.resources import links
from forum.resources.models import (
    DESCRIPTION_LENGTH,
    HOURS_LENGTH,
    ORGANISATION_LENGTH,
    TITLE_LENGTH,
    Category,
    ContactKind,
    Guide,
    Resource,
    ResourceContact,
    ResourceRegion,
    ResourceStatus,
)
from forum.resources.regions import GLOBAL, known_codes
from forum.resources.services import category_rank, get_guide
from forum.safety.sanitize import clean_text, render_markdown
from forum.taxonomy.models import Tag, TagKind

NUMBER = re.compile(r"^\+?[0-9][0-9 ().-]*$")
MAX_CONTACTS = 6


# Inputs and checks shared by the loader and the curation forms.


@dataclass
class ContactInput:
    """A phone or text number as a curator enters it."""

    kind: str
    number: str
    label: str = ""
    confirmed: bool = True


@dataclass
class ResourceInput:
    """Every field a curator may set; status and check results are never among them."""

    title: str = ""
    url: str = ""
    organisation: str = ""
    description: str = ""
    category: str = ""
    regions: list[str] = field(default_factory=list)
    harm_tags: list[str] = field(default_factory=list)
    practice_tags: list[str] = field(default_factory=list)
    serves_all_harms: bool = False
    show_on_help: bool = False
    hours: str = ""
    contacts: list[ContactInput] = field(default_factory=list)
    curator_note: str = ""


def single_line(value: Any, name: str, label: str, maximum: int, *, required: bool = False) -> str:
    """A one-line text field, cleaned; Invalid (naming the field) if missing or too long."""
    value = clean_text(value, single_line=True) if isinstance(value, str) else ""
    if required and not value:
        raise Invalid(f"Enter {label}", field=name)
    if len(value) > maximum:
        raise Invalid(
            f"{label[0].upper()}{label[1:]} must be {maximum} characters or fewer", field=name
        )
    return value


def category_of(value: Any) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise Invalid("Choose what kind of resource this is", field="category") from None


def _regions(values: Any) -> list[str]:
    codes = [value for value in values or [] if isinstance(value, str)]
    if not codes:
        raise Invalid("Choose at least one region the resource serves", field="regions")
    allowed = known_codes()
    unknown = [code for code in codes if code not in allowed]
    if unknown:
        raise Invalid(f"Heard does not know the region {unknown[0]!r}", field="regions")
    if GLOBAL in codes and len(set(codes)) > 1:
        raise Invalid(
            "A resource for everywhere cannot also list other regions: choose one or the other",
            field="regions",
        )
    return sorted(set(codes), key=allowed.index)


def _tags(slugs: Iterable[str], kind: TagKind, name: str, tags: dict[str, Tag]) -> list[Tag]:
    chosen = []
    for slug in dict.fromkeys(slugs or []):
        tag = tags.get(slug)
        if tag is None or tag.kind is not kind:
            what = "harm type" if kind is TagKind.HARM else "community practice"
            raise Invalid(
                f"There is no {what} called {slug!r}. Load the taxonomy first, or choose another",
                field=name,
            )
        chosen.append(tag)
    return chosen


def _contacts(entries: Iterable[ContactInput]) -> list[ResourceContact]:
    contacts = []
    for position, entry in enumerate(entries or []):
        if position >= MAX_CONTACTS:
            raise Invalid(f"Add at most {MAX_CONTACTS} numbers", field="contacts")
        try:
            kind = ContactKind(entry.kind)
        except ValueError:
            raise Invalid(
                "Each number must be a phone number or a text number", field="contacts"
            ) from None
        number = clean_text(entry.number or "", single_line=True)
        digits = sum(ch.isdigit() for ch in number)
        if not NUMBER.match(number) or not 2 <= digits <= 15 or len(number) > 30:
            raise Invalid(
                f"{number or 'A number'!s} is not a number people can dial or text. "
                "Use digits, spaces and hyphens only, like 116 123",
                field="contacts",
            )
        default = f"Call {number}" if kind is ContactKind.PHONE else f"Text {number}"
        label = clean_text(entry.label or "", single_line=True) or default
        if len(label) > 120:
            raise Invalid(
                "A number's description must be 120 characters or fewer", field="contacts"
            )
        contacts.append(
            ResourceContact(
                kind=kind,
                number=number,
                label=label,
                confirmed=bool(entry.confirmed),
                position=position,
            )
        )
    return contacts


def checked_fields(data: ResourceInput, tags: dict[str, Tag]) -> dict:
    """The fields of a resource, cleaned, or Invalid naming the first field that is wrong."""
    category = category_of(data.category)
    if data.show_on_help and category is not Category.CRISIS:
        raise Invalid(
            "Only crisis support can be shown on the Get help now page", field="show_on_help"
        )
    note = clean_text(data.curator_note) if isinstance(data.curator_note, str) else ""
    if len(note) > 2000:
        raise Invalid(
            "The note for curators must be 2000 characters or fewer", field="curator_note"
        )
    return {
        "title": single_line(data.title, "title", "a title", TITLE_LENGTH, required=True),
        "url": links.check_resource_url(data.url),
        "organisation": single_line(
            data.organisation, "organisation", "the organisation", ORGANISATION_LENGTH
        ),
        "description": single_line(
            data.description,
            "description",
            "a short description",
            DESCRIPTION_LENGTH,
            required=True,
        ),
        "category": category,
        "regions": _regions(data.regions),
        "tags": _tags(data.harm_tags, TagKind.HARM, "harm_tags", tags)
        + _tags(data.practice_tags, TagKind.PRACTICE, "practice_tags", tags),
        "serves_all_harms": bool(data.serves_all_harms),
        "show_on_help": bool(data.show_on_help),
        "hours": single_line(data.hours, "hours", "the opening hours", HOURS_LENGTH),
        "contacts": _contacts(data.contacts),
        "curator_note": note,
    }


def apply_fields(resource: Resource, values: dict) -> None:
    for name in (
        "title",
        "url",
        "organisation",
        "description",
        "category",
        "serves_all_harms",
        "show_on_help",
        "hours",
        "curator_note",
    ):
        setattr(resource, name, values[name])
    current = {region.code: region for region in resource.regions}
    resource.regions = [
        current.get(code) or ResourceRegion(code=code) for code in values["regions"]
    ]
    resource.tags = values["tags"]
    resource.contacts = values["contacts"]


def all_tags() -> dict[str, Tag]:
    return {tag.slug: tag for tag in db.session.scalars(select(Tag))}


def guide_html(body: str) -> str:
    """A guide's Markdown as safe HTML, its headings one level up from a story's.

    render_markdown caps headings at h3 (a story sits under the page's h1 and h2); a guide
    sits right under the page's h1, so h3/h4 become h2/h3. The sanitiser emits these tags
    bare, and literal text can never contain them unescaped, so the swap is exact.
    """
    html = render_markdown(body)
    for old, new in (("h3", "h2"), ("h4", "h3")):
        html = html.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return html


# Curation by moderators and admins.


def require_guide_editor(actor: User | None) -> User:
    """The actor, if they may edit guides (active admins); else NotAllowed."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotAllowed("Only admins can edit guides")
    if not actor.is_admin:
        raise NotAllowed("Only admins can edit guides")
    return actor


def require_curator(actor: User | None) -> User:
    """The actor, if they may curate resources (active moderators and admins); else NotAllowed."""
    # Fail closed: a suspended, banned or deleted account cannot change anything.
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotAllowed("Only moderators and admins can change resources")
    if not actor.is_moderator:
        raise NotAllowed("Only moderators and admins can change resources")
    return actor


def _reason(reason: Any) -> str:
    reason = clean_text(reason) if isinstance(reason, str) else ""
    if not reason:
        raise Invalid("Enter a reason for this change", field="reason")
    if len(reason) > 2000:
        raise Invalid("The reason must be 2000 characters or fewer", field="reason")
    return reason


def list_for_curation(actor: User | None) -> list[Resource]:
    """Every resource, active first, with what the last link check found."""
    require_curator(actor)
    query = (
        select(Resource)
        .order_by(Resource.status, category_rank(), Resource.position, Resource.id)
        .options(selectinload(Resource.regions))
    )
    return list(db.session.scalars(query))


def get_for_curation(actor: User | None, resource_id: int) -> Resource:
    """One resource, active or retired, for a curator."""
    require_curator(actor)
    resource = db.session.get(
        Resource,
        resource_id,
        options=[
            selectinload(Resource.regions),
            selectinload(Resource.contacts),
            selectinload(Resource.tags),
        ],
    )
    if resource is None:
        raise NotFound("There is no resource with that number")
    return resource


URL_TAKEN = "Another resource already has this address. Edit that one instead"


def _check_url_free(url: str, resource: Resource | None = None) -> None:
    query = select(Resource.id).where(Resource.url == url)
    if resource is not None:
        query = query.where(Resource.id != resource.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Invalid(URL_TAKEN, field="url")


def _commit_or_url_taken() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Another curator saved the same address between our check and our commit.
        db.session.rollback()
        raise Invalid(URL_TAKEN, field="url") from None


def create_resource(actor: User | None, data: ResourceInput, reason: str) -> Resource:
    """Add a resource (active, never checked yet), with its audit entry."""
    require_curator(actor)
    values = checked_fields(data, all_tags())
    reason = _reason(reason)
    _check_url_free(values["url"])
    last = db.session.scalar(select(func.max(Resource.position)))
    resource = Resource(position=(last or 0) + 1)
    apply_fields(resource, values)
    db.session.add(resource)
    audit(actor, "resource_add", resource, reason)
    _commit_or_url_taken()
    return resource


def update_resource(
    actor: User | None, resource_id: int, data: ResourceInput, reason: str
) -> Resource:
    """Change a resource's fields, with its audit entry. A new address clears the old check."""
    resource = get_for_curation(actor, resource_id)
    values = checked_fields(data, all_tags())
    reason = _reason(reason)
    _check_url_free(values["url"], resource)
    if values["url"] != resource.url:
        resource.last_checked_at, resource.last_check_ok, resource.last_check_result = (
            None,
            None,
            "",
        )
    apply_fields(resource, values)
    audit(actor, "resource_edit", resource, reason)
    _commit_or_url_taken()
    return resource


def _set_status(
    actor: User | None, resource_id: int, status: ResourceStatus, reason: str
) -> Resource:
    resource = get_for_curation(actor, resource_id)
    reason = _reason(reason)
    if resource.status is status:
        raise Invalid(
            f"This resource is already {status.value}. Nothing was changed", field="reason"
        )
    resource.status = status
    action = "resource_retire" if status is ResourceStatus.RETIRED else "resource_restore"
    audit(actor, action, resource, reason)
    db.session.commit()
    return resource


def retire_resource(actor: User | None, resource_id: int, reason: str) -> Resource:
    """Hide a resource everywhere (directory, panels, /help); it stays for the record."""
    return _set_status(actor, resource_id, ResourceStatus.RETIRED, reason)


def restore_resource(actor: User | None, resource_id: int, reason: str) -> Resource:
    """Show a retired resource again."""
    return _set_status(actor, resource_id, ResourceStatus.ACTIVE, reason)


def update_guide(
    actor: User | None, slug: str, title: str, summary: str, body: str, reason: str
) -> Guide:
    """An admin's edit of a guide, rendered at write time and audited in the same transaction."""
    require_guide_editor(actor)
    guide = get_guide(slug)
    reason = _reason(reason)
    title = single_line(title, "title", "a title", TITLE_LENGTH, required=True)
    summary = single_line(summary, "summary", "a summary", 400)
    body = clean_text(body) if isinstance(body, str) else ""
    if not body:
        raise Invalid("Enter the guide", field="body")
    if len(body) > 40_000:
        raise Invalid("The guide must be 40,000 characters or fewer", field="body")
    guide.title, guide.summary, guide.body, guide.body_html = (
        title,
        summary,
        body,
        guide_html(body),
    )
    audit(actor, "guide_edit", guide, reason)
    db.session.commit()
    return guide
