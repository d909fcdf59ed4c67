"""/insights, its CSV files and the data dictionary over HTTP."""

from __future__ import annotations

import csv
import io

import pytest

from forum.stories.models import Setting, Status
from tests.factories import load_tags
from tests.insights.data import add_many
from tests.stories.test_queries import counting

# BEGIN (SQLite) and the eleven statements of forum.insights.services.insights().
PAGE_QUERIES = 12


@pytest.fixture
def seeded(app):
    """Forty published stories in private practice, twenty in public health, three
    inpatient (hidden, with public health as its complement) and a pending one."""
    with app.app_context():
        load_tags()
        add_many(40, harm=["not-heard", "memories-stirred"], setting=Setting.PRIVATE)
        add_many(20, harm=["no-progress"], setting=Setting.PUBLIC)
        add_many(3, harm=["got-worse"], setting=Setting.INPATIENT)
        add_many(1, harm=["prejudice"], status=Status.PENDING)
    return app


def test_the_page_shows_tables_charts_research_and_the_self_selection_note(seeded, client):
    """Every table with an SVG chart titled and described, the checked figure beside its
    tag, and the plain statement that these are not prevalence estimates."""
    page = client.get("/insights").get_data(as_text=True)
    assert "not prevalence estimates" in page
    assert page.count('<svg class="chart"') == 9
    assert '<title id="chart-harm-tags-title">' in page and "<desc" in page
    assert "38.4% said unpleasant memories resurfaced" in page
    assert "5.2% reported lasting bad effects" in page
    assert "57.6%" in page  # named among the figures left out, as variance explained
    assert "Figures left out" in page
    assert "not shown" in page and "fewer than 10" not in page


def test_the_page_never_shows_a_small_count(seeded, client):
    """Three inpatient stories: the row says "not shown", never 3 or a bar."""
    page = client.get("/insights").get_data(as_text=True)
    inpatient = page.split("Inpatient or residential</th>")[1].split("</tr>")[0]
    assert "not shown" in inpatient and ">3<" not in inpatient


def test_the_csv_matches_the_page_and_says_suppressed(seeded, client):
    """The settings CSV has the rounded counts and the word "suppressed", never the 3."""
    response = client.get("/insights/settings.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["private"]["count_stories"] == "40"
    assert rows["inpatient"]["count_stories"] == "suppressed"
    assert rows["inpatient"]["share_stories"] == "suppressed"
    assert rows["public-health"]["count_stories"] == "suppressed"


def test_every_table_downloads_and_an_unknown_one_is_not_found(seeded, client):
    """Each table named on the data page has a CSV; a made-up name is a 404."""
    page = client.get("/insights/data").get_data(as_text=True)
    for slug in (
        "thread-types",
        "harm-groups",
        "harm-tags",
        "impact",
        "practice-tags",
        "settings",
        "formats",
        "problem-kinds",
        "over-time",
    ):
        assert f"/insights/{slug}.csv" in page
        assert client.get(f"/insights/{slug}.csv").status_code == 200
    assert client.get("/insights/nothing.csv").status_code == 404


def test_a_label_never_runs_as_a_spreadsheet_formula(app, client):
    """A tag renamed to start with = is written with a leading quote."""
    from forum.db import db
    from forum.taxonomy.models import Tag

    with app.app_context():
        load_tags()
        tag = db.session.query(Tag).filter_by(slug="not-heard").one()
        tag.name = "=HYPERLINK(1)"
        db.session.commit()
        add_many(12, harm=["not-heard"])
    text = client.get("/insights/harm-tags.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_the_footer_links_to_insights(client):
    """Every page's footer has the link."""
    assert 'href="/insights"' in client.get("/about").get_data(as_text=True)


def test_the_page_takes_a_fixed_number_of_queries(seeded, client):
    """The same statements with 63 stories as with 200 more."""
    client.get("/insights")  # the first request of the day stores its client-key secret
    with counting(seeded) as few:
        assert client.get("/insights").status_code == 200
    with seeded.app_context():
        add_many(200, harm=["no-say"], setting=Setting.ONLINE)
    with counting(seeded) as many:
        client.get("/insights")
    assert len(many) == len(few) <= PAGE_QUERIES
