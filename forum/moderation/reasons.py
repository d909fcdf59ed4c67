"""Reason templates: ready-made reasons for common actions, which admins edit.

Until an admin saves a list, the suggested reasons below are offered. Reasons appear in the
public log (for public actions) and to the teller, so they never repeat what was removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid, NotFound
from forum.governance.audit import audit
from forum.governance.permissions import require_admin
from forum.moderation.models import ReasonTemplate
from forum.safety.sanitize import clean_text

ACTIONS = {
    "approve": "Approve",
    "request_changes": "Request changes",
    "reject": "Reject",
    "redact": "Edit or redact",
    "hide": "Hide",
    "restore": "Restore",
    "dismiss_reports": "Keep it up (dismiss reports)",
    "flags": "Lock, pin or feature",
    "adjust_tags": "Adjust tags and content notes",
    "sanction": "Warn, suspend or ban",
}

SUGGESTED: dict[str, list[tuple[str, str]]] = {
    "approve": [
        ("Meets the guidelines", "Meets the community guidelines"),
        ("De-identified", "Meets the community guidelines; nothing identifying left"),
    ],
    "request_changes": [
        (
            "Identifying details",
            "Please take out names, places or dates that could identify "
            "you, your therapist or anyone else, then send it again.",
        ),
        (
            "Names a practitioner",
            "Please use a job title (for example “my counsellor”) instead "
            "of your therapist's name, then send it again.",
        ),
    ],
    "reject": [
        ("Not about therapy", "This isn't about an experience of therapy or of what helped."),
        ("Names a practitioner", "It names a practitioner, which we cannot publish."),
        (
            "Method detail",
            "It describes methods of self-harm or suicide in detail, which we "
            "cannot publish for the safety of readers.",
        ),
    ],
    "redact": [
        ("Removed identifying details", "Removed details that could identify someone."),
        ("Replaced a name", "Replaced a practitioner's name with their job title."),
    ],
    "hide": [
        ("Breaks the guidelines", "Breaks the community guidelines."),
        ("Identifies someone", "Could identify someone."),
    ],
    "restore": [("Reviewed and fine", "Reviewed by a moderator: it meets the guidelines.")],
    "dismiss_reports": [("Reviewed and fine", "Reviewed: it meets the guidelines.")],
    "flags": [("Thread needs a pause", "The conversation needs a pause.")],
    "adjust_tags": [("Tags fit better", "Tags adjusted to fit the story.")],
    "sanction": [
        ("Harassment", "Harassing or unkind to other members."),
        ("Repeated identifying posts", "Repeatedly posting details that identify people."),
        ("Spam", "Posting spam or advertising."),
    ],
}


@dataclass(frozen=True)
class Choice:
    """One template as a form offers it."""

    id: str
    label: str
    text: str


def choices_for(action: str) -> list[Choice]:
    """The templates for one action: the admins' list, or the suggestions if none saved."""
    rows = list(
        db.session.scalars(
            select(ReasonTemplate)
            .where(ReasonTemplate.action == action)
            .order_by(ReasonTemplate.position, ReasonTemplate.id)
        )
    )
    if rows:
        return [Choice(str(r.id), r.label, r.text) for r in rows]
    if db.session.scalar(select(ReasonTemplate.id).limit(1)) is not None:
        return []  # admins have saved their own list; this action has none
    suggested = SUGGESTED.get(action, [])
    return [Choice(f"s{i}", label, text) for i, (label, text) in enumerate(suggested)]


def all_templates() -> list[ReasonTemplate]:
    """Every saved template, by action and position."""
    return list(
        db.session.scalars(
            select(ReasonTemplate).order_by(
                ReasonTemplate.action, ReasonTemplate.position, ReasonTemplate.id
            )
        )
    )


def _check(action: str, label: str, text: str) -> tuple[str, str, str]:
    if action not in ACTIONS:
        raise Invalid("Choose an action", field="action")
    label = clean_text(label if isinstance(label, str) else "", single_line=True)
    text = clean_text(text if isinstance(text, str) else "")
    if not 1 <= len(label) <= 80:
        raise Invalid("Enter a short name of up to 80 characters", field="label")
    if not 1 <= len(text) <= 1000:
        raise Invalid("Enter the reason, up to 1000 characters", field="text")
    return action, label, text


def add_template(admin: User, action: str, label: str, text: str) -> ReasonTemplate:
    """Add a template at the end of its action's list."""
    require_admin(admin)
    action, label, text = _check(action, label, text)
    last = db.session.scalar(
        select(func.max(ReasonTemplate.position)).where(ReasonTemplate.action == action)
    )
    template = ReasonTemplate(action=action, label=label, text=text, position=(last or 0) + 1)
    db.session.add(template)
    audit(admin, "add_reason_template", template, label, public=False)
    db.session.commit()
    return template


def update_template(admin: User, template_id: int, label: str, text: str) -> ReasonTemplate:
    """Change a template's name and words."""
    require_admin(admin)
    template = db.session.get(ReasonTemplate, template_id) if isinstance(template_id, int) else None
    if template is None:
        raise NotFound("Template not found.")
    _, template.label, template.text = _check(template.action, label, text)
    audit(admin, "edit_reason_template", template, template.label, public=False)
    db.session.commit()
    return template


def delete_template(admin: User, template_id: int) -> None:
    """Remove a template."""
    require_admin(admin)
    template = db.session.get(ReasonTemplate, template_id) if isinstance(template_id, int) else None
    if template is None:
        raise NotFound("Template not found.")
    audit(admin, "delete_reason_template", template, template.label, public=False)
    db.session.delete(template)
    db.session.commit()


def save_suggestions(admin: User) -> int:
    """Save the suggested reasons as the admins' own list, to edit from there. Idempotent."""
    require_admin(admin)
    if db.session.scalar(select(ReasonTemplate.id).limit(1)) is not None:
        return 0
    count = 0
    for action, pairs in SUGGESTED.items():
        for position, (label, text) in enumerate(pairs):
            db.session.add(ReasonTemplate(action=action, label=label, text=text, position=position))
            count += 1
    db.session.flush()
    audit(admin, "add_reason_template", admin, f"Saved {count} suggested reasons", public=False)
    db.session.commit()
    return count
