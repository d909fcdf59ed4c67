"""story_search: the full-text index of published stories, kept by triggers

FTS5 (porter, bm25) on SQLite; a weighted tsvector table with a GIN index on PostgreSQL.
Both are filled by triggers on stories and story_answers (forum/search/schema.py).

Revision ID: c4e8a1f6d2b9
Revises: c4e8a1f05b27
Create Date: 2026-12-03 06:40:00

"""

from alembic import op

from forum.search import schema


# revision identifiers, used by Alembic.
revision = "c4e8a1f6d2b9"
down_revision = "c4e8a1f05b27"
branch_labels = None
depends_on = None


def upgrade():
    schema.create(op.get_bind())


def downgrade():
    schema.drop(op.get_bind())
