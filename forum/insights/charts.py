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
