"""Glue for the sharing views: the compose form and its taxonomy, form <-> draft, the preview
and crisis lines. No rules live here; services own them. (The stories this browser may act on
are a server-side list: forum/governance/teller_access.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wtforms import SelectChoice

from forum.caching import one_time_token
from forum.forms import enum_of
from forum.pages.help import lines_for
from forum.resources.regions import REGIONS, current_region
from forum.safety import pii
from forum.safety.sanitize import clean_text, render_markdown
from forum.sharing.forms import PREFER_NOT_TO_SAY, StoryForm, answer_field_name
from forum.stories.content import (
    ATTRIBUTION_LABELS,
    CONTENT_NOTES,
    FORMAT_LABELS,
    IMPACT_LABELS,
    PROMPTS,
    SETTING_LABELS,
)
from forum.stories.drafts import StoryDraft
from forum.stories.models import Attribution, Format, Setting, Story, StoryKind
from forum.taxonomy.services import Entry, GroupEntries, live_taxonomy

_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


# --- The compose form -------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    """The choices the compose form offers (the live taxonomy, kept in the page cache)."""

    groups: tuple[GroupEntries, ...]
    practice_tags: tuple[Entry, ...]
    problem_kinds: tuple[Entry, ...]

    @property
    def harm_tags(self) -> list[Entry]:
        """Every harm tag on offer, in group order."""
        return [tag for listing in self.groups for tag in listing.tags]

    @property
    def problem_kind_descriptions(self) -> dict[str, str]:
        """Each problem kind's explanation, shown as a hint under its choice."""
        return {kind.slug: kind.description for kind in self.problem_kinds}

    def name_of(self, slug: str) -> str:
        """A tag's display name."""
        for tag in (*self.harm_tags, *self.practice_tags):
            if tag.slug == slug:
                return tag.name
        return slug


def story_form(data: dict | None = None, *, restoring: bool = False) -> tuple[StoryForm, Taxonomy]:
    """The compose form with its choices filled from the taxonomy, ready to validate.

    `restoring`: fill it from `data` alone (a saved draft), not from the request's form.
    """
    live = live_taxonomy()
    taxonomy = Taxonomy(live.groups, live.practices, live.problem_kinds)
    form = StoryForm(formdata=None, data=data) if restoring else StoryForm(data=data or {})
    form.harm_tags.choices = [SelectChoice(tag.slug, tag.name) for tag in taxonomy.harm_tags]
    form.impacts.slugs = frozenset(tag.slug for tag in taxonomy.harm_tags)
    form.practice_tags.choices = [SelectChoice(t.slug, t.name) for t in taxonomy.practice_tags]
    form.problem_kind.choices = [
        *[SelectChoice(kind.slug, kind.name) for kind in taxonomy.problem_kinds],
        PREFER_NOT_TO_SAY,
    ]
    return form, taxonomy


def new_form_token() -> str:
    """A one-time token for one compose session, so a double submit makes one story (each
    reader's own, also on a compose page kept whole: forum/caching.py)."""
    return one_time_token()


def ensure_form_token(form: StoryForm) -> None:
    """Keep the carried token; replace a missing or malformed one."""
    token = form.form_token.data
    if not isinstance(token, str) or not _FORM_TOKEN.match(token):
        form.form_token.data = new_form_token()


def draft_from_form(form: StoryForm, signed_in: bool) -> StoryDraft:
    """The draft a valid form describes."""
    harm = list(dict.fromkeys(form.harm_tags.data or []))
    return StoryDraft(
        kind=StoryKind(form.kind.data),
        title=form.title.data or "",
        body=form.body.data or "",
        harm_tags=harm,
        practice_tags=list(dict.fromkeys(form.practice_tags.data or [])),
        impacts={slug: value for slug, value in form.impacts.data.items() if slug in harm},
        content_notes=list(dict.fromkeys(form.content_notes.data or [])),
        answers={
            key: form[answer_field_name(key)].data
            for key in PROMPTS
            if (form[answer_field_name(key)].data or "").strip()
        },
        helped_instead=form.helped_instead.data or "",
        therapy_kind=form.therapy_kind.data or "",
        setting=enum_of(Setting, form.setting.data),
        format=enum_of(Format, form.format.data),
        roughly_when=form.roughly_when.data or "",
        problem_kind=form.problem_kind.data or None,
        attribution=enum_of(Attribution, form.attribution.data),
        show_handle=signed_in and form.show_handle.data == "handle",
    )


def form_data(story: Story) -> dict:
    """A stored story as compose-form data, to edit it."""
    answers = {answer.prompt: answer.body for answer in story.answers}
    return {
        "kind": story.kind.value,
        "title": story.title,
        "body": story.body,
        "harm_tags": [tag.slug for tag in story.harm_tags],
        "practice_tags": [tag.slug for tag in story.practice_tags],
        "impacts": {st.tag.slug: st.impact for st in story.story_tags if st.impact is not None},
        "content_notes": story.content_note_slugs,
        **{answer_field_name(key): answers.get(key, "") for key in PROMPTS},
        "helped_instead": story.helped_instead,
        "therapy_kind": story.therapy_kind,
        "setting": story.setting.value if story.setting else "",
        "format": story.format.value if story.format else "",
        "roughly_when": story.roughly_when,
        "problem_kind": story.problem_kind.slug if story.problem_kind else "",
        "attribution": story.attribution.value if story.attribution else "",
        "show_handle": "handle" if story.show_handle else "anonymous",
    }


# --- The check step -----------------------------------------------------------------------


def _checked_fields(form: StoryForm) -> dict[str, str]:
    """The free-text fields the check reads, by form field name (as StoryDraft.texts())."""
    names = ["title", "body", *(answer_field_name(key) for key in PROMPTS)]
    names += ["helped_instead", "therapy_kind", "roughly_when"]
    return {name: form[name].data or "" for name in names}


@dataclass(frozen=True)
class FindingGroup:
    """One kind of finding on the check page: what it is, why it matters, each one in context."""

    label: str
    explanation: str
    findings: list[pii.FieldFinding]
    low: bool = False  # coarse dates, ranked low: shown last and quietly


LOW_LABEL = "Smaller details"


def finding_groups(form: StoryForm) -> list[FindingGroup]:
    """The draft's possible identifiers grouped by kind, then the low-ranked ones apart."""
    by_kind: dict[pii.Kind, list[pii.FieldFinding]] = {}
    low: list[pii.FieldFinding] = []
    for found in pii.find_in_fields(_checked_fields(form), context=60, include_low=True):
        if found.finding.low:
            low.append(found)
        else:
            by_kind.setdefault(found.finding.kind, []).append(found)
    groups = [
        FindingGroup(pii.LABELS[kind], pii.EXPLANATIONS[kind], by_kind[kind])
        for kind in pii.Kind
        if kind in by_kind
    ]
    if low:
        groups.append(FindingGroup(LOW_LABEL, pii.LOW_EXPLANATION, low, low=True))
    return groups


NOT_CHANGED = "That part of your story has already changed, so nothing else was changed."


def use_suggestion(form: StoryForm) -> str | None:
    """Apply the general word the teller chose (their click, never on its own) to the form.

    Returns a calm line saying what changed, or None when no suggestion was chosen. A stale or
    forged choice changes nothing. The suggestion is then cleared, so it is never carried on.
    """
    token = form.suggestion.data
    form.suggestion.data = ""
    if not token:
        return None
    change = pii.use_suggestion(_checked_fields(form), token)
    if change is None:
        return NOT_CHANGED
    form[change.field].data = change.text
    if change.now:
        return f"“{change.was}” now reads “{change.now}”. Nothing has been sent yet."
    return f"“{change.was}” has been left out. Nothing has been sent yet."


# --- The preview ---------------------------------------------------------------------------


@dataclass
class Preview:
    """A draft as readers would see it; every *_html value comes from render_markdown."""

    kind_label: str
    title: str
    body_html: str
    content_notes: list[str]
    harm_tags: list[tuple[str, str]]  # (name, impact label or "")
    practice_tags: list[str]
    answers: list[tuple[str, str]]  # (question, answer_html)
    helped_instead_html: str
    context: list[tuple[str, str]] = field(default_factory=list)
    signed: str = "Anonymous"


def preview(draft: StoryDraft, taxonomy: Taxonomy, handle: str | None) -> Preview:
    """Render a draft the way the story page will, through the one sanitising gate."""
    kinds = {kind.slug: kind.name for kind in taxonomy.problem_kinds}
    context = [
        ("Kind of therapy", clean_text(draft.therapy_kind)),
        ("Where", SETTING_LABELS.get(draft.setting, "")),  # type: ignore[arg-type]  # .get(None) is None
        ("Who was in the sessions", FORMAT_LABELS.get(draft.format, "")),  # type: ignore[arg-type]  # .get(None) is None
        ("Roughly when", clean_text(draft.roughly_when)),
        ("Kind of problem", kinds.get(draft.problem_kind or "", "")),
        ("What caused the harm", ATTRIBUTION_LABELS.get(draft.attribution, "")),  # type: ignore[arg-type]  # .get(None) is None
    ]
    return Preview(
        kind_label=draft.kind.label,
        title=clean_text(draft.title),
        body_html=render_markdown(draft.body),
        content_notes=[
            label for slug, label in CONTENT_NOTES.items() if slug in draft.content_notes
        ],
        harm_tags=[
            (taxonomy.name_of(slug), IMPACT_LABELS.get(draft.impacts.get(slug), ""))  # type: ignore[arg-type]  # .get(None) is None
            for slug in draft.harm_tags
        ],
        practice_tags=[taxonomy.name_of(slug) for slug in draft.practice_tags],
        answers=[
            (question, render_markdown(draft.answers[key]))
            for key, question in PROMPTS.items()
            if key in draft.answers
        ],
        helped_instead_html=render_markdown(draft.helped_instead)
        if draft.helped_instead.strip()
        else "",
        context=[(label, value) for label, value in context if value],
        signed=handle if draft.show_handle and handle else "Anonymous",
    )


# --- Crisis help -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpLines:
    """Crisis lines to show: for the reader's region, or the main one of each region."""

    region_name: str | None
    regional: list[tuple[str, dict]]  # (region name or "", line)
    everywhere: list[dict]


def help_lines() -> HelpLines:
    """The lines for the reader's chosen region, or one main line per region if none chosen."""
    region = current_region()
    if region != "global":
        regional = [("", line) for line in lines_for(region)]
        return HelpLines(REGIONS[region], regional, lines_for("global"))
    regional = [
        (name, lines_for(code)[0])
        for code, name in REGIONS.items()
        if code != "global" and lines_for(code)
    ]
    return HelpLines(None, regional, lines_for("global"))
