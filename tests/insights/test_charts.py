"""Chart geometry: bars scale to the largest count; hidden figures draw no bar."""

from __future__ import annotations

from forum.insights.charts import WIDTH, bar_chart, stacked_chart
from forum.insights.services import IMPACT_COLUMNS, STORIES, Row, Table


def _table(rows, columns=STORIES) -> Table:
    return Table("t", "T", "D", columns, tuple(rows), 100, adds_up=False)


def test_bars_scale_to_the_largest_and_hidden_rows_have_none():
    """The largest count fills the room; half of it half; a hidden one has no bar."""
    rows = [Row("a", "A", (40,), (40,)), Row("b", "B", (20,), (20,))]
    rows.append(Row("c", "C", (None,), (None,)))
    chart = bar_chart(_table(rows), "not shown")
    a, b, c = chart.bars
    assert a.width == 2 * b.width and a.width <= WIDTH
    assert c.width == 0 and c.text == "not shown"
    assert a.text == "40 (40%)"


def test_stacked_rows_split_by_rating_unless_a_rating_is_hidden():
    """A fully shown row is split in proportion; a row with a hidden rating is a note."""
    full = Row("a", "A", (0, 20, 0, 15, 0, 0), (0, 57, 0, 43, 0, 0), base=35)
    partly = Row("b", "B", (None, 20, None, None, None, None), (None,) * 6, base=40)
    hidden = Row("c", "C", (None,) * 6, (None,) * 6, base=None)
    chart = stacked_chart(_table([full, partly, hidden], IMPACT_COLUMNS), "not shown")
    first, second, third = chart.bars
    assert [s.level for s in first.segments] == [1, 3]
    assert first.segments[0].width > first.segments[1].width
    assert first.segments[1].x == first.segments[0].width
    assert second.segments == () and "ratings not shown" in second.text
    assert third.segments == () and third.text == "not shown"
    assert len(chart.legend) == 6
