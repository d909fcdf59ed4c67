"""Curation forms: shape only (lengths, required fields, choices); the rules live in services."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from forum.forms import BaseForm, MultiCheckboxField
from forum.resources.curation import ContactInput, ResourceInput
from forum.resources.models import CATEGORY_LABELS, ContactKind, Resource
from forum.resources.regions import known_codes, region_name

REASON_HINT = (
    "Shown in the public moderation log without your name, for example "
    "“Checked the page on 3 March” or “The service has closed”."
)
CONTACTS_HINT = (
    "One number a line: phone or text, a bar, the number, then optionally a bar and what "
    "people see. Add “| unconfirmed” at the end when only secondary sources give the number. "
    "For example: phone | 116 123 | Call 116 123"
)


def _reason_field() -> TextAreaField:
    return TextAreaField(
        "Reason for this change",
        validators=[DataRequired("Enter a reason for this change"), Length(max=2000)],
    )


def parse_contacts(text: str) -> list[ContactInput]:
    """Lines like `phone | 116 123 | Call 116 123 [| unconfirmed]` as contacts (shape only)."""
    contacts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        confirmed = True
        if len(parts) == 4 and parts[3].lower() == "unconfirmed":
            confirmed = False
            parts = parts[:3]
        if len(parts) not in (2, 3) or parts[0].lower() not in {k.value for k in ContactKind}:
            raise ValueError(
                f"Line {number} should start with phone or text, then a bar (|) and the number"
            )
        label = parts[2] if len(parts) == 3 else ""
        contacts.append(ContactInput(parts[0].lower(), parts[1], label, confirmed))
    return contacts


def format_contacts(resource: Resource) -> str:
    """A resource's contacts in the form's one-a-line format, for editing."""
    lines = []
    for contact in resource.contacts:
        line = f"{contact.kind.value} | {contact.number} | {contact.label}"
        lines.append(line if contact.confirmed else f"{line} | unconfirmed")
    return "\n".join(lines)


class ResourceForm(BaseForm):
    """Add or edit a resource. Tag choices are set by the view from the taxonomy."""

    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    url = StringField(
        "Web address",
        validators=[
            DataRequired("Enter the address of the website, starting with https://"),
            Length(max=2000, message="The address must be 2,000 characters or fewer"),
        ],
    )
    organisation = StringField("Organisation", validators=[Length(max=200)])
    description = TextAreaField(
        "Short description",
        validators=[DataRequired("Enter a short description"), Length(max=1000)],
    )
    category = RadioField(
        "What kind of resource is it?",
        choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
        validators=[DataRequired("Choose what kind of resource this is")],
    )
    regions = MultiCheckboxField(
        "Where does it serve?",
        choices=[SelectChoice(code, f"{region_name(code)} ({code})") for code in known_codes()],
        validators=[DataRequired("Choose at least one region the resource serves")],
    )
    serves_all_harms = BooleanField("It is useful whatever the harm")
    harm_tags = MultiCheckboxField("Harm types it helps with", choices=[])
    practice_tags = MultiCheckboxField("Community practices it supports", choices=[])
    show_on_help = BooleanField("Show it on the Get help now page (crisis support only)")
    hours = StringField("Opening hours", validators=[Length(max=120)])
    contacts = TextAreaField("Phone and text numbers", validators=[Length(max=2000)])
    curator_note = TextAreaField(
        "Note for curators (not shown to readers)", validators=[Length(max=2000)]
    )
    reason = _reason_field()

    def validate_contacts(self, field) -> None:
        """Each line must have the shape the hint describes."""
        try:
            parse_contacts(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def to_input(self) -> ResourceInput:
        """The submitted values for the service."""
        return ResourceInput(
            title=self.title.data or "",
            url=self.url.data or "",
            organisation=self.organisation.data or "",
            description=self.description.data or "",
            category=self.category.data or "",
            regions=list(self.regions.data or []),
            harm_tags=list(self.harm_tags.data or []),
            practice_tags=list(self.practice_tags.data or []),
            serves_all_harms=bool(self.serves_all_harms.data),
            show_on_help=bool(self.show_on_help.data),
            hours=self.hours.data or "",
            contacts=parse_contacts(self.contacts.data or ""),
            curator_note=self.curator_note.data or "",
        )

    def fill_from(self, resource: Resource) -> None:
        """Pre-fill the form with a resource's current values."""
        self.title.data = resource.title
        self.url.data = resource.url
        self.organisation.data = resource.organisation
        self.description.data = resource.description
        self.category.data = resource.category.value
        self.regions.data = resource.region_codes
        self.serves_all_harms.data = resource.serves_all_harms
        self.harm_tags.data = [tag.slug for tag in resource.harm_tags]
        self.practice_tags.data = [tag.slug for tag in resource.practice_tags]
        self.show_on_help.data = resource.show_on_help
        self.hours.data = resource.hours
        self.contacts.data = format_contacts(resource)
        self.curator_note.data = resource.curator_note


class ReasonForm(BaseForm):
    """Retire or restore a resource: the reason is all it asks."""

    reason = _reason_field()


class GuideForm(BaseForm):
    """An admin's edit of a guide (Markdown)."""

    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    summary = StringField("Summary", validators=[Length(max=400)])
    body = TextAreaField(
        "Guide (Markdown)",
        validators=[DataRequired("Enter the guide"), Length(max=40_000)],
    )
    reason = _reason_field()
