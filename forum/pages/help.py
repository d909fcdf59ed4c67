"""Crisis lines by region for /help, read from the curated resources (forum.resources).

Moderators keep them current through the resource directory: a line retired there leaves /help
at once. Before `heard load-resources` has run, the same checked entries come from
forum/data/resources.json, so the crisis page is never empty.
"""

from __future__ import annotations

from forum.resources.services import help_lines


def lines_for(region: str) -> list[dict]:
    """The crisis lines for one region ("global" for those that serve everyone)."""
    return help_lines(region)
