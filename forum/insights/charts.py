"""Where each bar of a server-drawn chart goes: plain geometry for templates/insights/_chart.svg.

Heard draws its few bar charts with an SVG template rather than a charting library: the
charts are horizontal bars with labels, which take thirty lines, need no script and no
inline styles (the CSP allows neither), and take their colours from the page's CSS, so dark
mode and high contrast come for free.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.insights.services import Table

WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + 12
VALUE_ROOM = 90


@dataclass(frozen=True)
class Bar:
    """One labelled bar; a hidden count has no bar, and says so."""

    label: str
    text: str
    label_y: int
    bar_y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A chart's size and bars."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    bar_height: int = BAR_HEIGHT


def bar_chart(table: Table, hidden_text: str) -> Chart:
    """A horizontal bar for each row of a one-column table, scaled to the largest count."""
    largest = max((row.count or 0 for row in table.rows), default=0) or 1
    room = WIDTH - VALUE_ROOM
    bars = []
    for n, row in enumerate(table.rows):
        top = n * ROW_HEIGHT
        if row.count is None:
            text, width = hidden_text, 0
        else:
            text = f"{row.count}" + (f" ({row.share}%)" if row.share is not None else "")
            width = round(room * row.count / largest)
        bars.append(Bar(row.label, text, top + 14, top + LABEL_HEIGHT + 2, width))
    return Chart(WIDTH, max(len(bars), 1) * ROW_HEIGHT, tuple(bars))


@dataclass(frozen=True)
class Segment:
    """One rating's part of a stacked bar."""

    level: int
    x: int
    width: int


@dataclass(frozen=True)
class StackedBar:
    """One row of a stacked chart: its parts, or a note when any of them is hidden."""

    label: str
    text: str
    label_y: int
    bar_y: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Key:
    """One entry of a stacked chart's legend."""

    level: int
    label: str
    x: int
    y: int


@dataclass(frozen=True)
class StackedChart:
    """A stacked chart's size, rows and legend."""

    width: int
    height: int
    bars: tuple[StackedBar, ...]
    legend: tuple[Key, ...]
    bar_height: int = BAR_HEIGHT


LEGEND_COLUMNS = 3
LEGEND_ROW = 22


def _row_text(row, shown: int, hidden_text: str) -> str:
    if row.base is None:
        return hidden_text
    if any(c is None for c in row.counts):
        return f"{row.base} (ratings not shown)"
    return f"{row.base}" if shown else "none"


def stacked_chart(table: Table, hidden_text: str) -> StackedChart:
    """A bar per row split by column, each as wide as the row's whole; a row with any figure
    hidden is drawn as a note, since its parts are not known."""
    room = WIDTH - VALUE_ROOM
    bars = []
    for n, row in enumerate(table.rows):
        top = n * ROW_HEIGHT
        shown = sum(c or 0 for c in row.counts)
        segments: list[Segment] = []
        if shown and not any(c is None for c in row.counts):
            x = 0
            for level, count in enumerate(row.counts):
                width = round(room * (count or 0) / shown)
                if width:
                    segments.append(Segment(level, x, width))
                x += width
        text = _row_text(row, shown, hidden_text)
        bars.append(StackedBar(row.label, text, top + 14, top + LABEL_HEIGHT + 2, tuple(segments)))
    top = max(len(bars), 1) * ROW_HEIGHT + 8
    legend = tuple(
        Key(
            level,
            column.label,
            (level % LEGEND_COLUMNS) * (WIDTH // LEGEND_COLUMNS),
            top + (level // LEGEND_COLUMNS) * LEGEND_ROW,
        )
        for level, column in enumerate(table.columns)
    )
    rows = -(-len(legend) // LEGEND_COLUMNS)
    return StackedChart(WIDTH, top + rows * LEGEND_ROW, tuple(bars), legend)
