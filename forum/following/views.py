"""Follow and unfollow a story (POST forms, no JavaScript needed), and what the pages of other
features ask of following: the header's count, the account page's news, the story page's
control. Nothing is ever sent anywhere: news waits on the pages until it is seen."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, after_this_request, flash, redirect, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from forum.errors import Invalid
from forum.following import services
from forum.following.forms import FollowForm
from forum.governance.identity import current_identity
from forum.stories.reading import Cursor

bp = Blueprint("following", __name__)

FOLLOWED = "You are following this story. New replies will show on your account page."
UNFOLLOWED = "You are no longer following this story."


def _back(story_id: int, form: FollowForm) -> Response:
    """Back to the account page when the form came from there, else to the story."""
    if form.back.data == "account":
        return redirect(url_for("accounts.account", _anchor="following"), code=303)
    return redirect(url_for("stories.show", story_id=story_id, _anchor="follow"), code=303)


@bp.post("/stories/<id:story_id>/follow")
@login_required
def follow(story_id: int):
    """Follow a published story."""
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        me = current_identity()
        services.follow(me.user, story_id, held=me.story_ids)
    except Invalid as error:
        flash(error.message, "warning")
    else:
        flash(FOLLOWED, "success")
    return _back(story_id, form)


@bp.post("/stories/<id:story_id>/unfollow")
@login_required
def unfollow(story_id: int):
    """Stop following a story, from its page or from the account page."""
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    services.unfollow(current_identity().user, story_id)
    flash(UNFOLLOWED, "success")
    return _back(story_id, form)


# --- For other features' templates ----------------------------------------------------------


def _news_count() -> int | None:
    """Stories with news, for the header: signed-in accounts only (one query when shown)."""
    user = current_identity().user
    return services.stories_with_news(user) if user is not None else None


def _account_news() -> services.AccountNews | None:
    """The account page's news; the marks move once the page has rendered without error."""
    user = current_identity().user
    if user is None:
        return None
    shown = services.account_news(user)

    @after_this_request
    def mark_seen(response: Response) -> Response:
        if response.status_code == 200:
            services.mark_account_seen(user, shown)
        return response

    return shown


def _is_following(story_id: int) -> bool:
    return services.is_following(current_identity().user, story_id)


@bp.app_template_global()
def new_reply_link(story_id: int, reply_id: int, published_at: datetime) -> str:
    """The story page at the page of replies that starts with this (first new) reply."""
    start = Cursor(published_at, reply_id - 1)  # the page after it begins with the reply
    return url_for(
        "stories.show", story_id=story_id, replies_after=start.encode(), _anchor=f"reply-{reply_id}"
    )


@bp.app_context_processor
def following_globals() -> dict:
    """Lazy helpers: nothing is queried unless a template calls them."""
    return {
        "stories_with_news": _news_count,
        "take_account_news": _account_news,
        "is_following": _is_following,
    }
