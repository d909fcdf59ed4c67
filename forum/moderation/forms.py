"""Moderation forms: shape only. Each form names exactly the fields its action takes, so
extra fields (status, role, author_id, actor_id…) are never read (mass assignment)."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from forum.forms import BaseForm, MultiCheckboxField
from forum.governance.models import WatchedAction
from forum.moderation.models import REPORT_REASON_LABELS
from forum.moderation.reasons import ACTIONS, Choice
from forum.stories.content import CONTENT_NOTES, PROMPTS

OWN_REASON = ""


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


SHORT_NAME = "Enter a short name"
MAX_REASON = 2000


class Reasoned(BaseForm):
    """A reason, written or chosen from the templates."""

    template = RadioField("Choose a reason", default=OWN_REASON)
    reason = TextAreaField(
        "Reason",
        validators=[Length(max=MAX_REASON, message="Reason must be 2000 characters or fewer")],
    )

    def __init__(self, *args, templates: Sequence[Choice] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {c.id: c for c in templates}
        self.template.choices = choices(
            [(OWN_REASON, "Write my own reason")] + [(c.id, c.label) for c in templates]
        )

    def validate_reason(self, field) -> None:
        """A reason is required: written, or a template chosen."""
        if not (field.data or "").strip() and not self.template.data:
            raise ValidationError("Enter a reason, or choose one")

    @property
    def final_reason(self) -> str:
        """The chosen template's words, followed by anything written."""
        chosen = self.templates.get(self.template.data)
        parts = [chosen.text if chosen else "", (self.reason.data or "").strip()]
        return " ".join(p for p in parts if p)


class ReasonForm(Reasoned):
    """A reason, and the version of the item the moderator saw (a second moderator is told)."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("This page is out of date. Open it again and retry")],
    )


class RedactForm(ReasonForm):
    """A moderator's edit of a story's words, for the teller to accept."""

    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    body = TextAreaField("Story", validators=[DataRequired("Enter the story")])
    helped_instead = TextAreaField("What helped instead")
    # The check's general words for its findings in the story as stored (pii.FieldFinding
    # tokens); the page fills the choices, and those ticked are applied before sending.
    suggestions = MultiCheckboxField("Use general words instead", validate_choice=False)

    def texts(self) -> dict[str, str]:
        """The edited words by field name (title, body, helped_instead, answer_*)."""
        return {
            name: field.data or ""
            for name, field in self._fields.items()
            if name in ("title", "body", "helped_instead") or name.startswith("answer_")
        }

    def answers(self, texts: dict[str, str] | None = None) -> dict[str, str]:
        """The edited guided answers, by prompt (from texts when given, else the fields)."""
        texts = self.texts() if texts is None else texts
        return {
            name.removeprefix("answer_").replace("_", "-"): text
            for name, text in texts.items()
            if name.startswith("answer_")
        }


def redact_form(story, templates: list[Choice], **kwargs) -> RedactForm:
    """A redaction form with one field per guided answer the story has."""

    class StoryRedactForm(RedactForm):
        pass

    data = {"title": story.title, "body": story.body, "helped_instead": story.helped_instead}
    for answer in story.answers:
        name = "answer_" + answer.prompt.replace("-", "_")
        setattr(StoryRedactForm, name, TextAreaField(PROMPTS.get(answer.prompt, answer.prompt)))
        data[name] = answer.body
    return StoryRedactForm(prefix="redact", templates=templates, data=data, **kwargs)


class TagsForm(ReasonForm):
    """Adjust a story's tags and content notes."""

    harm_tags = MultiCheckboxField("What went wrong", choices=[], validate_choice=True)
    practice_tags = MultiCheckboxField("What helped", choices=[], validate_choice=True)
    content_notes = MultiCheckboxField(
        "Content notes", choices=choices(CONTENT_NOTES.items()), validate_choice=True
    )


class ApproveForm(ReasonForm):
    """Approve a story; for a crisis-flagged one, the content-note decision (service checks)."""

    note_decision = RadioField(
        "Content note",
        choices=choices(
            [
                ("add", "Add a content note: suicidal thoughts or feelings"),
                ("none", "No content note needed"),
            ]
        ),
        validate_choice=False,
    )
    note_reason = TextAreaField(
        "Why no content note is needed",
        validators=[Length(max=MAX_REASON, message="Reason must be 2000 characters or fewer")],
    )


class CaringForm(BaseForm):
    """Send the teller a caring message: nothing to write, so nothing to debate or promise."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DaysForm(ReasonForm):
    """Pause anonymous posting from the client that sent an item."""

    days = IntegerField(
        "For how many days",
        validators=[
            InputRequired("Enter a number of days"),
            NumberRange(1, 365, "Enter a number of days from 1 to 365"),
        ],
    )


class SanctionForm(Reasoned):
    """Warn, suspend or ban an account."""

    kind = RadioField(
        "What to do",
        choices=choices(
            [("warn", "Warn"), ("suspend", "Suspend for a number of days"), ("ban", "Ban")]
        ),
        validators=[InputRequired("Choose what to do")],
    )
    days = IntegerField(
        "For how many days (suspensions only)",
        validators=[Optional(), NumberRange(1, 365, "Enter a number of days from 1 to 365")],
    )

    def validate_days(self, field) -> None:
        """Suspensions need a length."""
        if self.kind.data == "suspend" and not field.data:
            raise ValidationError("Enter a number of days from 1 to 365")


class NoteForm(BaseForm):
    """A private note about an account."""

    body = TextAreaField(
        "Note",
        validators=[DataRequired("Enter a note"), Length(max=2000, message="Note is too long")],
    )


class RoleForm(BaseForm):
    """Admins grant and remove roles."""

    handle = StringField("Handle", validators=[DataRequired("Enter a handle"), Length(max=60)])
    role = RadioField(
        "Role",
        choices=choices([("member", "Member"), ("moderator", "Moderator"), ("admin", "Admin")]),
        validators=[InputRequired("Choose a role")],
    )
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Enter a reason"), Length(max=MAX_REASON)]
    )


class WatchedWordForm(BaseForm):
    """Admins add a watched word."""

    word = StringField(
        "Word or phrase", validators=[DataRequired("Enter a word or phrase"), Length(max=100)]
    )
    action = RadioField(
        "What happens",
        choices=choices((a.value, a.label) for a in WatchedAction),
        validators=[InputRequired("Choose what happens")],
    )
    replacement = StringField("Replace it with (for “Replace” only)", validators=[Length(max=100)])


class TemplateForm(BaseForm):
    """Admins add a reason template."""

    action = SelectField("For", choices=choices(ACTIONS.items()))
    label = StringField("Short name", validators=[DataRequired(SHORT_NAME), Length(max=80)])
    text = TextAreaField("Reason", validators=[DataRequired("Enter the reason"), Length(max=1000)])


class TemplateEditForm(BaseForm):
    """Admins change a reason template."""

    label = StringField("Short name", validators=[DataRequired(SHORT_NAME), Length(max=80)])
    text = TextAreaField("Reason", validators=[DataRequired("Enter the reason"), Length(max=1000)])


class ReportForm(BaseForm):
    """A reader reports a story or reply."""

    reason = RadioField(
        "Why are you reporting this?",
        choices=choices((r.value, label) for r, label in REPORT_REASON_LABELS.items()),
        validators=[InputRequired("Choose why you are reporting this")],
    )
    detail = TextAreaField(
        "Anything moderators should know (optional)",
        validators=[Length(max=1000, message="Details must be 1000 characters or fewer")],
    )


class ReceiptForm(BaseForm):
    """The teller accepts a moderator's edit or withdraws the story."""

    decision = StringField(validators=[AnyOf(["accept", "withdraw"], "Choose what to do")])


class LogFilterForm(BaseForm):
    """Filters of the admin audit log (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], validate_choice=True)
    target_type = SelectField(
        "About",
        choices=choices(
            [
                ("", "Anything"),
                ("story", "Stories"),
                ("reply", "Replies"),
                ("user", "Accounts"),
                ("sanction", "Sanctions"),
            ]
        ),
        validate_choice=True,
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


class LiftEarlyForm(BaseForm):
    """Lift a suspension, ban or anonymous pause before it ends: a written reason is required."""

    reason = TextAreaField(
        "Reason for lifting it early",
        validators=[
            DataRequired("Enter a reason for lifting it early"),
            Length(max=MAX_REASON, message="Reason must be 2000 characters or fewer"),
        ],
    )


class QueueFilterForm(BaseForm):
    """Filters of the queue (a GET form: no CSRF token needed). Unknown values count as "any"."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Kind",
        choices=choices([("", "Stories and replies"), ("story", "Stories"), ("reply", "Replies")]),
        validate_choice=True,
    )
    reason = SelectField(
        "Why it is here",
        choices=choices(
            [
                ("", "Any reason"),
                ("crisis", "Crisis language"),
                ("at-risk", "Reported: may be at risk"),
                ("reported", "Reported, or hidden after reports"),
                ("waiting", "Waiting for review"),
            ]
        ),
        validate_choice=True,
    )
    age = SelectField(
        "Waiting",
        choices=choices([("", "Any time"), ("1", "More than 1 day"), ("7", "More than 7 days")]),
        validate_choice=True,
    )


class ClaimForm(BaseForm):
    """Claim a queue item, take another moderator's claim over, or release one's own."""

    decision = StringField(
        validators=[AnyOf(["claim", "take_over", "release"], message="Choose what to do")],
        widget=HiddenInput(),
    )
