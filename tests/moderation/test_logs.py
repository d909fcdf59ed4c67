"""The audit log for admins, and the public log without names or content."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from forum.db import db, utcnow
from forum.errors import NotAllowed
from forum.governance.models import AppendOnlyError, AuditEntry
from forum.moderation import actions, logs, sanctions, services
from tests.factories import make_story
from tests.moderation.conftest import entries, published_story


def test_the_public_log_has_actions_reasons_and_dates_only(moderator, member):
    story = make_story(title="Dr Smith at Riverside", body="Secret body words")
    services.approve_story(moderator, story.id, "Meets the guidelines")
    services.request_changes(moderator, make_story(title="Other").id, "Private message")
    sanctions.warn(moderator, member.id, "Private warning")
    sanctions.suspend(moderator, member.id, 3, "Harassment")
    public, next_before = logs.public_log()
    assert next_before is None
    assert [(e.action, e.target, e.reason) for e in public] == [
        ("Account suspended", "an account", "3 days: Harassment"),
        ("Approved", "a story", "Meets the guidelines"),
    ]
    text = repr(public)
    for secret in ("keeper", "heron", "Riverside", "Secret body", "Private"):
        assert secret not in text


def test_the_public_log_pages_by_keyset(moderator):
    for i in range(5):
        services.approve_story(moderator, make_story(title=f"S{i}").id, f"Reason {i}")
    first, before = logs.public_log(limit=2)
    second, before2 = logs.public_log(before=before, limit=2)
    third, end = logs.public_log(before=before2, limit=2)
    reasons = [e.reason for e in first + second + third]
    assert reasons == [f"Reason {i}" for i in (4, 3, 2, 1, 0)] and end is None


def test_admins_filter_the_full_log(admin, moderator):
    story = published_story()
    actions.hide(moderator, "story", story.id, "Hidden")
    actions.restore(moderator, "story", story.id, "Back")
    rows, _ = logs.audit_log(admin, logs.LogFilter(action="hide"))
    assert [(e.action, handle) for e, handle in rows] == [("hide", "keeper")]
    rows, _ = logs.audit_log(admin, logs.LogFilter(target_type="story"))
    assert [e.action for e, _ in rows] == ["restore", "hide"]
    today = utcnow().date()
    rows, _ = logs.audit_log(admin, logs.LogFilter(since=today, until=today))
    assert len(rows) == 2
    rows, _ = logs.audit_log(admin, logs.LogFilter(until=today - timedelta(days=1)))
    assert rows == []
    rows, _ = logs.audit_log(admin, logs.LogFilter(since=date(2999, 1, 1)))
    assert rows == []
    assert logs.known_actions() == ["hide", "restore"]
    with pytest.raises(NotAllowed):
        logs.audit_log(moderator, logs.LogFilter())


def test_audit_entries_cannot_be_updated_or_deleted_in_bulk_either(moderator):
    services.approve_story(moderator, make_story().id)
    [entry] = entries()
    entry.public = False
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert entries()[0].public is True


FORUM = Path(__file__).resolve().parents[2] / "forum"
WRITES = re.compile(
    r"(update|delete)\(\s*AuditEntry|AuditEntry\.__table__\.(update|delete)|"
    r"(UPDATE|DELETE FROM)\s+audit_entries|session\.delete\(\s*entry|\.query\(AuditEntry\)\."
    r"(update|delete)",
    re.IGNORECASE,
)


def test_no_code_path_updates_or_deletes_audit_entries():
    """The append-only guard only sees ORM flushes; bulk statements would slip past it."""
    offenders = []
    for path in FORUM.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITES.search(line):
                offenders.append(f"{path.relative_to(FORUM)}:{number}: {line.strip()}")
    assert offenders == []
    # The pattern does find what it is meant to find.
    assert WRITES.search("db.session.execute(delete(AuditEntry).where(x))")
    assert WRITES.search("conn.execute(text('UPDATE audit_entries SET reason=1'))")
    assert AuditEntry.__tablename__ == "audit_entries"
