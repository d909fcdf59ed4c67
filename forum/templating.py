"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from wtforms.widgets import ListWidget

from forum.resources.regions import REGIONS, current_region


def month_year(value: datetime | None) -> str:
    """A coarse public date: month and year only (PRODUCT.md, privacy)."""
    return value.strftime("%B %Y") if value else ""


# Main navigation, in order; a link shows once its feature's blueprint is registered.
NAV_LINKS = (
    ("stories.index", "Stories"),
    ("sharing.share", "Share your story"),
    ("stories.tags", "Harm types"),
    ("resources.index", "Resources"),
)


def field_anchor(form, name: str) -> str:
    """The id an error-summary link should point at: the field, or its first option."""
    field = form._fields.get(name)
    if field is None or field.type in {"CSRFTokenField", "HiddenField"}:
        field = next(
            (f for f in form if f.type not in {"CSRFTokenField", "HiddenField", "SubmitField"}),
            None,
        )
        if field is None:
            return "main"
    # Radios and checkbox lists render one input per option; link to the first (GOV.UK).
    return f"{field.id}-0" if isinstance(field.widget, ListWidget) else field.id


def init_templating(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters["month_year"] = month_year
    app.jinja_env.globals.update(site_name=app.config["SITE_NAME"], regions=REGIONS)
    app.jinja_env.globals.update(current_region=current_region, field_anchor=field_anchor)

    @app.context_processor
    def navigation() -> dict:
        links = [(e, label) for e, label in NAV_LINKS if e in current_app.view_functions]
        return {"nav_links": links}
