"""Sharing forms: shape only (lengths, required fields, choices); rules live in the services.

Taxonomy choices (tags, problem kinds) are set by the view before validation, so no validator
ever queries the database.
"""

from __future__ import annotations

from wtforms import Field, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from forum.forms import BaseForm, MultiCheckboxField
from forum.stories.content import (
    ATTRIBUTION_LABELS,
    CONTENT_NOTES,
    FORMAT_LABELS,
    IMPACT_LABELS,
    PROMPTS,
    SETTING_LABELS,
)
from forum.stories.models import StoryKind

TITLE_MAX = 200
BODY_MAX = 30_000
ANSWER_MAX = 5_000
HELPED_MAX = 10_000
PREFER_NOT_TO_SAY = SelectChoice("", "Prefer not to say")
ANSWER_TOO_LONG = f"Each answer must be {ANSWER_MAX:,} characters or fewer"

# Short hints under each optional question, so a blank box feels less daunting.
PROMPT_HINTS = {
    "affected": "Your feelings, your health, your work, your relationships – whatever feels right.",
    "would-have-helped": "Something the therapist, the service or anyone else could have done.",
    "resilience": "Your ability to cope and keep going, then and now.",
    "connection": "The people and places you feel part of.",
    "risks": "For example, whether anyone said therapy can sometimes make things feel worse.",
    "support": "Friends, family, groups, faith, nature, creative work – anything.",
    "saving-up": "Keeping things to talk about in sessions instead of sharing them with others.",
    "group": "If you have, how it compared with one-to-one therapy.",
}


class MaxLength(Length):
    """A length limit checked on the server only: a browser's maxlength cuts pasted text."""

    def __init__(self, max: int, message: str) -> None:
        super().__init__(max=max, message=message)
        self.field_flags: dict[str, object] = {}


def answer_field_name(key: str) -> str:
    """The form field that holds the answer to one guided prompt."""
    return "answer_" + key.replace("-", "_")


def _without_nul(value):
    # NUL never belongs in text and PostgreSQL refuses to store it.
    return value.replace("\x00", "") if isinstance(value, str) else value


class ImpactsField(Field):
    """The optional 0–4 "how much did it affect you", posted as one `impact-<slug>` per harm tag.

    `slugs` (the harm tags on offer) is set by the view; values for any other name are ignored.
    `data` maps a slug to its rating; `raw` keeps what was sent, to show it again.
    """

    prefix = "impact-"

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.slugs: frozenset[str] = frozenset()
        self.raw: dict[str, str] = {}

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors: list[str] = []
        if formdata is not None:
            self.raw = {
                key.removeprefix(self.prefix): formdata.get(key, "")
                for key in formdata
                if key.startswith(self.prefix)
            }
        else:
            given = data if isinstance(data, dict) else {}
            self.raw = {slug: str(value) for slug, value in given.items() if value is not None}
        self.data: dict[str, int] = {}

    def pre_validate(self, form) -> None:
        self.data = {}
        for slug, value in self.raw.items():
            if slug not in self.slugs or value == "":
                continue
            if value not in {str(n) for n in IMPACT_LABELS}:
                raise ValidationError("Choose how much it affected you, from 0 to 4")
            self.data[slug] = int(value)

    def value_for(self, slug: str) -> str:
        """What to show as chosen for one tag."""
        value = self.raw.get(slug, "")
        return value if isinstance(value, str) else ""


def _checkboxes(label: str, choices: list) -> MultiCheckboxField:
    """Checkboxes; an unknown value is refused by BaseForm's one choice rule."""
    return MultiCheckboxField(label, choices=choices, validate_choice=False)


def _optional_radio(label: str, choices) -> RadioField:
    return RadioField(
        label,
        choices=[*choices, PREFER_NOT_TO_SAY],
        default="",
        validators=[Optional()],
        filters=[_without_nul],
    )


class StoryForm(BaseForm):
    """Everything a teller can write and choose; used to compose and to edit a story."""

    form_token = HiddenField()
    action = HiddenField()
    # A "use a general word instead" button on the check page: which finding to change
    # (pii.FieldFinding.token). Never carried on to the next step.
    suggestion = HiddenField(validators=[Optional(), Length(max=200)])
    kind = RadioField(
        "What would you like to share?",
        choices=[
            SelectChoice(StoryKind.EXPERIENCE.value, StoryKind.EXPERIENCE.label),
            SelectChoice(StoryKind.PRACTICE.value, StoryKind.PRACTICE.label),
        ],
        validators=[InputRequired("Choose what you would like to share")],
    )
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title"),
            MaxLength(max=TITLE_MAX, message=f"Title must be {TITLE_MAX} characters or fewer"),
        ],
        filters=[_without_nul],
    )
    body = TextAreaField(
        "Your story",
        validators=[
            DataRequired("Enter your story"),
            MaxLength(
                max=BODY_MAX,
                message=f"Your story must be {BODY_MAX:,} characters or fewer. "
                "You could move some of it into the questions below",
            ),
        ],
        filters=[_without_nul],
    )
    # One optional answer field per guided prompt, declared here so they keep the page's order.
    for _key, _question in PROMPTS.items():
        locals()[answer_field_name(_key)] = TextAreaField(
            f"{_question} (optional)",
            validators=[MaxLength(max=ANSWER_MAX, message=ANSWER_TOO_LONG)],
            filters=[_without_nul],
        )
    del _key, _question
    harm_tags = _checkboxes("What went wrong?", choices=[])
    impacts = ImpactsField("How much did it affect you?")
    practice_tags = _checkboxes("What helped?", choices=[])
    content_notes = _checkboxes(
        "Content notes (optional)",
        choices=[SelectChoice(slug, label) for slug, label in CONTENT_NOTES.items()],
    )
    therapy_kind = StringField(
        "Kind of therapy (optional)",
        validators=[MaxLength(max=120, message="Kind of therapy must be 120 characters or fewer")],
        filters=[_without_nul],
    )
    setting = _optional_radio(
        "Where was it? (optional)",
        [SelectChoice(s.value, label) for s, label in SETTING_LABELS.items()],
    )
    format = _optional_radio(
        "Who was in the sessions? (optional)",
        [SelectChoice(f.value, label) for f, label in FORMAT_LABELS.items()],
    )
    roughly_when = StringField(
        "Roughly when was it? (optional)",
        validators=[MaxLength(max=60, message="Roughly when must be 60 characters or fewer")],
        filters=[_without_nul],
    )
    problem_kind = _optional_radio("What kind of problem was it? (optional)", [])
    attribution = _optional_radio(
        "What do you think caused the harm? (optional)",
        [SelectChoice(a.value, label) for a, label in ATTRIBUTION_LABELS.items()],
    )
    helped_instead = TextAreaField(
        "What helped instead (optional)",
        validators=[
            MaxLength(max=HELPED_MAX, message=f"This must be {HELPED_MAX:,} characters or fewer")
        ],
        filters=[_without_nul],
    )
    show_handle = RadioField(
        "How should your story be signed?",
        choices=[SelectChoice("anonymous", "Anonymous"), SelectChoice("handle", "Show my handle")],
        default="anonymous",
        validators=[Optional()],
    )

    @property
    def answer_fields(self) -> list[tuple[str, Field, str]]:
        """The guided prompts: (key, field, hint), in order."""
        return [(key, self[answer_field_name(key)], PROMPT_HINTS[key]) for key in PROMPTS]


class StatusCodeFileForm(BaseForm):
    """A status code posted back from the page that showed it, to save as a text file."""

    code = HiddenField(validators=[DataRequired(), Length(max=200)])


class StatusCodeForm(BaseForm):
    """Open a story with its status code."""

    code = StringField(
        "Your status code",
        validators=[
            DataRequired("Enter your status code"),
            MaxLength(max=200, message="That status code was not recognised"),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


class _ChangeForm(BaseForm):
    """What every change to a published story carries besides its words."""

    form_token = HiddenField()
    # "1" once the teller has seen the check step for these words and chosen to send them.
    checked = HiddenField()


class UpdateForm(_ChangeForm):
    """ "What happened next", added to a published story."""

    body = TextAreaField(
        "What happened next",
        validators=[
            DataRequired("Enter what happened next"),
            MaxLength(max=HELPED_MAX, message=f"This must be {HELPED_MAX:,} characters or fewer"),
        ],
        filters=[_without_nul],
    )


class RevisionForm(_ChangeForm):
    """A new title and text for a published story, for a moderator to accept."""

    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title"),
            MaxLength(max=TITLE_MAX, message=f"Title must be {TITLE_MAX} characters or fewer"),
        ],
        filters=[_without_nul],
    )
    body = TextAreaField(
        "Your story",
        validators=[
            DataRequired("Enter your story"),
            MaxLength(max=BODY_MAX, message=f"Your story must be {BODY_MAX:,} characters or fewer"),
        ],
        filters=[_without_nul],
    )


class DraftCodeForm(BaseForm):
    """Open a saved draft with its draft code."""

    code = StringField(
        "Your draft code",
        validators=[
            DataRequired("Enter your draft code"),
            MaxLength(max=200, message="That draft code was not recognised"),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
