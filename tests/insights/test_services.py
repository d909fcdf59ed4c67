"""The insights tables from stored stories, on both engines: what is counted, what is hidden,
how many queries, and that one story's tags and ratings cannot be read off the figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from forum.db import db, utcnow
from forum.insights.services import insights
from forum.stories.models import Format, Setting, Status
from tests.factories import load_tags
from tests.insights.data import add_many, add_story

# BEGIN (SQLite), thread types, groups, harm tags, practice tags, problem kinds, tag counts,
# group counts, problem-kind counts, settings, formats, months: measured and pinned.
QUERY_CEILING = 12


@pytest.fixture
def loaded(ctx):
    """The taxonomy, in an app context."""
    load_tags()
    return ctx


def _figures(result) -> dict[tuple[str, str, str], int | None]:
    """Every published count, keyed by table, row and column."""
    return {
        (table.slug, row.key, column.key): value
        for table in result.tables
        for row in table.rows
        for column, value in zip(table.columns, row.counts, strict=True)
    }


def test_only_published_stories_are_counted(loaded):
    """Pending, withdrawn, rejected, removed and report-hidden stories add nothing."""
    add_many(20, harm=["not-heard"])
    for status in (Status.PENDING, Status.WITHDRAWN, Status.REJECTED, Status.REMOVED):
        add_many(10, harm=["not-heard"], status=status)
    add_many(10, harm=["not-heard"], status=Status.REMOVED, hidden_pending_review=True)
    result = insights()
    assert result.total == 20
    assert _figures(result)[("harm-tags", "not-heard", "stories")] == 20


def test_small_counts_are_hidden_and_shares_come_from_rounded_figures(loaded):
    """Three stories in a setting are hidden, and so is the next smallest setting with them;
    shown counts are rounded to five and shares use the rounded numbers."""
    add_many(40, harm=["not-heard"], setting=Setting.PRIVATE)
    add_many(13, harm=["got-worse"], setting=Setting.PUBLIC)
    add_many(3, harm=["got-worse"], setting=Setting.INPATIENT)
    settings = insights().table("settings")
    by_key = {row.key: row for row in settings.rows}
    assert by_key["private"].count == 40
    assert by_key["inpatient"].count is None
    assert by_key["public-health"].count is None  # the complement
    assert by_key["not-given"].count == 0
    assert settings.total == 55  # 56 rounded
    assert by_key["private"].share == round(100 * 40 / 55)


def test_a_small_total_shows_nothing_at_all(loaded):
    """Nine published stories: every table is hidden, total included."""
    add_many(9, harm=["not-heard"], setting=Setting.PRIVATE)
    result = insights()
    assert result.total is None
    assert all(value is None for value in _figures(result).values())


def test_impact_rows_add_up_to_the_tag_and_hide_a_lone_rating(loaded):
    """Thirty stories rate a tag 2 and one rates it 4: the lone 4 is hidden along with the
    2s, so nobody can subtract their way to the one teller's rating; the zeros go too, so
    the row does not say every teller chose 2 or 4."""
    add_many(30, harm=["not-heard"], impacts={"not-heard": 2})
    add_story(harm=["not-heard"], impacts={"not-heard": 4})
    row = next(r for r in insights().table("impact").rows if r.key == "not-heard")
    assert row.base == 30
    assert row.counts == (None,) * 6


def test_a_row_with_nothing_hidden_shows_its_zeros(loaded):
    """Twenty rate a tag 1 and fifteen rate it 3: both shown, rounded, and zeros shown."""
    add_many(20, harm=["no-say"], impacts={"no-say": 1})
    add_many(15, harm=["no-say"], impacts={"no-say": 3})
    row = next(r for r in insights().table("impact").rows if r.key == "no-say")
    assert row.counts == (0, 20, 0, 15, 0, 0)
    assert row.shares == (0, 57, 0, 43, 0, 0)


def test_a_tag_nobody_chose_shows_zeros_not_a_hidden_row(loaded):
    """The harm-tag table already says no story carries it: its ratings are zeros."""
    add_many(12, harm=["not-heard"])
    row = next(r for r in insights().table("impact").rows if r.key == "dependency")
    assert row.base == 0 and row.counts == (0,) * 6


def test_everyone_giving_one_rating_hides_the_row(loaded):
    """Fifteen stories of a tag, all rated 3: the row would tell each teller's rating."""
    add_many(15, harm=["got-worse"], impacts={"got-worse": 3})
    row = next(r for r in insights().table("impact").rows if r.key == "got-worse")
    assert row.counts == (None,) * 6


def test_months_turn_into_quarters_when_a_month_is_small(loaded):
    """Twelve stories in January and three in February: shown by quarter, not by month."""
    add_many(12, harm=["not-heard"], published_at=datetime(2026, 1, 10, tzinfo=UTC))
    add_many(3, harm=["not-heard"], published_at=datetime(2026, 2, 10, tzinfo=UTC))
    add_many(20, harm=["not-heard"], published_at=datetime(2026, 4, 10, tzinfo=UTC))
    table = insights().table("over-time")
    assert [(r.key, r.count) for r in table.rows] == [("2026-Q1", 15), ("2026-Q2", 20)]
    assert "quarter" in table.title


def test_months_stay_months_when_none_is_small(loaded):
    """Every month with ten or more (or none): month by month, empty months included."""
    add_many(10, harm=["not-heard"], published_at=datetime(2026, 1, 10, tzinfo=UTC))
    add_many(11, harm=["not-heard"], published_at=datetime(2026, 3, 10, tzinfo=UTC))
    rows = insights().table("over-time").rows
    assert [(r.key, r.count) for r in rows] == [("2026-01", 10), ("2026-02", 0), ("2026-03", 10)]


def test_the_month_under_way_waits_until_it_ends(loaded):
    """Stories published this month count in every table but the series, which ends with
    last month; the series adds up to its own total."""
    add_many(12, harm=["not-heard"], published_at=datetime(2026, 1, 10, tzinfo=UTC))
    add_many(3, harm=["not-heard"], published_at=utcnow())
    result = insights()
    table = result.table("over-time")
    assert result.total == 15
    assert table.rows[0].key == "2026-01" and table.rows[0].count == 10
    assert table.total == 10
    this_month = utcnow().strftime("%Y-%m")
    assert all(row.key != this_month for row in table.rows)


def test_research_figures_sit_beside_their_rows(loaded):
    """The checked NEQ figure sits beside memories-stirred, Gerke et al. beside misconduct."""
    add_many(10, harm=["memories-stirred"], problem_kind="misconduct")
    result = insights()
    memories = next(r for r in result.table("harm-tags").rows if r.key == "memories-stirred")
    assert [f.percent for f in memories.research] == [38.4]
    misconduct = next(r for r in result.table("problem-kinds").rows if r.key == "misconduct")
    assert {f.percent for f in misconduct.research} == {28.8, 7.1}
    assert misconduct.count == 10


def _mixed_dataset() -> None:
    """Sixty stories over several tags, settings, formats, kinds, ratings and months."""
    harms = ["not-heard", "invalidated", "got-worse", "memories-stirred", "no-say"]
    settings = [Setting.PRIVATE, Setting.PUBLIC, Setting.ONLINE, None]
    formats = [Format.INDIVIDUAL, Format.GROUP, None]
    kinds = ["side-effect", "poor-quality", "misconduct", None]
    for n in range(60):
        add_story(
            harm=[harms[n % 5], harms[(n + 2) % 5]],
            practice=["nature"] if n % 3 == 0 else [],
            impacts={harms[n % 5]: n % 5},
            setting=settings[n % 4],
            format=formats[n % 3],
            problem_kind=kinds[n % 4],
            published_at=datetime(2026, 1 + n % 6, 5, tzinfo=UTC),
        )


@pytest.mark.parametrize(
    "extra",
    [
        {"harm": ["not-heard"], "setting": Setting.INPATIENT, "impacts": {"not-heard": 4}},
        {"harm": ["got-worse", "no-say"], "format": Format.COUPLES, "problem_kind": "misconduct"},
        {"harm": ["memories-stirred"], "practice": ["nature"], "setting": Setting.PRIVATE},
    ],
)
def test_adding_one_story_never_moves_a_published_figure_by_exactly_one(loaded, extra):
    """Compare every figure before and after one story is published: none moves by that
    story's contribution of one, so two snapshots do not tell what the story carried."""
    _mixed_dataset()
    before = _figures(insights())
    add_story(published_at=datetime(2026, 3, 20, tzinfo=UTC), **extra)
    after = _figures(insights())
    assert before.keys() == after.keys()
    for key, old in before.items():
        new = after[key]
        if old is not None and new is not None:
            assert abs(new - old) != 1, key
            assert (new - old) % 5 == 0, key
    assert any(v is not None for v in after.values())


def test_the_tables_take_a_fixed_number_of_queries(loaded, app):
    """The same number of statements for 15 stories as for 120, under the pinned ceiling."""

    def count() -> int:
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            insights()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    add_many(15, harm=["not-heard"], practice=["nature"])
    few = count()
    _mixed_dataset()
    _mixed_dataset()
    assert count() == few <= QUERY_CEILING
