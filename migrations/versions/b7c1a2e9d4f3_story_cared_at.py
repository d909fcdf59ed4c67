"""stories.cared_at: when a moderator sent the teller a caring message

Revision ID: b7c1a2e9d4f3
Revises: 080c648f5e59
Create Date: 2026-12-02 19:10:00

"""
from alembic import op
import sqlalchemy as sa
import forum.db


# revision identifiers, used by Alembic.
revision = 'b7c1a2e9d4f3'
down_revision = '080c648f5e59'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cared_at', forum.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('cared_at')
