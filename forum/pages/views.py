"""Fixed pages and the quick exit."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from forum.accounts.session import sign_out
from forum.caching import shared_page
from forum.governance.session_keys import REGION
from forum.pages import help as help_lines
from forum.resources.regions import REGIONS, current_region
from forum.stories import cached
from forum.stories.preferences import reader_hidden_tags, reader_mutes
from forum.stories.reading import StoryFilters

bp = Blueprint("pages", __name__)


@bp.get("/")
@shared_page
def home():
    """The front door: what Heard is, the ways in, and recent and featured stories."""
    notes, words = reader_mutes()
    filters = StoryFilters(exclude=reader_hidden_tags(), mute_notes=notes, mute_words=words)
    recent, featured = cached.home(filters)
    return render_template(
        "pages/home.html", title="A place to be heard", recent=recent, featured=featured
    )


@bp.get("/about")
def about():
    """What Heard is and is not."""
    return render_template("pages/about.html", title="About Heard")


@bp.get("/guidelines")
def guidelines():
    """Community guidelines, with safe-messaging rules."""
    return render_template("pages/guidelines.html", title="Community guidelines")


@bp.get("/privacy")
def privacy():
    """What is stored, where, for how long, and who can see it; from the live settings."""
    return render_template("pages/privacy.html", title="Privacy", config=current_app.config)


@bp.get("/safety")
def safety():
    """Staying safe online: history, shared devices, the exit button."""
    return render_template("pages/safety.html", title="Staying safe online")


@bp.get("/help")
def help():
    """Crisis help now, for the reader's region."""
    region = request.args.get("region")
    if region in REGIONS:
        session[REGION] = region
    else:
        region = current_region()
    return render_template(
        "pages/help.html",
        title="Get help now",
        region=region,
        lines=help_lines.lines_for(region),
        main_lines=help_lines.main_region_lines() if region == "global" else [],
        everywhere=help_lines.lines_for("global"),
    )


@bp.app_template_global()
def main_crisis_lines() -> list[tuple[str, dict]]:
    """One call-or-text line per main region, for help panels shown without a chosen region."""
    return help_lines.main_line_each()


@bp.get("/exit")
def exit():
    """Quick exit: end this browser's session and leave for a neutral site.

    A GET on purpose (GOV.UK's pattern: a plain link that works without JavaScript); all it
    changes is this browser's own session, and doing it twice is harmless.
    """
    sign_out()
    response = redirect(current_app.config["EXIT_URL"], code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers["Referrer-Policy"] = "no-referrer"
    response.delete_cookie(current_app.config["SESSION_COOKIE_NAME"])
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico; point them at the SVG icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)
