"""Compose, check, preview and submit a story; follow it on the status page."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import login_required

from forum.caching import shared_page
from forum.db import reads_first, start_writing
from forum.errors import DomainError, render_error
from forum.extensions import rate_limit
from forum.following import news
from forum.forms import PlainForm, keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.governance.teller_access import (
    forget_here,
    grant_here,
    keep_sent_code_here,
    take_sent_code_here,
)
from forum.safety.client_key import request_ban_key
from forum.safety.tokens import group_status_code, normalise_status_code
from forum.sharing import drafts_views, steps
from forum.sharing.forms import StatusCodeFileForm, StatusCodeForm
from forum.stories import lifecycle, saved_drafts, services
from forum.stories.content import IMPACT_LABELS
from forum.stories.services import Teller

bp = Blueprint("sharing", __name__)

TOO_MANY = (
    "You have sent a lot in a short time, so we have paused sending for a little while. "
    "Everything you wrote is still here: wait a few minutes, then send it again"
)


@bp.context_processor
def vocabulary() -> dict:
    """Fixed labels the sharing templates show, and the teller's links (from the lifecycle)."""
    return {"impact_labels": IMPACT_LABELS, "teller_actions": lifecycle.teller_actions}


def _user():
    return current_identity().user


def _teller() -> Teller:
    me = current_identity()
    return Teller(user=me.user, story_ids=me.story_ids)


def _not_submitting() -> bool:
    return request.form.get("action") != "submit"


def _compose(form, taxonomy, status: int = 200):
    return render_template(
        "sharing/share.html", form=form, taxonomy=taxonomy, title="Share your story"
    ), status


@bp.route("/share", methods=["GET", "POST"])
@reads_first
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_SHARE_STEPS")
@rate_limit("LIMIT_SUBMIT", exempt_when=_not_submitting)
@shared_page
def share():
    """Compose, then check, preview and submit; nothing is stored before "Submit for review"."""
    form, taxonomy = steps.story_form()
    if not form.is_submitted():
        form.form_token.data = steps.new_form_token()
        return _compose(form, taxonomy)
    steps.ensure_form_token(form)
    if form.action.data == "save":  # "Save and come back later": the only way a draft is kept
        return drafts_views.save_response(form, taxonomy)
    if not form.validate() or form.action.data == "edit":
        return _compose(form, taxonomy)
    # A "use a general word instead" button: change that one part, then check again.
    notice = steps.use_suggestion(form)
    if notice is not None and not form.validate():
        return _compose(form, taxonomy)
    draft = steps.draft_from_form(form, signed_in=_user() is not None)
    try:
        if form.action.data == "submit":
            start_writing()  # only submit stores anything: the other steps take no lock
            return _submit(draft, form.form_token.data)
        services.check_draft_fields(draft)
    except DomainError as error:
        form.add_error(error.field, error.message)
        return _compose(form, taxonomy)
    return _check_or_preview(form, taxonomy, draft, notice)


def _check_or_preview(form, taxonomy, draft, notice: str | None = None):
    """The check page when something needs a second look (unless already past it), else preview."""
    checks = services.check_draft(draft)
    if form.action.data != "preview" and (checks.identifiers or checks.crisis):
        return render_template(
            "sharing/check.html",
            form=form,
            checks=checks,
            lines=steps.help_lines(),
            groups=steps.finding_groups(form),
            notice=notice,
            title="Check before you share" if checks.identifiers else "Before you carry on",
        )
    handle = current_identity().handle
    return render_template(
        "sharing/preview.html",
        form=form,
        preview=steps.preview(draft, taxonomy, handle),
        notice=notice,
        title="Check your story",
    )


def _submit(draft, form_token: str):
    """Store the story once, keep its code for one read, and redirect (Post/Redirect/Get)."""
    sent = services.submit_story(_user(), draft, form_token, client_key=request_ban_key())
    saved_drafts.discard_sent(_user(), form_token)
    grant_here(sent.story.id)
    keep_sent_code_here(sent.story.id, sent.status_token)
    return redirect(url_for("sharing.sent"), code=303)


@bp.errorhandler(RateLimitExceeded)
def too_many(error):
    """On /share a rate limit shows the form again, everything kept; elsewhere the kind page."""
    if request.endpoint != "sharing.share" or request.method != "POST":
        return render_error(429)
    form, taxonomy = steps.story_form()
    steps.ensure_form_token(form)
    form.validate()
    form.add_error("title", TOO_MANY)
    return _compose(form, taxonomy, status=429)


@bp.get("/share/sent")
def sent():
    """What happens next, and the status code, shown once."""
    start_writing()  # showing the code clears it
    just_sent, token = take_sent_code_here()
    if not just_sent:
        return redirect(url_for("sharing.status"), code=303)
    return render_template(
        "sharing/sent.html",
        token=token,
        lines=steps.help_lines(),
        code=group_status_code(token) if token else None,
        code_form=StatusCodeFileForm(),
        title="Your story has been sent",
    )


@bp.post("/share/sent/status-code.txt")
def save_code():
    """The status code as a text file, posted back from /share/sent: it works without
    JavaScript and never puts the code in a URL. Only a well-formed code is written out."""
    form = StatusCodeFileForm()
    code = normalise_status_code(form.code.data or "") if form.validate_on_submit() else None
    if code is None:
        return redirect(url_for("sharing.status"), code=303)
    text = render_template("sharing/status_code.txt", code=group_status_code(code))
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="status-code.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/status", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_STATUS_CODE")
def status():
    """The stories this browser has opened, and a form to open one with its status code."""
    form = StatusCodeForm()
    if form.validate_on_submit():
        try:
            story = services.open_with_status_token(form.code.data)
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            grant_here(story.id)
            return redirect(url_for("sharing.status"), code=303)
    stories = services.list_teller_stories(Teller(story_ids=current_identity().story_ids))
    story_news = news.status_page_news(stories)
    page = render_template(
        "sharing/status.html",
        form=form,
        stories=stories,
        story_news=story_news,
        action_form=PlainForm(),
        title="Your story's progress",
    )
    news.mark_seen(story_news.values())  # shown now, so not new on the next visit
    return page


@bp.post("/status/forget")
def forget():
    """Stop this browser from showing or acting on the stories it opened."""
    if PlainForm().validate_on_submit():
        forget_here()
        flash("This browser has forgotten your stories. Your status code still works.", "success")
    return redirect(url_for("sharing.status"), code=303)


def _back(story_author_id: int | None):
    """Where a teller returns after acting: their account's list, or the status page."""
    if story_author_id is not None and _user() is not None:
        return redirect(url_for("sharing.my_stories"), code=303)
    return redirect(url_for("sharing.status"), code=303)


@bp.route("/status/<id:story_id>/edit", methods=["GET", "POST"])
@reads_first
@keeps_input_on_csrf_failure
def edit(story_id: int):
    """Change a story still in review; it goes back to the moderators."""
    teller = _teller()
    story = services.get_own_story(teller, story_id)
    if not lifecycle.allows(story, "resubmit"):
        return render_template("sharing/not_editable.html", story=story, title="Edit"), 409
    form, taxonomy = steps.story_form(data=steps.form_data(story))
    if form.validate_on_submit():
        start_writing()  # a form with errors stores nothing and takes no lock
        try:
            services.edit_story(teller, story, steps.draft_from_form(form, _user() is not None))
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            flash("Your changes have been sent. Your story is back with the moderators.", "success")
            return _back(story.author_id)
    return render_template(
        "sharing/edit.html", form=form, taxonomy=taxonomy, story=story, title="Edit your story"
    )


@bp.route("/status/<id:story_id>/withdraw", methods=["GET", "POST"])
def withdraw(story_id: int):
    """GET asks "are you sure"; POST takes the story down, or out of review."""
    teller = _teller()
    story = services.get_own_story(teller, story_id)
    form = PlainForm()
    if form.validate_on_submit():
        services.withdraw_story(teller, story)
        flash("Your story has been withdrawn. Nobody else can see it.", "success")
        return _back(story.author_id)
    return render_template(
        "sharing/withdraw.html", form=form, story=story, title="Withdraw your story"
    )


@bp.route("/status/<id:story_id>/erase", methods=["GET", "POST"])
def erase(story_id: int):
    """GET asks "are you sure"; POST deletes the story and its replies for good."""
    teller = _teller()
    story = services.get_own_story(teller, story_id)
    form = PlainForm()
    if form.validate_on_submit():
        author_id = story.author_id
        services.erase_story(teller, story)
        forget_here(story_id)
        flash("Your story and every reply to it have been erased.", "success")
        return _back(author_id)
    return render_template("sharing/erase.html", form=form, story=story, title="Erase your story")


@bp.get("/status/<id:story_id>/download")
def download(story_id: int):
    """Everything the teller wrote in one story, as a JSON file (their copy to keep)."""
    record = services.export_story(_teller(), story_id)
    return Response(
        json.dumps(record, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="heard-story-{story_id}.json"'},
    )


@bp.get("/account/stories")
@login_required
def my_stories():
    """An account's own stories, with their status and what can be done."""
    return render_template(
        "sharing/my_stories.html",
        stories=services.list_own_stories(_user()),
        title="My stories",
    )
