"""The moderators' queue: crisis first, then "at risk" reports, then reported, then oldest.

The page runs a fixed number of queries whatever the queue's size: one count, one query per
item type (tags eager-loaded), one for their open reports, a few for the tellers' records
and one for the watched words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.db import db, utcnow
from forum.governance.watched_words import all_words
from forum.moderation import people
from forum.moderation.highlight import Span, excerpts, find_spans
from forum.moderation.models import Report, ReportReason
from forum.moderation.reports import open_reports
from forum.moderation.services import target_key
from forum.stories.models import Reply, Status, Story, StoryTag

CRISIS, AT_RISK, REPORTED, WAITING = range(4)
WHY = {
    CRISIS: "Crisis language",
    AT_RISK: "Reported: this person may be at risk",
    REPORTED: "Reported",
    WAITING: "Waiting for review",
}


def _open(*conditions):
    return exists().where(Report.resolved_at.is_(None), *conditions)


def _story_reports(*extra):
    return _open(Report.story_id == Story.id, Report.reply_id.is_(None), *extra)


def _reply_reports(*extra):
    return _open(Report.reply_id == Reply.id, *extra)


def _story_in_queue():
    return or_(
        Story.status == Status.PENDING,
        and_(Story.status == Status.REMOVED, Story.hidden_pending_review.is_(True)),
        and_(Story.status == Status.PUBLISHED, _story_reports()),
    )


def _reply_in_queue():
    live_story = exists().where(Story.id == Reply.story_id, Story.status == Status.PUBLISHED)
    return or_(
        and_(Reply.status == Status.PENDING, live_story),
        and_(Reply.status == Status.PUBLISHED, Reply.awaiting_review.is_(True)),
        and_(Reply.status == Status.REMOVED, Reply.hidden_pending_review.is_(True)),
        and_(Reply.status == Status.PUBLISHED, _reply_reports()),
    )


def _priority(model, reports):
    at_risk = reports(Report.reason == ReportReason.AT_RISK)
    return case(
        (model.crisis_flagged.is_(True), CRISIS),
        (at_risk, AT_RISK),
        (or_(reports(), model.hidden_pending_review.is_(True)), REPORTED),
        else_=WAITING,
    )


def queue_count() -> int:
    """How many items wait for a moderator, in one query (the header's number)."""
    stories = select(func.count(Story.id)).where(_story_in_queue()).scalar_subquery()
    replies = select(func.count(Reply.id)).where(_reply_in_queue()).scalar_subquery()
    return db.session.scalar(select(stories + replies)) or 0


@dataclass
class QueueItem:
    """One item in the queue and why it is there."""

    kind: str
    item: Story | Reply
    priority: int
    since: datetime
    reports: list[Report] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    excerpts: list = field(default_factory=list)
    record: people.Record | None = None

    @property
    def why(self) -> list[str]:
        """Plain reasons, most urgent first."""
        reasons = [WHY[self.priority]]
        item = self.item
        if item.hidden_pending_review:
            reasons.append("Hidden after reports, until a moderator looks")
        if isinstance(item, Reply) and item.awaiting_review and item.status is Status.PUBLISHED:
            reasons.append("Published by a trusted member; needs a look")
        kinds = {s.kind for s in self.spans}
        if "crisis" in kinds and self.priority != CRISIS:
            # Crisis words that are past, denied or about someone else: noted, not first.
            reasons.append("Mentions crisis: in the past, denied or about someone else")
        if "identifier" in kinds:
            reasons.append("May identify someone")
        if "watched" in kinds:
            reasons.append("Watched words")
        if self.reports and self.priority == CRISIS:
            reasons.append("Reported")
        return reasons


def priority_of(item: Story | Reply, reports: list[Report]) -> int:
    """The queue priority of one item, as the queue's SQL computes it."""
    if item.crisis_flagged:
        return CRISIS
    if any(r.reason is ReportReason.AT_RISK for r in reports):
        return AT_RISK
    if reports or item.hidden_pending_review:
        return REPORTED
    return WAITING


def item_text(item: Story | Reply) -> str:
    """The text moderators read: a story's title, body, answers and "what helped"."""
    if isinstance(item, Reply):
        return item.body
    parts = [item.title, item.body, *(a.body for a in item.answers), item.helped_instead]
    return "\n\n".join(p for p in parts if p)


def load_queue(limit: int = 50) -> tuple[list[QueueItem], int]:
    """The first `limit` items of the queue in order, and the queue's full size."""
    story_priority = _priority(Story, _story_reports)
    reply_priority = _priority(Reply, _reply_reports)
    stories = db.session.execute(
        select(Story, story_priority)
        .where(_story_in_queue())
        .options(
            selectinload(Story.story_tags).joinedload(StoryTag.tag),
            selectinload(Story.answers),
        )
        .order_by(story_priority, Story.submitted_at, Story.id)
        .limit(limit)
    ).all()
    replies = db.session.execute(
        select(Reply, reply_priority)
        .where(_reply_in_queue())
        .options(joinedload(Reply.story))
        .order_by(reply_priority, Reply.created_at, Reply.id)
        .limit(limit)
    ).all()
    items = [QueueItem("story", s, p, s.submitted_at) for s, p in stories]
    items += [QueueItem("reply", r, p, r.created_at) for r, p in replies]
    items.sort(key=lambda q: (q.priority, q.since, q.kind, q.item.id))
    items = items[:limit]
    enrich(items)
    return items, queue_count()


def enrich(items: list[QueueItem], context: int = 60) -> None:
    """Add reports, highlighted excerpts and tellers' records to queue items (fixed queries)."""
    reports = open_reports([target_key(q.item) for q in items])
    authors = {q.item.author_id for q in items if q.item.author_id is not None}
    records = people.records(authors)
    words = all_words()
    for q in items:
        q.reports = reports.get(target_key(q.item), [])
        text = item_text(q.item)
        q.spans = find_spans(text, words)
        q.excerpts = excerpts(text, q.spans, context=context)
        q.record = records.get(q.item.author_id)  # type: ignore[arg-type]  # .get(None) is None


def waited_for(since: datetime, now: datetime | None = None) -> str:
    """How long since `since`, in words a moderator reads at a glance: "2 days 3 hours"."""
    now = now or utcnow()
    minutes = max(int((now - since).total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def unit(count: int, name: str) -> str:
        return f"{count} {name}{'' if count == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute") if minutes else "less than a minute"
