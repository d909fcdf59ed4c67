"""Moderation pages: the queue, item pages and their actions, accounts; the public log,
readers' reports and the teller's receipt.

Every route is for moderators unless listed in PUBLIC (fail closed: a new route is staff-only
until someone decides otherwise); admin pages are marked with `admin_only`. The services
check the actor again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from forum.errors import Invalid
from forum.extensions import rate_limit
from forum.governance.identity import current_account, current_identity
from forum.governance.versions import AlreadyHandled
from forum.moderation import (
    admin_views,
    claims,
    people,
    receipts,
    reports,
    sanction_views,
    sanctions,
    services,
)
from forum.moderation.forms import (
    ClaimForm,
    NoteForm,
    QueueFilterForm,
    Reasoned,
    ReceiptForm,
    ReportForm,
    SanctionForm,
)
from forum.moderation.highlight import side_by_side
from forum.moderation.item_actions import REPLY_ACTIONS, STORY_ACTIONS, item_context
from forum.moderation.logs import public_log as read_public_log
from forum.moderation.paging import QueueCursor, QueueFilters
from forum.moderation.queue import REASONS, queue_count, queue_page, waited_for
from forum.moderation.reasons import choices_for
from forum.routing import query_id
from forum.safety.client_key import request_ban_key, request_client_key
from forum.safety.redirects import safe_referrer
from forum.stories.services import Teller, get_own_story

bp = Blueprint("moderation", __name__)

PUBLIC = frozenset({"moderation.public_log", "moderation.report", "moderation.receipt"})


@bp.before_request
def gate():
    """Moderators only, unless the page is public; admin pages for admins only."""
    if request.endpoint in PUBLIC:
        return None
    me = current_identity()
    if not me.is_signed_in:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not me.is_moderator:
        abort(403)
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "admin_only", False) and not me.is_admin:
        abort(403)
    return None


@bp.app_context_processor
def header_count() -> dict:
    """The queue's size in the header, for moderators only (one COUNT, only if shown)."""

    def count() -> int | None:
        if current_identity().is_moderator:
            return queue_count()
        return None

    return {"moderation_queue_count": count, "caring_message_text": services.CARING_MESSAGE}


@bp.app_template_global()
def has_moderator_edit(story) -> bool:
    """Whether a moderator's edit waits for this story's teller (for the status page)."""
    return receipts.pending_redaction(story) is not None


@bp.app_template_filter("waited")
def waited(since) -> str:
    """How long an item has waited, in words ("3 hours 20 minutes"), for the queue."""
    return waited_for(since)


# --- The queue and item pages ----------------------------------------------------------------


def _queue_filters(form: QueueFilterForm) -> QueueFilters:
    """The filters asked for; an unknown value counts as "any" (never an error page)."""
    form.validate()
    for field in (form.kind, form.reason, form.age):
        if field.errors:
            field.data, field.errors = "", []
    return QueueFilters(
        kind=form.kind.data or None,
        reason=REASONS.get(form.reason.data or ""),
        older_than_days=int(form.age.data) if form.age.data else None,
    )


@bp.get("/moderation")
def queue():
    """The queue: crisis first, then "at risk" reports, then reported, then oldest; paged by
    keyset ("Next" and "Previous" stay put while items arrive) and filtered by a GET form."""
    form = QueueFilterForm(request.args)
    filters = _queue_filters(form)
    page = queue_page(
        filters,
        current_app.config["MODERATION_QUEUE_SIZE"],
        after=QueueCursor.decode(request.args.get("after")),
        before=QueueCursor.decode(request.args.get("before")),
    )
    kept = {
        k: v
        for k, v in (("kind", form.kind.data), ("reason", form.reason.data), ("age", form.age.data))
        if v
    }
    return render_template(
        "moderation/queue.html",
        page=page,
        items=page.items,
        total=page.total,
        filter_form=form,
        filtered=bool(kept),
        kept=kept,
        title="Moderation",
    )


STALE_ACTION = (
    "This item changed while you had it open, so that action is no longer offered. "
    "Here is how it stands now."
)


def _item(kind: str, item_id: int):
    return services.get_story(item_id) if kind == "story" else services.get_reply(item_id)


@bp.get("/moderation/<any(story, reply):kind>/<id:item_id>")
def item(kind: str, item_id: int):
    """One story or reply: why it is here, the text with matches marked, and the actions."""
    return render_template("moderation/item.html", **item_context(kind, _item(kind, item_id)))


@bp.post("/moderation/<any(story, reply):kind>/<id:item_id>/claim")
def claim(kind: str, item_id: int):
    """Claim the item (or take another moderator's claim over, or release one's own)."""
    form = ClaimForm()
    if not form.validate_on_submit():
        abort(400)
    me = current_account()
    if form.decision.data == "release":
        claims.release(me, kind, item_id)
        flash("Released. Other moderators see it as free.", "success")
    else:
        try:
            claims.claim(me, kind, item_id, take_over=form.decision.data == "take_over")
        except claims.ClaimedByOther as error:
            context = item_context(kind, _item(kind, item_id))
            return render_template("moderation/item.html", notice=error.message, **context), 409
        flash("It is yours to review. Other moderators see that you are on it.", "success")
    return redirect(url_for(".item", kind=kind, item_id=item_id), code=303)


@bp.post("/moderation/<any(story, reply):kind>/<id:item_id>/<action>")
def act(kind: str, item_id: int, action: str):
    """Run one action with its reason; on a problem, the page comes back with the form kept."""
    table = STORY_ACTIONS if kind == "story" else REPLY_ACTIONS
    spec = table.get(action) or abort(404)
    target = _item(kind, item_id)
    form = spec.build(target)
    if form.validate_on_submit():
        try:
            spec.perform(current_account(), target, form)
        except AlreadyHandled as error:
            context = item_context(kind, target)
            return render_template("moderation/item.html", notice=error.message, **context), 409
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash(spec.done, "success")
            return redirect(url_for(".queue"), code=303)
    context = item_context(kind, target, failed={action: form})
    if action not in context["forms"]:
        # Another moderator moved the item on (hid it, say): this action is no longer offered.
        context = item_context(kind, target)
        return render_template("moderation/item.html", notice=STALE_ACTION, **context), 409
    return render_template("moderation/item.html", failed=action, form=form, **context), 400


# --- Accounts --------------------------------------------------------------------------------


@bp.get("/moderation/accounts")
def find_account():
    """Look an account up by handle."""
    user = people.find_account(current_account(), request.args.get("handle", ""))
    return redirect(url_for(".account", user_id=user.id), code=303)


def _account_page(user, note_form=None, sanction_form=None, status: int = 200):
    sanction_form = sanction_form or SanctionForm(
        prefix="sanction", templates=choices_for("sanction"), formdata=None
    )
    return render_template(
        "moderation/account.html",
        account=user,
        title=f"Account: {user.handle}",
        record=people.records({user.id}).get(user.id),
        history=people.history(user),
        sanctions=sanctions.sanctions_for(user),
        notes=people.notes_for(user),
        note_form=note_form or NoteForm(prefix="note", formdata=None),
        sanction_form=sanction_form,
        lift_form=Reasoned(prefix="lift", formdata=None),
        form=note_form if note_form is not None and note_form.errors else sanction_form,
    ), status


@bp.get("/moderation/accounts/<id:user_id>")
def account(user_id: int):
    """An account's record, history, sanctions and private notes."""
    return _account_page(people.get_account(user_id))


@bp.post("/moderation/accounts/<id:user_id>/notes")
def add_note(user_id: int):
    """Keep a private note about an account."""
    user = people.get_account(user_id)
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        try:
            people.add_note(current_account(), user.id, form.body.data)
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash("Note saved.", "success")
            return redirect(url_for(".account", user_id=user.id), code=303)
    return _account_page(user, note_form=form, status=400)


SANCTIONS = {
    "warn": lambda me, user, form: sanctions.warn(me, user.id, form.final_reason),
    "suspend": lambda me, user, form: sanctions.suspend(
        me, user.id, form.days.data, form.final_reason
    ),
    "ban": lambda me, user, form: sanctions.ban(me, user.id, form.final_reason),
}


@bp.post("/moderation/accounts/<id:user_id>/sanctions")
def sanction(user_id: int):
    """Warn, suspend or ban an account."""
    user = people.get_account(user_id)
    form = SanctionForm(prefix="sanction", templates=choices_for("sanction"))
    if form.validate_on_submit():
        try:
            SANCTIONS[form.kind.data](current_account(), user, form)
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            flash("Done. It is in the log.", "success")
            return redirect(url_for(".account", user_id=user.id), code=303)
    return _account_page(user, sanction_form=form, status=400)


@bp.post("/moderation/sanctions/<id:sanction_id>/lift")
def lift(sanction_id: int):
    """End a suspension or ban early."""
    form = Reasoned(prefix="lift")
    if not form.validate_on_submit():
        flash("Enter a reason to lift it.", "error")
        return redirect(safe_referrer(request.referrer, request.host, url_for(".queue")), code=303)
    lifted = sanctions.lift(current_account(), sanction_id, form.final_reason)
    flash("Lifted.", "success")
    if lifted.user_id:
        return redirect(url_for(".account", user_id=lifted.user_id), code=303)
    return redirect(url_for(".queue"), code=303)


# --- Public: the log, reports, the teller's receipt ------------------------------------------


@bp.get("/moderation-log")
def public_log():
    """What moderators did and why, without names and without the content."""
    entries, next_before = read_public_log(query_id(request.args, "before"))
    return render_template(
        "moderation/public_log.html",
        entries=entries,
        next_before=next_before,
        title="Moderation log",
    )


def _reporter_key() -> str:
    return f"c:{datetime.now(UTC).date().isoformat()}:{request_client_key()}"


@bp.route("/<any(stories, replies):kind>/<id:item_id>/report", methods=["GET", "POST"])
@rate_limit("LIMIT_REPORT")
def report(kind: str, item_id: int):
    """A reader reports a story or reply; "may be at risk" shows where to find help."""
    target = "story" if kind == "stories" else "reply"
    reports.reportable(target, item_id)
    form = ReportForm()
    if form.validate_on_submit():
        user = current_account()
        try:
            filed = reports.file_report(
                user, _reporter_key(), target, item_id, form.reason.data, form.detail.data or ""
            )
        except Invalid as error:
            form.add_error(error.field, error.message)
        else:
            return render_template("moderation/reported.html", filed=filed, title="Thank you")
    return render_template(
        "moderation/report.html",
        form=form,
        kind=target,
        item_id=item_id,
        title="Report this " + target,
    )


def _teller() -> Teller:
    me = current_identity()
    return Teller(user=me.user, story_ids=me.story_ids)


@bp.route("/status/<id:story_id>/moderator-edit", methods=["GET", "POST"])
def receipt(story_id: int):
    """The teller sees a moderator's edit side by side, and accepts it or withdraws."""
    teller = _teller()
    story = get_own_story(teller, story_id)
    redaction = receipts.pending_redaction(story)
    form = ReceiptForm()
    if redaction is not None and form.validate_on_submit():
        if form.decision.data == "accept":
            receipts.accept_redaction(teller, story.id, client_key=request_ban_key())
            flash("Thank you. Your story is published with the moderator's changes.", "success")
        else:
            receipts.decline_redaction(teller, story.id)
            flash("Your story has been withdrawn. Nobody else can see it.", "success")
        return redirect(url_for(".receipt", story_id=story.id), code=303)
    diffs = None
    if redaction is not None:
        diffs = {
            "title": side_by_side(redaction.old_title, redaction.new_title),
            "body": side_by_side(redaction.old_body, redaction.new_body),
            "helped": side_by_side(redaction.old_helped_instead, redaction.new_helped_instead),
            "answers": [side_by_side(old, new) for _, old, new in receipts.answers_of(redaction)],
        }
    return render_template(
        "moderation/receipt.html",
        story=story,
        redaction=redaction,
        diffs=diffs,
        form=form,
        title="A moderator's edit of your story",
    )


admin_views.register(bp)
sanction_views.register(bp)
