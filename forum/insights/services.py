"""What published stories add up to: every insights table, in a fixed number of queries.

The counts come from aggregate queries over published stories only (nothing is counted story
by story in Python), and every figure passes the small-number rule of
forum/insights/suppression.py before anyone sees it: the page, the CSV files and the API all
take their tables from `insights()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import distinct, extract, func, select

from forum.db import db, utcnow
from forum.insights.research import (
    BESIDE_HARM_TAGS,
    BESIDE_PROBLEM_KINDS,
    ResearchFigure,
)
from forum.insights.suppression import (
    Rule,
    publish_overlapping,
    publish_partition,
    publish_total,
    share,
)
from forum.stories.content import FORMAT_LABELS, IMPACT_LABELS, SETTING_LABELS
from forum.stories.models import Status, Story, StoryKind, StoryTag
from forum.taxonomy.models import Tag, TagKind
from forum.taxonomy.services import list_groups_with_tags, list_practice_tags, list_problem_kinds

NOT_GIVEN = "not-given"
NOT_RATED = "not-rated"


@dataclass(frozen=True)
class Column:
    """One column of counts in a table."""

    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """One row: its counts (None where hidden), each count's share of the row's base."""

    key: str
    label: str
    counts: tuple[int | None, ...]
    shares: tuple[int | None, ...]
    base: int | None = None
    group: str = ""
    research: tuple[ResearchFigure, ...] = ()

    @property
    def count(self) -> int | None:
        """The single count of a one-column table."""
        return self.counts[0]

    @property
    def share(self) -> int | None:
        """The single share of a one-column table."""
        return self.shares[0]


@dataclass(frozen=True)
class Table:
    """One insights table, as published: every figure already suppressed and rounded."""

    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: int | None
    adds_up: bool
    share_of: str = "of all published stories"
    row_heading: str = "Category"


@dataclass(frozen=True)
class Insights:
    """Every table, the rule they were published under, and the total they share."""

    rule: Rule
    total: int | None
    tables: tuple[Table, ...] = field(default=())

    def table(self, slug: str) -> Table:
        """One table by its slug (KeyError if there is none)."""
        for table in self.tables:
            if table.slug == slug:
                return table
        raise KeyError(slug)


STORIES = (Column("stories", "Stories"),)
IMPACT_COLUMNS = (
    *(Column(str(n), label) for n, label in IMPACT_LABELS.items()),
    Column(NOT_RATED, "Not rated"),
)


def current_rule() -> Rule:
    """The rule from the settings (FORUM_INSIGHTS_THRESHOLD, FORUM_INSIGHTS_ROUND_TO)."""
    config = current_app.config
    return Rule(
        threshold=max(int(config["INSIGHTS_THRESHOLD"]), 1),
        round_to=max(int(config["INSIGHTS_ROUND_TO"]), 1),
    )


def _published(query):
    return query.where(Story.status == Status.PUBLISHED)


def _grouped(column) -> dict:
    """Published stories counted by one column of stories (None for not given), one query."""
    rows = db.session.execute(_published(select(column, func.count(Story.id))).group_by(column))
    return {value: count for value, count in rows}


def _one_way(
    slug,
    title,
    description,
    keyed,
    total,
    rule,
    adds_up,
    research=None,
    groups=None,
    heading="Category",
):
    """A one-column table from (key, label, true count) triples."""
    counts = [count for _, _, count in keyed]
    publish = publish_partition if adds_up else publish_overlapping
    shown = publish(counts, total, rule)
    base = publish_total(total, rule)
    rows = tuple(
        Row(
            key=key,
            label=label,
            counts=(value,),
            shares=(share(value, base),),
            base=base,
            group=(groups or {}).get(key, ""),
            research=(research or {}).get(key, ()),
        )
        for (key, label, _), value in zip(keyed, shown, strict=True)
    )
    return Table(slug, title, description, STORIES, rows, base, adds_up, row_heading=heading)


def _with_not_given(labels: dict, counts: dict) -> list[tuple[str, str, int]]:
    keyed = [(str(key), label, counts.get(key, 0)) for key, label in labels.items()]
    return [*keyed, (NOT_GIVEN, "Not given", counts.get(None, 0))]


def _periods(by_month: dict[tuple[int, int], int], rule: Rule) -> tuple[str, list]:
    """Month rows from the first month to the last; quarters when any month is small."""
    if not by_month:
        return "month", []
    months = sorted(by_month)
    (year, month), last = months[0], months[-1]
    span = []
    while (year, month) <= last:
        span.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not any(rule.is_small(by_month.get(m, 0)) for m in span):
        return "month", [(f"{y}-{m:02d}", f"{y}-{m:02d}", by_month.get((y, m), 0)) for y, m in span]
    quarters: dict[tuple[int, int], int] = {}
    for y, m in span:
        key = (y, (m - 1) // 3 + 1)
        quarters[key] = quarters.get(key, 0) + by_month.get((y, m), 0)
    return "quarter", [(f"{y}-Q{q}", f"{y} Q{q}", n) for (y, q), n in sorted(quarters.items())]


def _tag_counts() -> dict[int, dict[int | None, int]]:
    """Per tag id, published stories by impact rating (None: not rated), one query."""
    rows = db.session.execute(
        _published(
            select(StoryTag.tag_id, StoryTag.impact, func.count(StoryTag.story_id)).join(
                Story, Story.id == StoryTag.story_id
            )
        ).group_by(StoryTag.tag_id, StoryTag.impact)
    )
    found: dict[int, dict[int | None, int]] = {}
    for tag_id, impact, count in rows:
        found.setdefault(tag_id, {})[impact] = count
    return found


def _group_counts() -> dict[int, int]:
    """Per harm group id, published stories carrying any of its tags, one query."""
    rows = db.session.execute(
        _published(
            select(Tag.group_id, func.count(distinct(StoryTag.story_id)))
            .join(StoryTag, StoryTag.tag_id == Tag.id)
            .join(Story, Story.id == StoryTag.story_id)
        )
        .where(Tag.kind == TagKind.HARM)
        .group_by(Tag.group_id)
    )
    return {group_id: count for group_id, count in rows}


def _month_counts() -> dict[tuple[int, int], int]:
    """Published stories by year and month of publication, up to the end of last month.

    The month under way is left out until it ends: early in a month it would always be
    small, turning the whole series into quarters, and each story published would show in it
    as soon as it appeared.
    """
    year = extract("year", Story.published_at)
    month = extract("month", Story.published_at)
    this_month = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = db.session.execute(
        _published(select(year, month, func.count(Story.id)))
        .where(Story.published_at < this_month)
        .group_by(year, month)
    )
    return {(int(y), int(m)): count for y, m, count in rows if y is not None}


def _impact_table(harm: Table, harm_tags, tag_counts, rule: Rule) -> Table:
    """Each harm tag's stories split by the 0–4 impact rating; each row adds up to the tag."""
    levels = [*IMPACT_LABELS, None]
    rows = []
    for tag, harm_row in zip(harm_tags, harm.rows, strict=True):
        shown = harm_row.count
        by_level = tag_counts.get(tag.id, {})
        counts = [by_level.get(level, 0) for level in levels]
        tag_total = sum(counts)
        published: list[int | None]
        base: int | None
        if shown is None:
            published, base = [None] * len(levels), None
        elif tag_total == 0:  # no story carries the tag, as the harm-tag table already says
            published, base = [0] * len(levels), 0
        else:
            published = publish_partition(counts, tag_total, rule, dominance=True)
            base = publish_total(tag_total, rule)
        rows.append(
            Row(
                key=tag.slug,
                label=tag.name,
                counts=tuple(published),
                shares=tuple(share(v, base) for v in published),
                base=base,
                group=harm_row.group,
            )
        )
    return Table(
        "impact",
        "How much each harm affected the teller",
        "Tellers may rate from 0 (not at all) to 4 (extremely) how much each harm they tag "
        "affected them. Each row is the stories carrying that tag, split by the rating given.",
        IMPACT_COLUMNS,
        tuple(rows),
        None,
        adds_up=True,
        share_of="of the stories carrying that tag",
    )


def insights() -> Insights:
    """Every insights table from the live data, published under the current rule."""
    rule = current_rule()
    by_kind = _grouped(Story.kind)
    total = sum(by_kind.values())
    groups = list_groups_with_tags(include_retired=True)
    harm_tags = [tag for listing in groups for tag in listing.tags]
    practice_tags = list_practice_tags(include_retired=True)
    problem_kinds = list_problem_kinds()
    tag_counts = _tag_counts()
    group_counts = _group_counts()

    def tag_total(tag) -> int:
        return sum(tag_counts.get(tag.id, {}).values())

    harm_keyed = [(t.slug, t.name, tag_total(t)) for t in harm_tags]
    harm = _one_way(
        "harm-tags",
        "Harm tags",
        "Published stories carrying each harm tag. A story can carry several tags, so the "
        "rows do not add up to the total.",
        harm_keyed,
        total,
        rule,
        adds_up=False,
        research=BESIDE_HARM_TAGS,
        heading="Harm tag",
        groups={t.slug: listing.group.name for listing in groups for t in listing.tags},
    )
    problem_counts = _grouped(Story.problem_kind_id)
    slugs = {k.id: k.slug for k in problem_kinds}
    settings = _grouped(Story.setting)
    formats = _grouped(Story.format)
    by_month = _month_counts()
    period, period_rows = _periods(by_month, rule)
    tables = (
        _one_way(
            "thread-types",
            "Thread types",
            "Published stories by thread type: “What happened” or “What helped”.",
            [(k.value, k.label, by_kind.get(k, 0)) for k in StoryKind],
            total,
            rule,
            adds_up=True,
            heading="Thread type",
        ),
        _one_way(
            "harm-groups",
            "Harm groups",
            "Published stories carrying at least one harm tag of each group.",
            [(g.group.slug, g.group.name, group_counts.get(g.group.id, 0)) for g in groups],
            total,
            rule,
            adds_up=False,
            heading="Group",
        ),
        harm,
        _impact_table(harm, harm_tags, tag_counts, rule),
        _one_way(
            "practice-tags",
            "What helped instead",
            "Published stories carrying each community-practice tag. A story can carry "
            "several, so the rows do not add up to the total.",
            [(t.slug, t.name, tag_total(t)) for t in practice_tags],
            total,
            rule,
            adds_up=False,
            heading="Practice tag",
        ),
        _one_way(
            "settings",
            "Where the therapy happened",
            "Published stories by setting, as the teller gave it.",
            _with_not_given(SETTING_LABELS, settings),
            total,
            rule,
            adds_up=True,
            heading="Setting",
        ),
        _one_way(
            "formats",
            "Who was in the room",
            "Published stories by format, as the teller gave it.",
            _with_not_given(FORMAT_LABELS, formats),
            total,
            rule,
            adds_up=True,
            heading="Format",
        ),
        _one_way(
            "problem-kinds",
            "What kind of problem",
            "Published stories by the kind of problem the teller chose (INEP, Linden 2013).",
            _with_not_given(
                {k.slug: k.name for k in problem_kinds},
                {slugs.get(i): n for i, n in problem_counts.items()},
            ),
            total,
            rule,
            adds_up=True,
            heading="Kind of problem",
            research=BESIDE_PROBLEM_KINDS,
        ),
        _one_way(
            "over-time",
            f"Stories published by {period}",
            f"Published stories by the {period} they were published in, up to the end of last "
            "month"
            + ("; by quarter because some months had few stories." if period == "quarter" else "."),
            period_rows,
            sum(by_month.values()),
            rule,
            adds_up=True,
            heading="Period",
        ),
    )
    return Insights(rule=rule, total=publish_total(total, rule), tables=tables)
