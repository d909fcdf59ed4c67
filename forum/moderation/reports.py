"""Readers' reports on stories and replies, and hiding an item after enough of them.

An item with REPORTS_TO_HIDE open reports from different people is hidden (status REMOVED,
`hidden_pending_review`) until a moderator restores or removes it. "This person may be at
risk" reports never hide anything — they are about the writer's safety, not the words — but
put the item at the top of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.db import db
from forum.errors import Invalid, NotFound
from forum.moderation.models import Report, ReportReason
from forum.moderation.services import target_key
from forum.safety.sanitize import clean_text
from forum.stories import lifecycle
from forum.stories.models import Reply, Status, Story

DETAIL_LENGTH = 1000


@dataclass(frozen=True)
class Filed:
    """What happened to a report: whether the item is now hidden, and if it was "at risk"."""

    at_risk: bool
    hidden: bool


def reportable(kind: str, item_id: int) -> Story | Reply:
    """Only what readers can see can be reported; anything else is NotFound (fails closed)."""
    model = {"story": Story, "reply": Reply}.get(kind)
    item = db.session.get(model, item_id) if model and isinstance(item_id, int) else None
    if item is None or item.status is not Status.PUBLISHED:  # type: ignore[attr-defined]
        raise NotFound("Not found.")
    if isinstance(item, Reply) and (item.story is None or not item.story.is_published):
        raise NotFound("Not found.")
    return item  # type: ignore[return-value]  # session.get of a Story-or-Reply class


def file_report(
    reporter: User | None, reporter_key: str, kind: str, item_id: int, reason: str, detail: str = ""
) -> Filed:
    """Record one person's report; a second report from the same person changes nothing."""
    item = reportable(kind, item_id)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise Invalid("Choose why you are reporting this", field="reason") from None
    detail = clean_text(detail if isinstance(detail, str) else "")
    if len(detail) > DETAIL_LENGTH:
        raise Invalid(f"Details must be {DETAIL_LENGTH} characters or fewer", field="detail")
    if reason is ReportReason.OTHER and not detail:
        raise Invalid("Tell us what is wrong", field="detail")
    key = f"u:{reporter.id}" if reporter is not None else reporter_key
    if not key:
        raise Invalid("Choose why you are reporting this", field="reason")
    target = target_key(item)
    at_risk = reason is ReportReason.AT_RISK
    known = db.session.scalar(
        select(Report.id).where(Report.target == target, Report.reporter_key == key)
    )
    if known is not None:
        return Filed(at_risk=at_risk, hidden=item.status is not Status.PUBLISHED)
    story_id = item.id if isinstance(item, Story) else item.story_id
    db.session.add(
        Report(
            target=target,
            story_id=story_id,
            reply_id=item.id if isinstance(item, Reply) else None,
            reason=reason,
            detail=detail,
            reporter_key=key,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same person, twice at once
        db.session.rollback()
        return Filed(at_risk=at_risk, hidden=False)
    hidden = _hide_if_reported_enough(item)
    db.session.commit()
    return Filed(at_risk=at_risk, hidden=hidden)


def _hide_if_reported_enough(item: Story | Reply) -> bool:
    """Hide the item pending review when it has enough open reports; re-checked as it runs."""
    threshold = current_app.config["REPORTS_TO_HIDE"]
    count = db.session.scalar(
        select(func.count(Report.id)).where(
            Report.target == target_key(item),
            Report.resolved_at.is_(None),
            Report.reason != ReportReason.AT_RISK,
        )
    )
    # Re-check the item's state now: a moderator may have acted since the report came in.
    if threshold < 1 or count < threshold:
        return False
    return lifecycle.auto_hide(item, f"Hidden after {count} reports, until a moderator looks")


def open_reports(targets: list[str]) -> dict[str, list[Report]]:
    """Open reports for several items ("story:1", "reply:2"), in one query, oldest first."""
    if not targets:
        return {}
    found: dict[str, list[Report]] = {}
    for report in db.session.scalars(
        select(Report)
        .where(Report.target.in_(targets), Report.resolved_at.is_(None))
        .order_by(Report.id)
    ):
        found.setdefault(report.target, []).append(report)
    return found
