"""Every change of state of a story or a reply, each one function, all read from one table.

A change is allowed only from the states its row in `STORY_TRANSITIONS` or `REPLY_TRANSITIONS`
names; each function checks that (and the version the actor saw), sets the new status, bumps the
version, keeps what derives from the status right (published_at, pinned, featured, the
moderator's message, the review flags), adds the audit entry and marks the readers' cached
pages as changed (`forum.caching.content_changed`, written in the same transaction). It adds
to the caller's transaction and never commits: the service that calls it (moderation, sharing,
data rights, the teller's own pages) commits once, together with its own rows (reports closed,
receipts decided).

A new story or reply gets its first state here too (`submit_story`, `submit_reply`), before its
row is first stored. A submit is not audited: the audit log records what is done to an item
that exists (by a moderator, an admin, the teller or the system), and the new row already
records when it came; an entry for every anonymous submit would be a second, timestamped trace
of the writer that nothing reads.

A story's or reply's *state* is its status, with two states the status alone does not tell:
"held" (hidden after reports, until a moderator looks) and, for replies, "unreviewed"
(published at once for a trusted member, still in the moderators' queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from forum.accounts.models import User
from forum.caching import content_changed
from forum.db import db, utcnow
from forum.errors import DomainError, NotAllowed
from forum.governance.audit import audit
from forum.governance.versions import AlreadyHandled, check_version
from forum.stories import counters
from forum.stories.models import Reply, Status, Story, StoryChange

# A lifecycle function hands back what it was given.
Item = TypeVar("Item", bound=Story | Reply | StoryChange)

PENDING, CHANGES, PUBLISHED = "pending", "changes_requested", "published"
REJECTED, WITHDRAWN, REMOVED = "rejected", "withdrawn", "removed"
HELD, UNREVIEWED = "held", "unreviewed"
STORY_STATES = (PENDING, CHANGES, PUBLISHED, REJECTED, WITHDRAWN, REMOVED, HELD)
REPLY_STATES = (PENDING, CHANGES, PUBLISHED, UNREVIEWED, REJECTED, REMOVED, HELD)

NOT_IN_REVIEW = "This story is not waiting for review. Nothing was changed."
REPLY_NOT_IN_REVIEW = "This reply is not waiting for review. Nothing was changed."
NOT_PUBLISHED = "This is not published, so there is nothing to do. Nothing was changed."
NOT_RESTORABLE = "Only a hidden item that was published can be restored."
NOT_REDACTABLE = "This story is not in review or published. Nothing was changed."
NOT_EDITABLE = "This story can no longer be edited. You can still withdraw it."
ALREADY_SO = "It is already that way; perhaps another moderator got there first."
ALREADY_WITHDRAWN = "This story is already withdrawn."
STORY_GONE = "The story this reply belongs to is no longer published, so the reply cannot be."
CHANGE_NOT_IN_REVIEW = "This is not waiting for review. Nothing was changed."
CHANGE_STORY_GONE = "The story is no longer published, so this cannot be added to it."


@dataclass(frozen=True)
class Transition:
    """One row of the table: from which states, to which status, how it is audited."""

    sources: frozenset[str]
    target: Status | None  # None: the status stays (a flag changes) or the row goes (erase)
    public: bool  # whether the audit entry shows in the public moderation log
    refusal: str  # what the actor is told when the item is in another state
    error: type[DomainError] = AlreadyHandled


def _row(sources, target, public=True, refusal=NOT_PUBLISHED, error=AlreadyHandled) -> Transition:
    return Transition(frozenset(sources), target, public, refusal, error)


ANY_STORY = STORY_STATES
IN_REVIEW = (PENDING, CHANGES)

STORY_TRANSITIONS: dict[str, Transition] = {
    "resubmit": _row(IN_REVIEW, Status.PENDING, False, NOT_EDITABLE, NotAllowed),
    "approve": _row(IN_REVIEW, Status.PUBLISHED, refusal=NOT_IN_REVIEW),
    "request_changes": _row(IN_REVIEW, Status.CHANGES_REQUESTED, False, NOT_IN_REVIEW),
    "reject": _row(IN_REVIEW, Status.REJECTED, refusal=NOT_IN_REVIEW),
    "redact": _row((PENDING, CHANGES, PUBLISHED), Status.CHANGES_REQUESTED, True, NOT_REDACTABLE),
    "accept_redaction": _row((CHANGES,), Status.PUBLISHED),
    "decline_redaction": _row((CHANGES,), Status.WITHDRAWN, False),
    "hide": _row((PUBLISHED, HELD), Status.REMOVED),
    "auto_hide": _row((PUBLISHED,), Status.REMOVED),
    "restore": _row((REMOVED, HELD), Status.PUBLISHED, refusal=NOT_RESTORABLE),
    "lock": _row(ANY_STORY, None),
    "unlock": _row(ANY_STORY, None),
    "pin": _row((PUBLISHED,), None),
    "unpin": _row(ANY_STORY, None),
    "feature": _row((PUBLISHED,), None),
    "unfeature": _row(ANY_STORY, None),
    "withdraw": _row(set(ANY_STORY) - {WITHDRAWN}, Status.WITHDRAWN, False, ALREADY_WITHDRAWN),
    "erase": _row(ANY_STORY, None, False),
}

REPLY_TRANSITIONS: dict[str, Transition] = {
    "approve": _row((PENDING, CHANGES, UNREVIEWED), Status.PUBLISHED, True, REPLY_NOT_IN_REVIEW),
    "reject": _row((PENDING, CHANGES, UNREVIEWED), Status.REJECTED, True, REPLY_NOT_IN_REVIEW),
    "hide": _row((PUBLISHED, UNREVIEWED, HELD), Status.REMOVED),
    "auto_hide": _row((PUBLISHED, UNREVIEWED), Status.REMOVED),
    "restore": _row((REMOVED, HELD), Status.PUBLISHED, refusal=NOT_RESTORABLE),
    "erase": _row(REPLY_STATES, None, False),
}

# A teller's update or proposed revision of a published story (StoryChange): approving an
# update shows it under the story; accepting a revision puts its words in the story's place.
# "amend" is the teller replacing the words of a change still waiting (one open revision per
# story: a second proposal replaces the first). "erase" goes with the story.
CHANGE_STATES = (PENDING, PUBLISHED, REJECTED, REMOVED)
CHANGE_TRANSITIONS: dict[str, Transition] = {
    "amend": _row((PENDING,), None, False, CHANGE_NOT_IN_REVIEW, NotAllowed),
    "approve_update": _row((PENDING,), Status.PUBLISHED, True, CHANGE_NOT_IN_REVIEW),
    "reject_update": _row((PENDING,), Status.REJECTED, False, CHANGE_NOT_IN_REVIEW),
    "hide_update": _row((PUBLISHED,), Status.REMOVED, True),
    "accept_revision": _row((PENDING,), Status.PUBLISHED, True, CHANGE_NOT_IN_REVIEW),
    "decline_revision": _row((PENDING,), Status.REJECTED, False, CHANGE_NOT_IN_REVIEW),
}
UPDATE_ACTIONS = ("amend", "approve_update", "reject_update", "hide_update")
REVISION_ACTIONS = ("amend", "accept_revision", "decline_revision")

# Story flags: (action when set, action when cleared).
FLAGS = {
    "locked": ("lock", "unlock"),
    "pinned": ("pin", "unpin"),
    "featured": ("feature", "unfeature"),
}


def state_of(item: Story | Reply | StoryChange) -> str:
    """The item's state as the tables name it (its status, or "held" or "unreviewed")."""
    if isinstance(item, StoryChange):
        return item.status.value
    if item.status is Status.REMOVED and item.hidden_pending_review:
        return HELD
    if isinstance(item, Reply) and item.status is Status.PUBLISHED and item.awaiting_review:
        return UNREVIEWED
    return item.status.value


def _table(item: Story | Reply | StoryChange) -> dict[str, Transition]:
    if isinstance(item, StoryChange):
        names = UPDATE_ACTIONS if item.kind.value == "update" else REVISION_ACTIONS
        return {name: CHANGE_TRANSITIONS[name] for name in names}
    return REPLY_TRANSITIONS if isinstance(item, Reply) else STORY_TRANSITIONS


def allows(item: Story | Reply | StoryChange, action: str) -> bool:
    """Whether the table lets this action happen to the item in its present state."""
    row = _table(item).get(action)
    return row is not None and state_of(item) in row.sources


def allowed_actions(item: Story | Reply | StoryChange) -> set[str]:
    """Every action the table allows on the item now (what a moderator's page may offer)."""
    return {action for action in _table(item) if allows(item, action)}


# A teller's links under their own story, in the order shown: each is offered when the table
# allows the action it leads to (None: reading their own words is always theirs to do).
TELLER_LINKS = (
    ("edit", "resubmit"),
    ("withdraw", "withdraw"),
    ("download", None),
    ("erase", "erase"),
)


def teller_actions(story: Story) -> list[str]:
    """What the teller's list offers for their story now: edit while it is in review, withdraw
    unless it is withdrawn, download and erase always (read from the table)."""
    return [link for link, action in TELLER_LINKS if action is None or allows(story, action)]


def _begin(item: Story | Reply | StoryChange, action: str, seen_version: int | None) -> Transition:
    """Check the version the actor saw and the transition; the table's row for it."""
    check_version(item, seen_version)
    row = _table(item).get(action)
    if row is None:  # an update's action asked of a revision, or the other way round
        raise NotAllowed(CHANGE_NOT_IN_REVIEW)
    if state_of(item) not in row.sources:
        raise row.error(row.refusal)
    return row


def _finish(
    actor: User | None,
    item: Story | Reply | StoryChange,
    action: str,
    row: Transition,
    reason: str,
) -> None:
    """Set the row's status and what derives from it (the reader-facing counters too), bump
    the version, add the audit entry, and mark the readers' cached pages as changed
    (forum/caching.py)."""
    if isinstance(item, StoryChange):
        _finish_change(actor, item, action, row, reason)
        return
    listed = counters.listed(item) if isinstance(item, Story) else None
    if row.target is Status.PUBLISHED:
        item.published_at = item.published_at or utcnow()
        item.hidden_pending_review = False
        if action != "restore":  # a restored item comes back as it was before it was hidden
            if isinstance(item, Reply):
                item.awaiting_review = False
            else:
                item.moderator_message = ""
    elif row.target is Status.WITHDRAWN:
        # Nothing a reader could find stays marked: withdrawn is never pinned or featured.
        item.published_at = None
        if isinstance(item, Story):
            item.featured = False
            item.pinned = False
    elif row.target is Status.REMOVED:
        if isinstance(item, Reply) and action == "hide" and item.status is Status.PUBLISHED:
            item.awaiting_review = False  # a moderator looked: it leaves the queue
        item.hidden_pending_review = action == "auto_hide"
    elif row.target is Status.REJECTED and isinstance(item, Reply):
        item.published_at = None
        item.awaiting_review = False
    if row.target is not None:
        item.status = row.target
        if isinstance(item, Story):
            counters.story_changed(listed, item)
    item.version += 1
    audit(actor, action, item, reason, public=row.public)
    content_changed()


def _change(
    actor: User | None,
    item: Item,
    action: str,
    reason: str,
    seen_version: int | None = None,
) -> Item:
    row = _begin(item, action, seen_version)
    _finish(actor, item, action, row, reason)
    return item


# --- Stories ---------------------------------------------------------------------------------


def submit_story(story: Story) -> Story:
    """A new story's first state, before it is stored: waiting for review, version 1."""
    story.status = Status.PENDING
    story.published_at = None
    story.version = 1
    return story


def resubmit_story(story: Story, reason: str = "The teller changed the story") -> Story:
    """The teller's edit of a story in review: it goes back to the moderators' queue."""
    return _change(None, story, "resubmit", reason)


def approve_story(
    actor: User | None, story: Story, reason: str, seen_version: int | None = None
) -> Story:
    """Publish a story in review (actor None: the server's operator)."""
    return _change(actor, story, "approve", reason, seen_version)


def request_changes(
    moderator: User, story: Story, message: str, seen_version: int | None = None
) -> Story:
    """Send a story back to its teller with a message they see on their status page."""
    row = _begin(story, "request_changes", seen_version)
    story.moderator_message = message
    _finish(moderator, story, "request_changes", row, message)
    return story


def reject_story(
    moderator: User, story: Story, reason: str, seen_version: int | None = None
) -> Story:
    """Decline to publish a story in review, with a reason the teller sees."""
    row = _begin(story, "reject", seen_version)
    story.moderator_message = reason
    _finish(moderator, story, "reject", row, reason)
    return story


def propose_redaction(
    moderator: User, story: Story, reason: str, seen_version: int | None = None
) -> Story:
    """A moderator's edit waits for the teller: the story leaves public view until decided."""
    row = _begin(story, "redact", seen_version)
    story.moderator_message = reason
    _finish(moderator, story, "redact", row, reason)
    return story


def accept_redaction(story: Story) -> Story:
    """The teller accepted the moderator's edit (the caller applied its words): published."""
    return _change(None, story, "accept_redaction", "The teller accepted a moderator's edit")


def decline_redaction(story: Story) -> Story:
    """The teller refused the moderator's edit: the story is withdrawn."""
    return _change(None, story, "decline_redaction", "The teller withdrew the story")


def withdraw_story(story: Story) -> Story:
    """The teller takes their story down (or out of review); never pinned or featured after."""
    return _change(None, story, "withdraw", "The teller withdrew the story")


def set_flag(
    moderator: User,
    story: Story,
    flag: str,
    value: bool,
    reason: str,
    seen_version: int | None = None,
) -> Story:
    """Lock or unlock replies, pin or unpin, feature or unfeature a story."""
    action = FLAGS[flag][0 if value else 1]
    check_version(story, seen_version)
    if getattr(story, flag) == value:
        raise AlreadyHandled(ALREADY_SO)
    row = _begin(story, action, None)
    setattr(story, flag, value)
    _finish(moderator, story, action, row, reason)
    return story


def erase_story(story: Story, reason: str = "The teller erased the story") -> None:
    """Delete a story and everything written under it; its audit entries stay."""
    _begin(story, "erase", None)
    counters.story_changed(counters.listed(story), None)
    audit(None, "erase", story, reason, public=False)
    db.session.delete(story)
    content_changed()


# --- Replies ---------------------------------------------------------------------------------


def submit_reply(reply: Reply, at_once: bool) -> Reply:
    """A new reply's first state, before it is stored: waiting for review, or (`at_once`, the
    reply policy trusts its author) published and still in the moderators' queue."""
    reply.status = Status.PUBLISHED if at_once else Status.PENDING
    reply.published_at = utcnow() if at_once else None
    reply.awaiting_review = at_once
    reply.version = 1
    if at_once:
        content_changed()  # it shows on its story's page at once
    return reply


def approve_reply(
    moderator: User, reply: Reply, reason: str, seen_version: int | None = None
) -> Reply:
    """Publish a reply in review (or confirm a post-moderated one) under a published story."""
    row = _begin(reply, "approve", seen_version)
    # Fail closed on the thread: a reply never appears under a story readers cannot see.
    if reply.story.status is not Status.PUBLISHED:
        raise AlreadyHandled(STORY_GONE)
    _finish(moderator, reply, "approve", row, reason)
    return reply


def reject_reply(
    moderator: User, reply: Reply, reason: str, seen_version: int | None = None
) -> Reply:
    """Decline to publish a reply (a post-moderated one comes down)."""
    return _change(moderator, reply, "reject", reason, seen_version)


def erase_reply(reply: Reply, reason: str = "The writer erased the reply") -> None:
    """Delete a reply; its audit entries stay."""
    _begin(reply, "erase", None)
    audit(None, "erase", reply, reason, public=False)
    db.session.delete(reply)
    content_changed()


# --- A teller's updates and revisions of a published story ---------------------------------


def _finish_change(
    actor: User | None, change: StoryChange, action: str, row: Transition, reason: str
) -> None:
    if row.target is not None:
        change.status = row.target
        change.decided_at = utcnow()
        if action != "hide_update":
            change.moderator_message = reason
    if row.target is Status.PUBLISHED:
        change.published_at = utcnow()
    change.version += 1
    audit(actor, action, change, reason, public=row.public)
    content_changed()  # a shown update is part of its story's cached page


def amend_change(change: StoryChange, reason: str = "The teller changed what they sent") -> None:
    """The teller's new words for a change still waiting (the caller set them): re-audited."""
    _change(None, change, "amend", reason)


def approve_update(
    moderator: User, change: StoryChange, reason: str, seen_version: int | None = None
) -> StoryChange:
    """Show a teller's "What happened next" under their story (published only)."""
    row = _begin(change, "approve_update", seen_version)
    if change.story.status is not Status.PUBLISHED:
        raise AlreadyHandled(CHANGE_STORY_GONE)
    _finish(moderator, change, "approve_update", row, reason)
    return change


def reject_update(
    moderator: User, change: StoryChange, reason: str, seen_version: int | None = None
) -> StoryChange:
    """Decline to show an update, with a reason its teller sees on their status page."""
    return _change(moderator, change, "reject_update", reason, seen_version)


def hide_update(
    moderator: User, change: StoryChange, reason: str, seen_version: int | None = None
) -> StoryChange:
    """Take a shown update down again."""
    return _change(moderator, change, "hide_update", reason, seen_version)


def accept_revision(
    moderator: User, change: StoryChange, reason: str, seen_version: int | None = None
) -> StoryChange:
    """Put a proposed revision's title and text in the story's place (the search index
    follows by trigger); the story's version goes up and it gets its own audit entry."""
    row = _begin(change, "accept_revision", seen_version)
    story = change.story
    if story.status is not Status.PUBLISHED:
        raise AlreadyHandled(CHANGE_STORY_GONE)
    story.title = change.title
    story.body = change.body
    story.body_html = change.body_html
    story.crisis_flagged = story.crisis_flagged or change.crisis_flagged
    story.identifier_kinds = change.identifier_kinds
    record_edit(moderator, story, "revise", reason)
    _finish(moderator, change, "accept_revision", row, reason)
    return change


def decline_revision(
    moderator: User, change: StoryChange, reason: str, seen_version: int | None = None
) -> StoryChange:
    """Keep the published text; the teller sees the reason on their status page."""
    return _change(moderator, change, "decline_revision", reason, seen_version)


# --- Either ----------------------------------------------------------------------------------


def hide(
    moderator: User, item: Story | Reply, reason: str, seen_version: int | None = None
) -> Story | Reply:
    """Take a published item down; for one held after reports, confirm it stays down."""
    return _change(moderator, item, "hide", reason, seen_version)


def auto_hide(item: Story | Reply, reason: str) -> bool:
    """Hold a published item out of view after enough reports; False if it is not published."""
    if not allows(item, "auto_hide"):
        return False
    _change(None, item, "auto_hide", reason)
    return True


def restore(
    moderator: User, item: Story | Reply, reason: str, seen_version: int | None = None
) -> Story | Reply:
    """Put a hidden item that was published back where readers see it."""
    row = _begin(item, "restore", seen_version)
    if item.published_at is None:
        raise AlreadyHandled(NOT_RESTORABLE)
    # A reply comes back only under a story readers can see (fail closed on the relation).
    if isinstance(item, Reply) and item.story.status is not Status.PUBLISHED:
        raise AlreadyHandled("The story this reply belongs to is not published.")
    _finish(moderator, item, "restore", row, reason)
    return item


def record_edit(
    actor: User | None,
    item: Story | Reply,
    action: str,
    reason: str,
    seen_version: int | None = None,
) -> Story | Reply:
    """A change that keeps the status (tags adjusted, reports dismissed): version, audit and
    a new cache generation."""
    check_version(item, seen_version)
    item.version += 1
    audit(actor, action, item, reason)
    content_changed()
    return item
