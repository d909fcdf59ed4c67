"""Purging what Heard no longer needs: day secrets, old sessions and story access, remnants
of posts.

Every window is a setting, and /privacy renders the same settings, so the page and the code
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from forum.accounts.models import AccountSession
from forum.db import db, utcnow
from forum.governance.teller_access import purge_expired as purge_teller_access
from forum.safety.client_key import purge_day_secrets
from forum.stories import lifecycle
from forum.stories.models import Reply, Status, Story
from forum.stories.saved_drafts import purge_expired as purge_drafts

CLOSED = (Status.WITHDRAWN, Status.REJECTED)
# At most this many closed stories are erased per run, so one run stays one modest transaction;
# a backlog goes on the next runs (the purge is meant to run often).
PURGE_BATCH = 500
RETENTION_REASON = "Closed for longer than the retention window"


@dataclass(frozen=True)
class PurgeReport:
    """How many of each thing one purge removed."""

    day_secrets: int
    sessions: int
    closed_stories: int
    client_keys: int
    teller_access: int
    drafts: int = 0

    def summary(self) -> str:
        """One line for the command's output."""
        return (
            f"Removed {self.day_secrets} day secrets, {self.sessions} expired sessions, "
            f"{self.teller_access} expired story access records, "
            f"{self.drafts} saved drafts past their time, "
            f"{self.closed_stories} withdrawn or rejected stories, and cleared "
            f"{self.client_keys} ban keys on posts."
        )


def purge(now: datetime | None = None) -> PurgeReport:
    """Delete everything past its retention window, in one transaction. Safe to run often."""
    now = now or utcnow()
    config = current_app.config
    key_window = timedelta(hours=config["CLIENT_KEY_RETENTION_HOURS"])
    secrets_removed = purge_day_secrets(config["CLIENT_KEY_RETENTION_HOURS"], now)
    sessions = db.session.execute(  # type: ignore[attr-defined]
        delete(AccountSession).where(
            or_(
                AccountSession.last_seen_at
                < now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                AccountSession.created_at < now - timedelta(days=config["SESSION_ABSOLUTE_DAYS"]),
            )
        )
    ).rowcount
    teller_access = purge_teller_access(now)
    drafts = purge_drafts(now)
    closed_before = now - timedelta(days=config["CLOSED_STORY_RETENTION_DAYS"])
    closed = 0
    # Erased one by one through the lifecycle, so replies, answers, tags, aliases and reactions
    # go with them, the search index follows and each erase has its (private) audit entry.
    for story in db.session.scalars(
        select(Story)
        .where(Story.status.in_(CLOSED), Story.updated_at < closed_before)
        .order_by(Story.id)
        .limit(PURGE_BATCH)
    ):
        lifecycle.erase_story(story, RETENTION_REASON)
        closed += 1
    cleared = 0
    for model, stamp in ((Story, Story.submitted_at), (Reply, Reply.created_at)):
        cleared += db.session.execute(  # type: ignore[attr-defined]
            update(model)
            .where(model.client_key.is_not(None), stamp < now - key_window)
            .values(client_key=None)
        ).rowcount
    db.session.commit()
    return PurgeReport(secrets_removed, sessions or 0, closed, cleared or 0, teller_access, drafts)
