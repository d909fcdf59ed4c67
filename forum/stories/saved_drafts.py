"""Drafts kept only when the teller asks ("Save and come back later" on /share).

Nothing here runs unless that button was pressed. A draft is the compose form's fields as
JSON, kept as stories are (plain text in the database, like the story it will become; the
status page's rule applies to how it is opened): by the account that saved it, or by a draft
code derived from the form's one-time token under the app secret, of which only the hash is
stored. Saving the same form again keeps one row and the same code. The teller can delete it
at any time; it goes when the story is sent, and `heard purge` deletes it after
DRAFT_RETENTION_DAYS since it was last saved.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.db import db, utcnow
from forum.errors import Invalid, NotFound
from forum.safety.sanitize import clean_text
from forum.safety.tokens import status_code_candidates, status_code_from, token_hash
from forum.stories.models import SavedDraft

# The longest draft kept, as JSON: every compose field at its own limit fits.
MAX_FIELDS_CHARS = 120_000
NOT_FOUND = "That draft code was not recognised. Drafts are deleted after a while."


@dataclass(frozen=True)
class Saved:
    """The kept draft, and for a teller without an account the code that opens it."""

    draft: SavedDraft
    code: str | None


def draft_code(form_token: str) -> str:
    """The code that opens the draft of one compose session (never stored, only its hash)."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"draft-code:{form_token}".encode(), hashlib.sha256).digest()
    return status_code_from(digest)


def _clean(value: object) -> object:
    """Strings cleaned, lists of strings and flat string maps kept; anything else dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(v) for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_text(str(v)) for k, v in value.items()}
    return None


def _encode(fields: dict[str, object], allowed: frozenset[str]) -> str:
    kept = {name: _clean(value) for name, value in fields.items() if name in allowed}
    text = json.dumps({k: v for k, v in kept.items() if v is not None}, ensure_ascii=False)
    if len(text) > MAX_FIELDS_CHARS:
        raise Invalid("This draft is too long to save. Shorten it, then save again", field="body")
    return text


def save(
    user: User | None, form_token: str, fields: dict[str, object], allowed: frozenset[str]
) -> Saved:
    """Keep a draft of these form fields (only names in `allowed`): one per account, or one
    per compose session behind its draft code. Saving again replaces the words kept."""
    if not form_token or not 20 <= len(form_token) <= 100:
        raise Invalid("This form is out of date. Copy what you wrote, then reload", field="body")
    text = _encode(fields, allowed)
    code = None if user is not None else draft_code(form_token)
    if user is not None:
        where = SavedDraft.user_id == user.id
    else:
        where = SavedDraft.code_hash == token_hash(code or "")
    row = db.session.scalar(select(SavedDraft).where(where))
    if row is None:
        row = SavedDraft(user_id=user.id if user else None, code_hash=None)
        if code is not None:
            row.code_hash = token_hash(code)
        db.session.add(row)
    row.fields, row.saved_at = text, utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # the same save twice at once: the other one kept it
        db.session.rollback()
        row = db.session.scalar(select(SavedDraft).where(where))
        if row is None:
            raise
    return Saved(row, code)


def for_account(user: User | None) -> SavedDraft | None:
    """The account's kept draft, if any."""
    if user is None:
        return None
    return db.session.scalar(select(SavedDraft).where(SavedDraft.user_id == user.id))


def open_with_code(code: str) -> SavedDraft:
    """The draft a draft code opens; every failure is the same NotFound."""
    if not code or len(code) > 200:
        raise NotFound(NOT_FOUND)
    hashes = [token_hash(c) for c in status_code_candidates(code)]
    row = db.session.scalar(select(SavedDraft).where(SavedDraft.code_hash.in_(hashes)))
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def fields_of(draft: SavedDraft) -> dict:
    """The kept form fields, as compose-form data."""
    try:
        data = json.loads(draft.fields)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def discard(user: User | None, form_token: str | None = None, code: str | None = None) -> bool:
    """Delete a draft: the account's, the one this compose session saved, or the one a code
    opens. Whether one went. Deleting twice is not an error."""
    hashes = []
    if form_token and 20 <= len(form_token) <= 100:
        hashes.append(token_hash(draft_code(form_token)))
    if code and len(code) <= 200:
        hashes += [token_hash(c) for c in status_code_candidates(code)]
    gone = 0
    if hashes:
        result = db.session.execute(delete(SavedDraft).where(SavedDraft.code_hash.in_(hashes)))
        gone += result.rowcount or 0  # type: ignore[attr-defined]
    if user is not None:
        result = db.session.execute(delete(SavedDraft).where(SavedDraft.user_id == user.id))
        gone += result.rowcount or 0  # type: ignore[attr-defined]
    db.session.commit()
    return gone > 0


def discard_sent(user: User | None, form_token: str) -> None:
    """The story of this compose session was sent: its draft goes."""
    if not form_token or not 20 <= len(form_token) <= 100:
        return
    db.session.execute(
        delete(SavedDraft).where(SavedDraft.code_hash == token_hash(draft_code(form_token)))
    )
    kept = for_account(user)
    if kept is not None and fields_of(kept).get("form_token") == form_token:
        db.session.delete(kept)
    db.session.commit()


def purge_expired(now: datetime) -> int:
    """Delete drafts last saved more than DRAFT_RETENTION_DAYS ago (the caller commits)."""
    before = now - timedelta(days=current_app.config["DRAFT_RETENTION_DAYS"])
    result = db.session.execute(delete(SavedDraft).where(SavedDraft.saved_at < before))
    return result.rowcount or 0  # type: ignore[attr-defined]
