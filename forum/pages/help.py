"""Crisis lines by region, read from forum/data/help_lines.json (checked sources only)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "help_lines.json"


@cache
def _all_lines() -> dict[str, list[dict]]:
    with DATA.open(encoding="utf-8") as file:
        return json.load(file)["regions"]


def lines_for(region: str) -> list[dict]:
    """The crisis lines for one region ("global" for those that serve everyone)."""
    return _all_lines().get(region, [])
