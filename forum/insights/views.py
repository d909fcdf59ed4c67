"""/insights: the tables and charts, their CSV files and the data dictionary."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from forum.insights import export, research
from forum.insights.charts import bar_chart, stacked_chart
from forum.insights.services import insights

bp = Blueprint("insights", __name__)
# What a hidden figure says. Not "fewer than 10": a figure hidden with a small one, so that
# it cannot be worked out, may be larger, and a hidden zero is zero.
HIDDEN_TEXT = "not shown"


@bp.get("/insights")
def index():
    """Every table with its chart, beside the checked research figures."""
    result = insights()
    hidden_text = HIDDEN_TEXT
    charts = {
        table.slug: (bar_chart if len(table.columns) == 1 else stacked_chart)(table, hidden_text)
        for table in result.tables
    }
    return render_template(
        "insights/index.html",
        title="Insights",
        insights=result,
        charts=charts,
        hidden_text=hidden_text,
        studies=research.STUDIES,
        not_traced=research.NOT_TRACED,
    )


@bp.get("/insights/data")
def data_dictionary():
    """What each CSV file holds, column by column, and the small-number rule."""
    result = insights()
    return render_template(
        "insights/data.html", title="Insights data and how to read it", insights=result
    )


@bp.get("/insights/<slug>.csv")
def download(slug: str):
    """One table as CSV, suppressed and rounded exactly as on the page."""
    result = insights()
    try:
        table = result.table(slug)
    except KeyError:
        abort(404)
    return Response(
        export.as_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="heard-{slug}.csv"'},
    )
