"""Crisis lines by region for /help, read from the curated resources (forum.resources).

Moderators keep them current through the resource directory: a line retired there leaves /help
at once. Before `heard load-resources` has run, the same checked entries come from
forum/data/resources.json, so the crisis page is never empty.

A reader who has not chosen a region (and a deployment whose FORUM_DEFAULT_REGION is
"global") sees the lines of the main regions, each with hours and a number to call or text:
directories alone are no help to someone in crisis (issue 12).
"""

from __future__ import annotations

from forum.db import db
from forum.errors import UNAVAILABLE
from forum.resources.regions import REGIONS
from forum.resources.services import help_lines, help_lines_by_region, starter_help_lines

# The regions whose lines show when none is chosen: those the check page always listed.
MAIN_REGIONS = ("GB", "IE", "US", "CA", "AU")
CALL_OR_TEXT = frozenset({"phone", "text"})


def _database_away() -> None:
    # Crisis help must answer even when the database does not: the checked lines in
    # forum/data/resources.json stand in until it is back.
    db.session.rollback()


def lines_for(region: str) -> list[dict]:
    """The crisis lines for one region ("global" for those that serve everyone)."""
    try:
        return help_lines(region)
    except UNAVAILABLE:
        _database_away()
        return starter_help_lines(region)


def can_call_or_text(line: dict) -> bool:
    """Whether a line gives a number to call or text (not only a website)."""
    return any(contact["kind"] in CALL_OR_TEXT for contact in line["contacts"])


def main_region_lines() -> list[tuple[str, list[dict]]]:
    """(region name, its call-or-text lines) for each main region, in one query."""
    try:
        by_region = help_lines_by_region(MAIN_REGIONS)
    except UNAVAILABLE:
        _database_away()
        by_region = {code: starter_help_lines(code) for code in MAIN_REGIONS}
    return [
        (REGIONS[code], [line for line in by_region[code] if can_call_or_text(line)])
        for code in MAIN_REGIONS
        if any(can_call_or_text(line) for line in by_region[code])
    ]


def main_line_each() -> list[tuple[str, dict]]:
    """(region name, its first call-or-text line) for each main region: the short list."""
    return [(name, lines[0]) for name, lines in main_region_lines()]
