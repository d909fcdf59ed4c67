"""After publishing: the teller adds "What happened next" or proposes an edit of their
published story (forum/stories/changes.py). Both wait for a moderator; the same check step as
/share shows first when the words could identify someone or mention crisis."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for

from forum.db import reads_first, start_writing
from forum.errors import DomainError
from forum.forms import keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.safety import pii
from forum.safety.client_key import request_ban_key
from forum.sharing import steps
from forum.sharing.forms import RevisionForm, UpdateForm
from forum.stories import changes
from forum.stories.services import Teller

bp = Blueprint("story_changes", __name__)


@bp.app_template_global()
def story_updates(story_id: int) -> list:
    """A story's approved updates, for its page (one query)."""
    return changes.shown_updates(story_id)


@bp.app_template_global()
def changes_for_stories(stories) -> dict:
    """Every update and edit of a teller's listed stories, by story (one query)."""
    return changes.changes_for([story.id for story in stories])


def _teller() -> Teller:
    me = current_identity()
    return Teller(user=me.user, story_ids=me.story_ids)


def _back(story):
    if story.author_id is not None and current_identity().user is not None:
        return redirect(url_for("sharing.my_stories"), code=303)
    return redirect(url_for("sharing.status"), code=303)


def _findings(fields: dict[str, str]) -> list[pii.FieldFinding]:
    return pii.find_in_fields(fields, context=60)


def _page(template: str, form, story, sent: changes.Sent | None, fields, title, waiting=None):
    """The form again: with its errors, or with the check step when something was found."""
    checks = sent.checks if sent is not None else None
    status = 200 if not form.errors else 400
    return render_template(
        template,
        form=form,
        story=story,
        checks=checks,
        findings=_findings(fields) if checks else [],
        lines=steps.help_lines() if checks and checks.crisis else None,
        waiting=waiting,
        title=title,
    ), status


def _new_token(form) -> None:
    if not isinstance(form.form_token.data, str) or len(form.form_token.data) < 20:
        form.form_token.data = steps.new_form_token()


def _send(form, story, send: Callable[..., changes.Sent], thanks: str):
    """Send the teller's change if the form is valid: the redirect once it is stored, or None
    and what was sent (the checks to show first, if any) to show the form again. `send` gets
    the form token and the teller's `checked` choice and ban key."""
    if not form.validate_on_submit():
        return None, None
    start_writing()
    try:
        sent = send(
            form.form_token.data, checked=form.checked.data == "1", client_key=request_ban_key()
        )
    except DomainError as error:
        form.add_error(error.field, error.message)
        return None, None
    if sent.change is None:
        form.checked.data = "1"  # the check step shows next; sending again means "send anyway"
        return None, sent
    flash(thanks, "success")
    return _back(story), sent


@bp.route("/status/<id:story_id>/update", methods=["GET", "POST"])
@reads_first
@keeps_input_on_csrf_failure
def update(story_id: int):
    """Add "What happened next" to a published story; a moderator reads it first."""
    teller = _teller()
    story = changes.own_published_story(teller, story_id)
    form = UpdateForm()
    _new_token(form)
    done, sent = _send(
        form,
        story,
        lambda token, **sending: changes.add_update(
            teller, story.id, form.body.data, token, **sending
        ),
        "Thank you. A moderator will read your update before it appears.",
    )
    if done is not None:
        return done
    fields = {"body": form.body.data or ""}
    return _page("sharing/update.html", form, story, sent, fields, "Add what happened next")


@bp.route("/status/<id:story_id>/revise", methods=["GET", "POST"])
@reads_first
@keeps_input_on_csrf_failure
def revise(story_id: int):
    """Propose new words for a published story; it stays as it is until a moderator accepts."""
    teller = _teller()
    story = changes.own_published_story(teller, story_id)
    waiting = changes.open_revision(story)
    form = RevisionForm()
    if not form.is_submitted():
        form.title.data = waiting.title if waiting else story.title
        form.body.data = waiting.body if waiting else story.body
    _new_token(form)
    done, sent = _send(
        form,
        story,
        lambda token, **sending: changes.propose_revision(
            teller, story.id, form.title.data, form.body.data, token, **sending
        ),
        "Thank you. Your published story stays as it is until a moderator has read your changes.",
    )
    if done is not None:
        return done
    fields = {"title": form.title.data or "", "body": form.body.data or ""}
    return _page("sharing/revise.html", form, story, sent, fields, "Edit your story", waiting)
