"""Insights tables as CSV and as plain data for the JSON API: the published figures only."""

from __future__ import annotations

import csv
import io

from forum.insights.services import Table

HIDDEN = "suppressed"


def _cell(value: int | None) -> str:
    return HIDDEN if value is None else str(value)


def header(table: Table) -> list[str]:
    """The CSV header: key, label, then a count and a share column for each column."""
    names = ["key", "label"]
    if any(row.group for row in table.rows):
        names.append("group")
    for column in table.columns:
        names += [f"count_{column.key}", f"share_{column.key}"]
    if table.slug == "impact":
        names.append("stories_with_tag")
    return names


def as_csv(table: Table) -> str:
    """The table as CSV text; a hidden figure is the word "suppressed", never a number.

    Labels are written as data, with a leading quote before =, +, - or @ so a spreadsheet
    never runs them as a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(table))
    grouped = any(row.group for row in table.rows)
    for row in table.rows:
        cells = [row.key, _safe(row.label)]
        if grouped:
            cells.append(_safe(row.group))
        for count, share in zip(row.counts, row.shares, strict=True):
            cells += [_cell(count), _cell(share)]
        if table.slug == "impact":
            cells.append(_cell(row.base))
        writer.writerow(cells)
    return out.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


def as_data(table: Table) -> dict:
    """The table as JSON-ready data: hidden figures are null."""
    return {
        "slug": table.slug,
        "title": table.title,
        "description": table.description,
        "adds_up": table.adds_up,
        "total": table.total,
        "share_of": table.share_of,
        "columns": [{"key": c.key, "label": c.label} for c in table.columns],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "group": row.group or None,
                "base": row.base,
                "counts": list(row.counts),
                "shares": list(row.shares),
            }
            for row in table.rows
        ],
    }
