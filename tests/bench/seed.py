"""Fixed seed data for benchmarks: N published stories with tags, replies and reactions."""

from __future__ import annotations

import random
from datetime import timedelta

from forum.db import db, utcnow
from forum.stories.models import Reaction, ReactionKind, Reply, Status, Story, StoryTag
from forum.taxonomy.models import Tag
from forum.taxonomy.services import load_taxonomy

BODY = (
    "For a long time I felt I was not being heard in the room. " * 6
    + "\n\nWhat helped instead was a peer group that met on Thursdays."
)


def seed(stories: int, replies_per_story: int = 3) -> tuple[int, str]:
    """Insert the data in bulk; return one story id and one busy tag slug."""
    rng = random.Random(42)
    load_taxonomy()
    harm = [t for t in db.session.query(Tag).filter_by(kind="harm")]
    now = utcnow()
    for i in range(stories):
        when = now - timedelta(minutes=i)
        story = Story(
            kind="experience",
            status=Status.PUBLISHED,
            title=f"Story number {i}",
            body=BODY,
            body_html=f"<p>{BODY}</p>",
            form_token_hash=f"{i:064d}",
            author_key=f"{i:064x}",
            published_at=when,
            submitted_at=when,
            content_notes="self-harm" if i % 10 == 0 else "",
        )
        story.story_tags = [
            StoryTag(tag=tag, position=n) for n, tag in enumerate(rng.sample(harm, 3))
        ]
        db.session.add(story)
        db.session.flush()
        for r in range(replies_per_story):
            reply = Reply(
                story_id=story.id,
                status=Status.PUBLISHED,
                body="With you.",
                body_html="<p>With you.</p>",
                alias=f"Anonymous heron {r}",
                form_token_hash=f"{i:032d}{r:032d}",
                published_at=now,
            )
            db.session.add(reply)
            db.session.add(Reaction(story_id=story.id, kind=ReactionKind.HEAR, actor_key=f"u:{r}"))
    db.session.commit()
    first = db.session.query(Story.id).order_by(Story.id).first()[0]
    return first, harm[0].slug
