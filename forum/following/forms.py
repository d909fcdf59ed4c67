"""The follow and unfollow forms: a CSRF token and where to go back to, nothing else."""

from __future__ import annotations

from wtforms import HiddenField

from forum.forms import PlainForm


class FollowForm(PlainForm):
    """Follow or unfollow a story; `back` is "account" from the account page."""

    back = HiddenField()
