"""Flat page cost: reader counters and the indexes the listings read in keyset order

Tag counters (published stories of each kind carrying the tag) and per-kind published totals,
filled from the rows as they are now (forum/stories/counters.py keeps them after); partial
indexes for the pinned and the featured stories leading a page, and one for listings of one kind.

Revision ID: f1a7c3d9e2b4
Revises: e3a1c7d90b42
Create Date: 2026-12-03 15:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f1a7c3d9e2b4"
down_revision = "e3a1c7d90b42"
branch_labels = None
depends_on = None

KIND = sa.Enum("experience", "practice", name="storykind", native_enum=False, length=24)


def upgrade():
    # add_column keeps the stories and tags tables (and the search triggers) as they are.
    op.add_column(
        "tags", sa.Column("experience_stories", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "tags", sa.Column("practice_stories", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "story_totals",
        sa.Column("kind", KIND, nullable=False),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_story_totals")),
    )
    op.create_index(
        "ix_stories_status_kind_published",
        "stories",
        ["status", "kind", "published_at", "id"],
    )
    op.create_index(
        "ix_stories_pinned",
        "stories",
        ["pinned", "status", "published_at", "id"],
        sqlite_where=sa.text("pinned = 1"),
        postgresql_where=sa.text("pinned"),
    )
    op.create_index(
        "ix_stories_featured",
        "stories",
        ["featured", "status", "published_at", "id"],
        sqlite_where=sa.text("featured = 1"),
        postgresql_where=sa.text("featured"),
    )
    for kind, column in (("experience", "experience_stories"), ("practice", "practice_stories")):
        op.execute(
            f"UPDATE tags SET {column} = (SELECT count(*) FROM story_tags st "  # noqa: S608
            "JOIN stories s ON s.id = st.story_id WHERE st.tag_id = tags.id "
            f"AND s.status = 'published' AND s.kind = '{kind}')"
        )
        op.execute(
            "INSERT INTO story_totals (kind, published) "  # noqa: S608
            f"SELECT '{kind}', count(*) FROM stories "
            f"WHERE status = 'published' AND kind = '{kind}'"
        )


def downgrade():
    op.drop_index("ix_stories_featured", table_name="stories")
    op.drop_index("ix_stories_pinned", table_name="stories")
    op.drop_index("ix_stories_status_kind_published", table_name="stories")
    op.drop_table("story_totals")
    with op.batch_alter_table("tags") as batch_op:
        batch_op.drop_column("practice_stories")
        batch_op.drop_column("experience_stories")
