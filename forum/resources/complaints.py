"""The complaint-route finder: which body handles a complaint, by country and practitioner.

Routes are data (the "complaint_routes" of forum/data/resources.json), written only from facts
in RESOURCES.md. Every link a route gives must be one of the checked resources in the same
file; the page shows it only while that resource is active.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "resources.json"
ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Step:
    """One thing to do: which body, what to do there, and its checked page if there is one."""

    body: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Route:
    """Where a complaint about one kind of practitioner goes, what it can do, any time limit."""

    slug: str
    label: str
    steps: tuple[Step, ...]
    can: tuple[str, ...] = ()
    cannot: tuple[str, ...] = ()
    time_limit: str = ""
    also: tuple[str, ...] = ()
    general_only: bool = False

    @property
    def urls(self) -> list[str]:
        """Every resource address this route links to."""
        return [step.url for step in self.steps if step.url] + list(self.also)


@dataclass(frozen=True)
class Country:
    """A country the finder knows, with its kinds of practitioner in order."""

    code: str
    name: str
    practitioners: tuple[Route, ...]

    def route(self, slug: str | None) -> Route | None:
        """The route for a kind of practitioner, if this country has it."""
        return next((route for route in self.practitioners if route.slug == slug), None)


def parse_routes(data: dict) -> tuple[Country, ...]:
    """Countries and routes from the data file; every linked URL must be a listed resource."""
    known_urls = {entry["url"] for entry in data.get("resources", [])}
    countries = []
    for entry in data.get("complaint_routes", []):
        routes = []
        for raw in entry["practitioners"]:
            route = Route(
                slug=raw["slug"],
                label=raw["label"],
                steps=tuple(Step(s["body"], s["text"], s.get("url", "")) for s in raw["steps"]),
                can=tuple(raw.get("can", ())),
                cannot=tuple(raw.get("cannot", ())),
                time_limit=raw.get("time_limit", ""),
                also=tuple(raw.get("also", ())),
                general_only=bool(raw.get("general_only", False)),
            )
            unknown = [url for url in route.urls if url not in known_urls]
            if unknown:
                raise ValueError(f"Complaint route {entry['country']}/{route.slug}: {unknown}")
            routes.append(route)
        countries.append(Country(entry["country"], entry["name"], tuple(routes)))
    return tuple(countries)


@cache
def countries() -> tuple[Country, ...]:
    """The countries the finder knows, read once from the data file."""
    return parse_routes(json.loads(DATA.read_text(encoding="utf-8")))


def country(code: str | None) -> Country | None:
    """A known country by code."""
    return next((c for c in countries() if c.code == code), None)
