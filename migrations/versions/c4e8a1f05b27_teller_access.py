"""teller_access: the stories a browser may act on, server-side, keyed by its handle's hash

Revision ID: c4e8a1f05b27
Revises: b7c1a2e9d4f3
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa
import forum.db


# revision identifiers, used by Alembic.
revision = 'c4e8a1f05b27'
down_revision = 'b7c1a2e9d4f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teller_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle_hash', sa.String(length=64), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('sent_code', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_teller_access_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teller_access')),
    sa.UniqueConstraint('handle_hash', 'story_id', name=op.f('uq_teller_access_handle_hash_story_id'))
    )
    with op.batch_alter_table('teller_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teller_access_granted_at'), ['granted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_teller_access_story_id'), ['story_id'], unique=False)


def downgrade():
    with op.batch_alter_table('teller_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teller_access_story_id'))
        batch_op.drop_index(batch_op.f('ix_teller_access_granted_at'))

    op.drop_table('teller_access')
