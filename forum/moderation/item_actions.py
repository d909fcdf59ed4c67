"""The actions on a moderation item page: the form each takes, the service it calls, the context.

Plain functions used by the views: they build forms and template context, never read the
request or the signed-in user themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forum.accounts.models import User
from forum.errors import Invalid
from forum.governance.audit import audit_trail
from forum.governance.watched_words import all_words
from forum.moderation import actions, people, receipts, sanctions, services
from forum.moderation.forms import (
    ApproveForm,
    CaringForm,
    DaysForm,
    ReasonForm,
    RedactForm,
    TagsForm,
    choices,
    redact_form,
)
from forum.moderation.highlight import find_spans, marked
from forum.moderation.queue import WAITING, QueueItem, enrich, priority_of
from forum.moderation.reasons import choices_for
from forum.safety import pii
from forum.stories import lifecycle
from forum.stories.content import PROMPTS
from forum.stories.models import Reply, Status, Story
from forum.taxonomy import services as taxonomy


@dataclass(frozen=True)
class Action:
    """One action form: its button, its template list, how to build it, what it calls."""

    label: str
    reasons: str
    build: Callable[..., ReasonForm]
    perform: Callable[[User, Any, Any], object]  # (actor, story or reply, its form)
    done: str


def _reason_form(action: str) -> Callable[..., ReasonForm]:
    def build(item, **kwargs) -> ReasonForm:
        form = ReasonForm(prefix=action, templates=choices_for(ACTION_REASONS[action]), **kwargs)
        if action == "request_changes":
            form.reason.label.text = "Message to the teller"
        return form

    return build


def _tags_form(story: Story, **kwargs) -> TagsForm:
    data = {
        "harm_tags": [t.slug for t in story.harm_tags],
        "practice_tags": [t.slug for t in story.practice_tags],
        "content_notes": story.content_note_slugs,
    }
    form = TagsForm(prefix="tags", templates=choices_for("adjust_tags"), data=data, **kwargs)
    groups = taxonomy.list_groups_with_tags()
    form.harm_tags.choices = choices((t.slug, t.name) for g in groups for t in g.tags)
    form.practice_tags.choices = choices((t.slug, t.name) for t in taxonomy.list_practice_tags())
    return form


def _approve_form(item, **kwargs) -> ReasonForm:
    if not isinstance(item, Story):
        return _reason_form("approve")(item, **kwargs)
    return ApproveForm(prefix="approve", templates=choices_for("approve"), **kwargs)


def _caring_form(item, **kwargs) -> CaringForm:
    return CaringForm(prefix="caring", **kwargs)


def _approve(actor, story, form):
    return services.approve_story(
        actor,
        story.id,
        form.final_reason,
        form.version.data,
        note_decision=form.note_decision.data,
        note_reason=form.note_reason.data or "",
    )


def _days_form(item, **kwargs) -> DaysForm:
    return DaysForm(prefix="ban_poster", templates=choices_for("sanction"), **kwargs)


def _suggestion_label(found: pii.FieldFinding, field_label: str) -> str:
    now = found.suggestion.replacement
    change = f"“{found.finding.text}” → “{now}”" if now else f"leave out “{found.finding.text}”"
    return f"{change} ({field_label}: {found.before}{found.finding.text}{found.after})"


def _redact_form(story: Story, **kwargs) -> RedactForm:
    """The redaction form, offering the check's general word for each finding in the story."""
    form = redact_form(story, choices_for("redact"), **kwargs)
    stored = {name: form[name].object_data or "" for name in form.texts()}
    form.suggestions.choices = choices(
        (found.token, _suggestion_label(found, form[found.field].label.text))
        for found in pii.find_in_fields(stored, context=40)
    )
    return form


SUGGESTIONS_MOVED = (
    "Some of the ticked general words no longer match the text, because it was edited there. "
    "Untick them, or make those changes in the text yourself"
)


def _redact(actor: User, story: Story, form: RedactForm):
    """Apply the ticked general words to the edited text, then send it through receipts.redact."""
    texts, missed = pii.use_suggestions(form.texts(), form.suggestions.data or [])
    if missed:
        raise Invalid(SUGGESTIONS_MOVED, field="suggestions")
    return receipts.redact(
        actor,
        story.id,
        texts["title"],
        texts["body"],
        form.final_reason,
        helped_instead=texts["helped_instead"],
        answers=form.answers(texts),
        seen_version=form.version.data,
    )


ACTION_REASONS = {
    "approve": "approve",
    "request_changes": "request_changes",
    "reject": "reject",
    "hide": "hide",
    "restore": "restore",
    "dismiss_reports": "dismiss_reports",
    "lock": "flags",
    "unlock": "flags",
    "pin": "flags",
    "unpin": "flags",
    "feature": "flags",
    "unfeature": "flags",
}


def _flag(flag: str, value: bool):
    def perform(actor, story, form):
        return actions.set_flag(actor, story.id, flag, value, form.final_reason, form.version.data)

    return perform


def _on(kind: str, function):
    def perform(actor, item, form):
        return function(actor, kind, item.id, form.final_reason, form.version.data)

    return perform


STORY_ACTIONS: dict[str, Action] = {
    "approve": Action(
        "Approve and publish", "approve", _approve_form, _approve, "The story is published."
    ),
    "caring": Action(
        "Send a caring message",
        "",
        _caring_form,
        lambda a, s, f: services.send_caring_message(a, s.id),
        "A caring message with help lines is on the teller's status page.",
    ),
    "request_changes": Action(
        "Ask the teller for changes",
        "request_changes",
        _reason_form("request_changes"),
        lambda a, s, f: services.request_changes(a, s.id, f.final_reason, f.version.data),
        "The teller has been asked for changes.",
    ),
    "reject": Action(
        "Reject",
        "reject",
        _reason_form("reject"),
        lambda a, s, f: services.reject_story(a, s.id, f.final_reason, f.version.data),
        "The story was not published; the teller sees the reason.",
    ),
    "redact": Action(
        "Send the edit to the teller",
        "redact",
        _redact_form,
        _redact,
        "The edit has been sent to the teller to accept.",
    ),
    "hide": Action("Hide", "hide", _reason_form("hide"), _on("story", actions.hide), "Hidden."),
    "restore": Action(
        "Restore", "restore", _reason_form("restore"), _on("story", actions.restore), "Restored."
    ),
    "dismiss_reports": Action(
        "Keep it up and close the reports",
        "dismiss_reports",
        _reason_form("dismiss_reports"),
        _on("story", actions.dismiss_reports),
        "Reports closed.",
    ),
    "lock": Action(
        "Close to replies",
        "flags",
        _reason_form("lock"),
        _flag("locked", True),
        "Closed to replies.",
    ),
    "unlock": Action(
        "Open to replies",
        "flags",
        _reason_form("unlock"),
        _flag("locked", False),
        "Open to replies.",
    ),
    "pin": Action("Pin", "flags", _reason_form("pin"), _flag("pinned", True), "Pinned."),
    "unpin": Action("Unpin", "flags", _reason_form("unpin"), _flag("pinned", False), "Unpinned."),
    "feature": Action(
        "Feature", "flags", _reason_form("feature"), _flag("featured", True), "Featured."
    ),
    "unfeature": Action(
        "Stop featuring",
        "flags",
        _reason_form("unfeature"),
        _flag("featured", False),
        "No longer featured.",
    ),
    "tags": Action(
        "Save tags and content notes",
        "adjust_tags",
        _tags_form,
        lambda a, s, f: actions.adjust_tags(
            a,
            s.id,
            f.harm_tags.data or [],
            f.practice_tags.data or [],
            f.content_notes.data or [],
            f.final_reason,
            f.version.data,
        ),
        "Tags and content notes saved.",
    ),
    "ban_poster": Action(
        "Pause anonymous posting from this writer",
        "sanction",
        _days_form,
        lambda a, s, f: sanctions.ban_poster(a, "story", s.id, f.days.data, f.final_reason),
        "Anonymous posting from this writer is paused.",
    ),
}

REPLY_ACTIONS: dict[str, Action] = {
    "approve": Action(
        "Approve",
        "approve",
        _reason_form("approve"),
        lambda a, r, f: services.approve_reply(a, r.id, f.final_reason, f.version.data),
        "The reply is published.",
    ),
    "reject": Action(
        "Reject",
        "reject",
        _reason_form("reject"),
        lambda a, r, f: services.reject_reply(a, r.id, f.final_reason, f.version.data),
        "The reply was not published.",
    ),
    "hide": Action("Hide", "hide", _reason_form("hide"), _on("reply", actions.hide), "Hidden."),
    "restore": Action(
        "Restore", "restore", _reason_form("restore"), _on("reply", actions.restore), "Restored."
    ),
    "dismiss_reports": Action(
        "Keep it up and close the reports",
        "dismiss_reports",
        _reason_form("dismiss_reports"),
        _on("reply", actions.dismiss_reports),
        "Reports closed.",
    ),
    "ban_poster": Action(
        "Pause anonymous posting from this writer",
        "sanction",
        _days_form,
        lambda a, r, f: sanctions.ban_poster(a, "reply", r.id, f.days.data, f.final_reason),
        "Anonymous posting from this writer is paused.",
    ),
}


# What a moderator's page offers, in the order it lists it. The lifecycle actions among these
# are offered when `lifecycle.allowed_actions` allows them in the item's state (the one table
# the services enforce), narrowed only by the named page filter `_flag_offered`. The teller's
# and the system's own actions (resubmit, withdraw, erase, the redaction answers, auto_hide)
# are never offered here; "tags", "caring" and "ban_poster" change no state and have their own
# rules (`_offered`).
STORY_PAGE_ORDER = (
    "approve",
    "restore",
    "hide",
    "redact",
    "request_changes",
    "reject",
    "tags",
    "lock",
    "unlock",
    "pin",
    "unpin",
    "feature",
    "unfeature",
    "caring",
    "ban_poster",
)
REPLY_PAGE_ORDER = ("approve", "reject", "restore", "hide", "ban_poster")
# Flag action -> (flag, whether the action clears it).
FLAG_ACTIONS = {
    action: (flag, n == 1)
    for flag, pair in lifecycle.FLAGS.items()
    for n, action in enumerate(pair)
}


def _flag_offered(story: Story, action: str) -> bool:
    """Page filter over allowed_actions: the table lets a flag change in any state it lists
    (so a flag can be cleared after a story left view), but the page offers flags on a
    published story only, and only the way that changes the flag (set_flag refuses the other
    as already so)."""
    if action not in FLAG_ACTIONS:
        return True
    flag, clears = FLAG_ACTIONS[action]
    return story.status is Status.PUBLISHED and getattr(story, flag) == clears


def _offered(item: Story | Reply, action: str, allowed: set[str]) -> bool:
    if action == "tags":  # adjusted while a story is in review or published
        return item.status in services.REVIEWABLE or item.status is Status.PUBLISHED
    if action == "caring":
        assert isinstance(item, Story)
        return item.crisis_flagged and item.cared_at is None and item.status is not Status.WITHDRAWN
    if action == "ban_poster":
        return bool(item.client_key)
    return action in allowed and (isinstance(item, Reply) or _flag_offered(item, action))


def story_actions(story: Story) -> list[str]:
    """The actions the page offers for a story: the lifecycle's allowed ones (through the flag
    page filter), tags, the caring message and the posting pause."""
    allowed = lifecycle.allowed_actions(story)
    return [a for a in STORY_PAGE_ORDER if _offered(story, a, allowed)]


def reply_actions(reply: Reply) -> list[str]:
    """The actions the page offers for a reply: the lifecycle's allowed ones, and the posting
    pause."""
    allowed = lifecycle.allowed_actions(reply)
    return [a for a in REPLY_PAGE_ORDER if _offered(reply, a, allowed)]


def _forms(table: dict[str, Action], names: list[str], item, failed: dict | None) -> dict:
    """Fresh forms (never filled from this request) except the one that just failed."""
    forms = {}
    for name in names:
        if failed and name in failed:
            forms[name] = failed[name]
        else:
            forms[name] = table[name].build(item, formdata=None)
            forms[name].version.data = item.version
    return forms


def _fields(story: Story, words) -> list[tuple[str, object]]:
    fields = [("Title", story.title), ("Story", story.body)]
    fields += [(PROMPTS.get(a.prompt, a.prompt), a.body) for a in story.answers]
    if story.helped_instead:
        fields.append(("What helped instead", story.helped_instead))
    return [(label, marked(text, find_spans(text, words))) for label, text in fields]


def item_context(kind: str, item: Story | Reply, failed: dict | None = None) -> dict:
    """Everything the story or reply page shows: marked text, why, reports, history, forms."""
    queued = QueueItem(kind, item, WAITING, item.created_at)
    enrich([queued])
    queued.priority = priority_of(item, queued.reports)
    words = all_words()
    if kind == "story":
        assert isinstance(item, Story)
        fields = _fields(item, words)
        table, names = STORY_ACTIONS, story_actions(item)
    else:
        assert isinstance(item, Reply)
        fields = [("Reply", marked(item.body, find_spans(item.body, words)))]
        table, names = REPLY_ACTIONS, reply_actions(item)
    author = item.author
    return {
        "kind": kind,
        "item": item,
        "fields": fields,
        "queued": queued,
        "reports": queued.reports,
        "trail": audit_trail(item),
        "record": queued.record,
        "history": people.history(author, limit=20) if author else [],
        "redaction": receipts.pending_redaction(item) if isinstance(item, Story) else None,
        "forms": _forms(table, names, item, failed),
        "labels": {name: table[name].label for name in names},
        "caring_message": services.CARING_MESSAGE,
        "title": "Review a story" if kind == "story" else "Review a reply",
    }
