"""Resources, the regions and tags they serve, their phone and text contacts, and guides."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Model, TimestampMixin, UTCDateTime, db, string_enum
from forum.taxonomy.models import Tag, TagKind

TITLE_LENGTH = 200
URL_LENGTH = 2000
ORGANISATION_LENGTH = 200
DESCRIPTION_LENGTH = 1000
REGION_LENGTH = 10
HOURS_LENGTH = 120
CHECK_RESULT_LENGTH = 300


class Category(enum.StrEnum):
    """What a resource is for, in the order the directory lists them."""

    CRISIS = "crisis"
    FIND_THERAPIST = "find-therapist"
    RAISE_CONCERN = "raise-concern"
    COMPLAIN = "complain"
    PEER_SUPPORT = "peer-support"
    UNDERSTANDING = "understanding-therapy"
    RESEARCH = "research"

    @property
    def label(self) -> str:
        """The heading people see."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.CRISIS: "Crisis support",
    Category.FIND_THERAPIST: "Find a better-fitting therapist",
    Category.RAISE_CONCERN: "Raise a concern with your therapist",
    Category.COMPLAIN: "Make a complaint",
    Category.PEER_SUPPORT: "Peer support and community practices",
    Category.UNDERSTANDING: "Understanding therapy: questions to ask, consent and rights",
    Category.RESEARCH: "Research and reading",
}


class ResourceStatus(enum.StrEnum):
    """Retired resources stay in the database (and the audit log) but are never shown."""

    ACTIVE = "active"
    RETIRED = "retired"


class ContactKind(enum.StrEnum):
    """How a contact is reached: a call or a text message."""

    PHONE = "phone"
    TEXT = "text"


resource_tags = Table(
    "resource_tags",
    db.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_resource_tags_tag_resource", "tag_id", "resource_id"),
)


class Resource(TimestampMixin, Model):
    """One curated link: what it is, who runs it, where it serves and which harms it helps with."""

    __tablename__ = "resources"
    __table_args__ = (Index("ix_resources_status_category", "status", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    # The identity of a resource for `load-resources`: one row per address.
    url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_LENGTH), default="")
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH), default="")
    category: Mapped[Category] = mapped_column(string_enum(Category, 30))
    status: Mapped[ResourceStatus] = mapped_column(
        string_enum(ResourceStatus, 12), default=ResourceStatus.ACTIVE
    )
    # "all" in RESOURCES.md: useful whatever the harm, besides any tags it is matched to.
    serves_all_harms: Mapped[bool] = mapped_column(default=False)
    # Crisis lines that belong on /help ("Get help now"), not only in the directory.
    show_on_help: Mapped[bool] = mapped_column(default=False, index=True)
    hours: Mapped[str] = mapped_column(String(HOURS_LENGTH), default="")
    # For curators only: where the entry was checked, and any caveat to re-check.
    curator_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_check_ok: Mapped[bool | None] = mapped_column(default=None)
    last_check_result: Mapped[str] = mapped_column(String(CHECK_RESULT_LENGTH), default="")

    regions: Mapped[list[ResourceRegion]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="ResourceRegion.code"
    )
    contacts: Mapped[list[ResourceContact]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        order_by="ResourceContact.position",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=resource_tags, order_by=Tag.position)

    @property
    def is_active(self) -> bool:
        """Whether readers can see it."""
        return self.status is ResourceStatus.ACTIVE

    @property
    def region_codes(self) -> list[str]:
        """The regions it serves, as codes."""
        return [region.code for region in self.regions]

    @property
    def harm_tags(self) -> list[Tag]:
        """The harm types it serves."""
        return [tag for tag in self.tags if tag.kind is TagKind.HARM]

    @property
    def practice_tags(self) -> list[Tag]:
        """The community practices it serves."""
        return [tag for tag in self.tags if tag.kind is TagKind.PRACTICE]


class ResourceRegion(Model):
    """A region a resource serves: "global", a country (GB) or a subdivision (GB-ENG)."""

    __tablename__ = "resource_regions"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(REGION_LENGTH), primary_key=True, index=True)

    resource: Mapped[Resource] = relationship(back_populates="regions")


class ResourceContact(Model):
    """A phone number to call or a number to text, exactly as the checked source shows it."""

    __tablename__ = "resource_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ContactKind] = mapped_column(string_enum(ContactKind, 10))
    number: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(120))
    # False when only secondary sources confirmed the number: readers are told so.
    confirmed: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    resource: Mapped[Resource] = relationship(back_populates="contacts")

    @property
    def href(self) -> str:
        """A tel: or sms: link that dials exactly the digits people see."""
        return contact_href(self.kind, self.number)


def contact_href(kind: ContactKind, number: str) -> str:
    """A tel: or sms: link that dials exactly the digits of `number` as people see it."""
    digits = "".join(ch for ch in number if ch.isdigit())
    prefix = "+" if number.lstrip().startswith("+") else ""
    scheme = "tel" if kind is ContactKind.PHONE else "sms"
    return f"{scheme}:{prefix}{digits}"


class Guide(TimestampMixin, Model):
    """A guide written for Heard; Markdown that admins edit, rendered once at write time."""

    __tablename__ = "guides"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Categories of resources listed under the guide, space separated (Category values).
    related_categories: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    @property
    def categories(self) -> list[Category]:
        """The resource categories this guide points to."""
        return [Category(value) for value in self.related_categories.split() if value in _VALUES]


_VALUES = {c.value for c in Category}
