"""cache_generations: the generation that every cached reader page's key holds

One row ("content"), rewritten with a new random value in the same transaction as any change
readers could see (forum/caching.py). It starts at a random value too, so a new or restored
database never meets entries a shared Redis kept for another.

Revision ID: c1a7e3d9b5f2
Revises: f1a7c3d9e2b4
Create Date: 2026-12-03 15:30:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1a7e3d9b5f2"
down_revision = "f1a7c3d9e2b4"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "cache_generations",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_cache_generations")),
    )
    op.bulk_insert(table, [{"scope": "content", "value": secrets.randbits(62)}])


def downgrade():
    op.drop_table("cache_generations")
