"""Keyset paging and filters for the moderators' queue (forum/moderation/queue.py).

The queue's order is (priority, since, kind, id); a cursor is one item's place in it, so a page
"after" or "before" a cursor stays the same while other items arrive or leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

KINDS = ("reply", "story")  # in the queue's order: at equal priority and time, replies first
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class QueueFilters:
    """What a moderator narrowed the queue to; None is "any"."""

    kind: str | None = None  # "story" or "reply"
    reason: int | None = None  # one of the queue's priorities (CRISIS, AT_RISK, ...)
    older_than_days: int | None = None


def _lexically(columns: list, values: list, backwards: bool, inclusive: bool) -> ColumnElement:
    """(columns) after (values) in lexicographic order; before when backwards; or equal too."""
    terms = []
    for i, (column, value) in enumerate(zip(columns, values, strict=True)):
        equal = [c == v for c, v in zip(columns[:i], values[:i], strict=True)]
        terms.append(and_(*equal, column < value if backwards else column > value))
    if inclusive:
        terms.append(and_(*[c == v for c, v in zip(columns, values, strict=True)]))
    return or_(*terms)


@dataclass(frozen=True)
class QueueCursor:
    """One item's place in the queue's order."""

    priority: int
    since: datetime
    kind: str
    id: int

    @property
    def order(self) -> tuple:
        """The sort key, as the queue's SQL orders."""
        return (self.priority, self.since, KINDS.index(self.kind), self.id)

    def encode(self) -> str:
        """The cursor for a URL: digits and dashes only."""
        micros = (self.since - EPOCH) // MICROSECOND  # exact: no float on the way
        return f"{self.priority}-{micros}-{KINDS.index(self.kind)}-{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> QueueCursor | None:
        """A cursor from a URL, or None for anything malformed (the page starts over)."""
        parts = (text or "").split("-")
        if len(parts) != 4 or not all(p.isdigit() and len(p) <= 20 for p in parts):
            return None
        priority, micros, kind, item_id = (int(p) for p in parts)
        if kind >= len(KINDS) or priority > 9 or not 0 < item_id < 2**62:
            return None
        try:
            since = EPOCH + micros * MICROSECOND
        except OverflowError:
            return None
        return cls(priority, since, KINDS[kind], item_id)

    def beyond(self, priority, since, item_id, kind: str, backwards: bool) -> ColumnElement:
        """The SQL condition for one item type's rows after (or before) this cursor."""
        if kind == self.kind:
            values = [self.priority, self.since, self.id]
            return _lexically([priority, since, item_id], values, backwards, inclusive=False)
        # Another type: at equal (priority, since), the kind decides which side a row is on.
        later_kind = KINDS.index(kind) > KINDS.index(self.kind)
        inclusive = later_kind != backwards
        return _lexically([priority, since], [self.priority, self.since], backwards, inclusive)
