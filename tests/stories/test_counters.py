"""The reader counters (forum/stories/counters.py) always equal a recount of the rows.

A random sequence of the changes that move them — sharing, publishing, hiding and restoring,
redaction, withdrawal, moderators' tag changes, erasure (which account deletion uses too) —
runs through the services and the lifecycle; after each step the tag counters and the
published totals are compared with a fresh count, on both engines.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from forum.accounts.models import Role, User
from forum.db import db
from forum.moderation import actions
from forum.stories import counters, lifecycle, reading
from forum.stories.models import Status, Story, StoryKind, StoryTag, StoryTotal
from forum.taxonomy.models import Tag
from tests.factories import load_tags, make_story, make_user

HARM = ["not-heard", "invalidated", "no-say", "prejudice"]
PRACTICE = ["nature", "movement"]
REASON = "Checked against the guidelines"

STORY_ACTIONS = (
    "approve",
    "request_changes",
    "reject",
    "redact",
    "accept_redaction",
    "decline_redaction",
    "hide",
    "auto_hide",
    "restore",
    "withdraw",
    "pin",
    "erase",
    "retag",
)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("share"),
            st.sampled_from(list(StoryKind)),
            st.lists(st.sampled_from(HARM), min_size=1, max_size=3, unique=True),
            st.lists(st.sampled_from(PRACTICE), max_size=2, unique=True),
        ),
        st.tuples(
            st.sampled_from(STORY_ACTIONS),
            st.integers(min_value=0, max_value=30),
            st.lists(st.sampled_from(HARM), min_size=1, max_size=3, unique=True),
            st.lists(st.sampled_from(PRACTICE), min_size=1, max_size=2, unique=True),
        ),
    ),
    min_size=1,
    max_size=25,
)


def recounted() -> tuple[dict[tuple[str, StoryKind], int], dict[StoryKind, int]]:
    """Per (tag, kind) and per kind, the published stories, counted from the rows."""
    per_tag = db.session.execute(
        select(Tag.slug, Story.kind, func.count())
        .join(StoryTag, StoryTag.tag_id == Tag.id)
        .join(Story, Story.id == StoryTag.story_id)
        .where(Story.status == Status.PUBLISHED)
        .group_by(Tag.slug, Story.kind)
    )
    totals = db.session.execute(
        select(Story.kind, func.count())
        .where(Story.status == Status.PUBLISHED)
        .group_by(Story.kind)
    )
    return {(slug, kind): n for slug, kind, n in per_tag}, {kind: n for kind, n in totals}


def kept() -> tuple[dict[tuple[str, StoryKind], int], dict[StoryKind, int]]:
    """The same, as the counters have it (zeros left out)."""
    per_tag = {}
    for tag in db.session.scalars(select(Tag)):
        for kind, n in (
            (StoryKind.EXPERIENCE, tag.experience_stories),
            (StoryKind.PRACTICE, tag.practice_stories),
        ):
            if n:
                per_tag[tag.slug, kind] = n
    totals = {t.kind: t.published for t in db.session.scalars(select(StoryTotal)) if t.published}
    return per_tag, totals


def _act(moderator, action: str, story: Story, harm: list[str], practice: list[str]) -> None:
    """One change, through the service or the lifecycle function that makes it."""
    if action == "retag":
        if story.status in (Status.WITHDRAWN, Status.REJECTED):
            return
        actions.adjust_tags(moderator, story.id, harm, practice, [], REASON)
        return
    if action == "pin":
        if lifecycle.allows(story, "pin") and not story.pinned:
            lifecycle.set_flag(moderator, story, "pinned", True, REASON)
    elif action == "erase":
        lifecycle.erase_story(story)
    elif not lifecycle.allows(story, action) or (action == "restore" and not story.published_at):
        return
    else:
        {
            "approve": lambda: lifecycle.approve_story(moderator, story, REASON),
            "request_changes": lambda: lifecycle.request_changes(moderator, story, REASON),
            "reject": lambda: lifecycle.reject_story(moderator, story, REASON),
            "redact": lambda: lifecycle.propose_redaction(moderator, story, REASON),
            "accept_redaction": lambda: lifecycle.accept_redaction(story),
            "decline_redaction": lambda: lifecycle.decline_redaction(story),
            "hide": lambda: lifecycle.hide(moderator, story, REASON),
            "auto_hide": lambda: lifecycle.auto_hide(story, REASON),
            "restore": lambda: lifecycle.restore(moderator, story, REASON),
            "withdraw": lambda: lifecycle.withdraw_story(story),
        }[action]()
    db.session.commit()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_counters_equal_a_recount_after_any_changes(ctx, steps):
    if db.session.scalar(select(Tag.id).limit(1)) is None:
        load_tags()
        make_user("kestrel", role=Role.MODERATOR)
    moderator = db.session.scalar(select(User).where(User.handle == "kestrel"))
    for step in steps:
        if step[0] == "share":
            _, kind, harm, practice = step
            if kind is StoryKind.PRACTICE and not practice:
                practice = ["nature"]
            make_story(kind=kind, harm_tags=harm, practice_tags=practice)
        else:
            action, index, harm, practice = step
            ids = db.session.scalars(select(Story.id).order_by(Story.id)).all()
            if not ids:
                continue
            story = db.session.get(Story, ids[index % len(ids)])
            assert story is not None
            _act(moderator, action, story, harm, practice)
        db.session.expire_all()
        assert kept() == recounted(), step


def test_the_pages_read_the_counters(ctx, client):
    """/tags, the API's tag list and the /stories heading show what the counters hold."""
    load_tags()
    moderator = make_user("kestrel", role=Role.MODERATOR)
    shown = make_story(harm_tags=["not-heard", "no-say"])
    practice = make_story(
        kind=StoryKind.PRACTICE, harm_tags=["not-heard"], practice_tags=["nature"]
    )
    lifecycle.approve_story(moderator, shown, REASON)
    lifecycle.approve_story(moderator, practice, REASON)
    db.session.commit()
    assert reading.tag_page_counts()["not-heard"] == 1  # a harm tag's page: "What happened"
    assert reading.tag_counts()["not-heard"] == 2
    assert reading.count_published_stories() == reading.Total(2)
    both = reading.StoryFilters(tags=("not-heard",), kind=StoryKind.EXPERIENCE)
    assert reading.count_published_stories(both) == reading.Total(1)
    lifecycle.hide(moderator, shown, REASON)
    db.session.commit()
    assert reading.tag_counts() == {"not-heard": 1, "nature": 1}
    db.session.commit()  # the request below reads in its own transaction
    html = client.get("/stories").get_data(as_text=True)
    assert "1 story" in html
    db.session.execute(update(Tag).values(experience_stories=7))  # as if loaded in bulk
    counters.recount()
    db.session.commit()
    assert kept() == recounted()
