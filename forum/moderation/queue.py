"""The moderators' queue: crisis first, then "at risk" reports, then reported, then oldest.

The page runs a fixed number of queries whatever the queue's size: one count, one query per
item type (tags eager-loaded), one for their open reports, a few for the tellers' records
and one for the watched words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.db import db, utcnow
from forum.governance.watched_words import all_words
from forum.moderation import claims, people
from forum.moderation.highlight import Span, excerpts, find_spans
from forum.moderation.models import QueueClaim, Report, ReportReason
from forum.moderation.paging import QueueCursor, QueueFilters
from forum.moderation.reports import open_reports
from forum.moderation.services import target_key
from forum.stories.models import Reply, Status, Story, StoryTag

CRISIS, AT_RISK, REPORTED, WAITING = range(4)
REASONS = {"crisis": CRISIS, "at-risk": AT_RISK, "reported": REPORTED, "waiting": WAITING}
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


def _since(model):
    return Story.submitted_at if model is Story else Reply.created_at


def _filtered(model, filters: QueueFilters, now: datetime) -> list:
    """The WHERE terms of one item type's part of the queue, with the filters chosen."""
    terms = [_story_in_queue() if model is Story else _reply_in_queue()]
    if filters.reason is not None:
        reports = _story_reports if model is Story else _reply_reports
        terms.append(_priority(model, reports) == filters.reason)
    if filters.older_than_days:
        terms.append(_since(model) <= now - timedelta(days=filters.older_than_days))
    return terms


def queue_count(filters: QueueFilters | None = None) -> int:
    """How many items wait for a moderator (matching the filters), in one query."""
    filters, now = filters or QueueFilters(), utcnow()
    parts = [
        select(func.count(model.id)).where(*_filtered(model, filters, now)).scalar_subquery()
        for model, kind in ((Story, "story"), (Reply, "reply"))
        if filters.kind in (None, kind)
    ]
    return db.session.scalar(select(parts[0] + parts[1] if len(parts) == 2 else parts[0])) or 0


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
    claim: QueueClaim | None = None

    @property
    def key(self) -> QueueCursor:
        """Where this item stands in the queue's order, for paging."""
        return QueueCursor(self.priority, self.since, self.kind, self.item.id)

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


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its items, the count matching the filters, and the cursors of
    the next and previous pages (None when there is none)."""

    items: list[QueueItem]
    total: int
    next: QueueCursor | None
    previous: QueueCursor | None


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
    page = queue_page(QueueFilters(), limit)
    return page.items, page.total


def _part(model, kind: str, filters: QueueFilters, cursor, backwards: bool, limit: int, now):
    """Up to `limit` items of one type, in queue order from the cursor (or the start)."""
    reports = _story_reports if model is Story else _reply_reports
    priority, since = _priority(model, reports), _since(model)
    terms = _filtered(model, filters, now)
    if cursor is not None:
        terms.append(cursor.beyond(priority, since, model.id, kind, backwards))
    order = [priority, since, model.id]
    options = (
        [selectinload(Story.story_tags).joinedload(StoryTag.tag), selectinload(Story.answers)]
        if model is Story
        else [joinedload(Reply.story)]
    )
    rows = db.session.execute(
        select(model, priority)
        .where(*terms)
        .options(*options)
        .order_by(*[o.desc() if backwards else o for o in order])
        .limit(limit)
    ).all()
    return [QueueItem(kind, item, p, getattr(item, since.key)) for item, p in rows]


def queue_page(
    filters: QueueFilters,
    limit: int = 50,
    after: QueueCursor | None = None,
    before: QueueCursor | None = None,
) -> QueuePage:
    """One page of the queue in order, after or before a cursor (keyset paging: stable while
    items arrive or leave), with the filters applied. A fixed number of queries: one per item
    type, the count, and `enrich`'s."""
    now, backwards = utcnow(), before is not None and after is None
    cursor = before if backwards else after
    items: list[QueueItem] = []
    for model, kind in ((Story, "story"), (Reply, "reply")):
        if filters.kind in (None, kind):
            items += _part(model, kind, filters, cursor, backwards, limit + 1, now)
    items.sort(key=lambda q: q.key.order, reverse=backwards)
    more = len(items) > limit
    items = items[:limit]
    if backwards:
        items.reverse()
        if not more:  # back at the start: show the first page, whole
            return queue_page(filters, limit)
    enrich(items)
    has_next, has_previous = (True, more) if backwards else (more, cursor is not None)
    return QueuePage(
        items=items,
        total=queue_count(filters),
        next=items[-1].key if items and has_next else None,
        previous=items[0].key if items and has_previous else None,
    )


def enrich(items: list[QueueItem], context: int = 60) -> None:
    """Add reports, highlighted excerpts and tellers' records to queue items (fixed queries)."""
    reports = open_reports([target_key(q.item) for q in items])
    authors = {q.item.author_id for q in items if q.item.author_id is not None}
    records = people.records(authors)
    words = all_words()
    claimed = claims.running([(q.kind, q.item.id) for q in items])
    for q in items:
        q.reports = reports.get(target_key(q.item), [])
        text = item_text(q.item)
        q.spans = find_spans(text, words)
        q.excerpts = excerpts(text, q.spans, context=context)
        q.record = records.get(q.item.author_id)  # type: ignore[arg-type]  # .get(None) is None
        q.claim = claimed.get((q.kind, q.item.id))


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
