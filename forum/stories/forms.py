"""Reader forms: the /stories filters (GET), hidden tags, reactions and replies (what the
reader keeps in their session is read back in forum/stories/preferences.py).

Shape only: lengths, required fields and known choices. Anything a reader can type into a
URL is checked against the live vocabulary and dropped when it does not fit, so odd input
narrows nothing and never reaches the database as anything but a known value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.forms import BaseForm, MultiCheckboxField, choice_of, enum_of
from forum.routing import parse_id
from forum.stories.content import CONTENT_NOTES
from forum.stories.models import Format, ReactionKind, Setting, StoryKind
from forum.stories.reading import Cursor, StoryFilters

# More values than any reader would tick; the rest are ignored.
MAX_VALUES = 40
REPLY_MAX_LENGTH = 5000


@dataclass(frozen=True)
class Vocabulary:
    """The live tags and facets that filter values are checked against."""

    harm: frozenset[str]
    practice: frozenset[str]
    problem_kinds: frozenset[str]

    @property
    def tags(self) -> frozenset[str]:
        """Every live tag slug."""
        return self.harm | self.practice


def _known(values: Iterable[str], allowed: frozenset[str]) -> tuple[str, ...]:
    """Distinct known values in the order given, at most MAX_VALUES of them."""
    kept: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and value in allowed:
            kept[value] = None
            if len(kept) >= MAX_VALUES:
                break
    return tuple(kept)


def parse_filters(
    args: MultiDict, vocabulary: Vocabulary, hidden: Iterable[str] = ()
) -> StoryFilters:
    """The /stories filters from query parameters; unknown values are ignored.

    Tags the reader has hidden are added to `exclude`.
    """
    exclude = _known([*args.getlist("exclude"), *hidden], vocabulary.tags)
    return StoryFilters(
        kind=enum_of(StoryKind, args.get("type")),
        tags=_known(args.getlist("tag"), vocabulary.tags),
        exclude=exclude,
        practice=_known(args.getlist("practice"), vocabulary.practice),
        setting=choice_of((s.value for s in Setting), args.get("setting")),
        format=choice_of((f.value for f in Format), args.get("format")),
        problem_kind=choice_of(vocabulary.problem_kinds, args.get("kind")),
    )


def parse_cursor(raw: str | None) -> Cursor | None:
    """The keyset cursor of an "Older stories" link; anything odd means the first page."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    cursor = Cursor.decode(raw)
    # The id part follows the one id rule (no sign, no spaces, ASCII digits, in range).
    if cursor is None or parse_id(raw.rpartition("-")[2]) is None:
        return None
    return cursor


class HiddenTagsForm(BaseForm):
    """Harm tags this reader does not want to see; kept in the session, not an account."""

    hide = MultiCheckboxField("Hide stories with these tags", choices=[])
    mute_notes = MultiCheckboxField(
        "Hide stories with these content notes",
        choices=[SelectChoice(slug, label) for slug, label in CONTENT_NOTES.items()],
    )
    mute_words = TextAreaField(
        "Hide stories whose title or opening uses these words",
        validators=[Length(max=1000, message="Muted words must be 1000 characters or fewer")],
    )
    show_all = HiddenField()
    next = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.hide.errors:
            # WTForms would quote the unknown value back; say it plainly instead.
            self.hide.errors = ["Choose tags from the list"]
        return valid


class ReactionForm(BaseForm):
    """One support reaction."""

    kind = RadioField(
        "Reaction",
        choices=[SelectChoice(k.value, k.label) for k in ReactionKind],
        validators=[DataRequired("Choose a reaction")],
    )


class ReplyForm(BaseForm):
    """A supportive reply, read by a moderator before it appears."""

    body = TextAreaField(
        "Your reply",
        validators=[
            DataRequired("Enter your reply"),
            Length(
                max=REPLY_MAX_LENGTH,
                message=f"Reply must be {REPLY_MAX_LENGTH} characters or fewer",
            ),
        ],
    )
    show_handle = BooleanField("Show my handle with this reply")
    form_token = HiddenField()
    # "send" from the check page sends the reply as it is; anything else checks it first.
    action = HiddenField()
