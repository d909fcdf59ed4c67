"""Regions a resource can serve, and how a reader's region selects them.

A reader chooses a country (or "global", anywhere else) from `REGIONS`; a
resource serves "global", countries, or subdivisions such as GB-ENG. A reader in GB sees
resources for GB, for any GB-… subdivision (labelled, for example "England only") and for
everywhere.
"""

from __future__ import annotations

from flask import current_app, session
from sqlalchemy import ColumnElement, or_

from forum.governance.session_keys import REGION

# The regions a reader can choose, for help lines and resources; "global" is anywhere else.
REGIONS = {
    "global": "Anywhere else",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "US": "United States",
    "CA": "Canada",
    "AU": "Australia",
}
GLOBAL = "global"
SUBDIVISIONS = {
    "GB-ENG": "England",
    "GB-NIR": "Northern Ireland",
    "GB-SCT": "Scotland",
    "GB-WLS": "Wales",
    "AU-NSW": "New South Wales",
    "AU-QLD": "Queensland",
    "CA-ON": "Ontario",
}


def current_region() -> str:
    """The reader's chosen region, kept in their session cookie only; no account, no tracking."""
    region = session.get(REGION)
    return region if region in REGIONS else current_app.config["DEFAULT_REGION"]


def known_codes() -> list[str]:
    """Every region code a resource may serve, in a stable order for forms."""
    countries = [code for code in REGIONS if code != GLOBAL]
    return [GLOBAL, *countries, *sorted(SUBDIVISIONS)]


def region_name(code: str) -> str:
    """A region's name for people; "Everywhere" for global."""
    if code == GLOBAL:
        return "Everywhere"
    return REGIONS.get(code) or SUBDIVISIONS.get(code) or code


def served_label(codes: list[str]) -> str:
    """Where a resource serves, in words: "Everywhere", "England only", "Canada and Ireland"."""
    if not codes:
        return ""
    if GLOBAL in codes:
        return "Everywhere"
    names = [region_name(code) for code in codes]
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{text} only" if all(code in SUBDIVISIONS for code in codes) else text


def reader_clause(column, region: str, *, include_global: bool = True) -> ColumnElement[bool]:
    """SQL: a region code `column` that serves a reader in `region` (a key of REGIONS)."""
    if region == GLOBAL:
        return column == GLOBAL
    # region is a validated two-letter key of REGIONS, so it holds no LIKE wildcards.
    clauses = [column == region, column.like(f"{region}-%")]
    if include_global:
        clauses.append(column == GLOBAL)
    return or_(*clauses)


def serves_reader(codes: list[str], region: str) -> bool:
    """Whether a resource with these region codes serves a reader in region (without SQL)."""
    if region == GLOBAL:
        return GLOBAL in codes
    return any(code == region or code.startswith(f"{region}-") for code in codes)
