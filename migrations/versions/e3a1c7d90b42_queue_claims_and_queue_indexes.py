"""queue_claims (moderators' soft locks on queue items) and indexes for the queue's paging

Revision ID: e3a1c7d90b42
Revises: e2a7d3c91f40
Create Date: 2026-12-03 15:20:00

"""
from alembic import op
import sqlalchemy as sa
import forum.db


# revision identifiers, used by Alembic.
revision = 'e3a1c7d90b42'
down_revision = 'e2a7d3c91f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', forum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_queue_claims_moderator_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_claims')),
    sa.UniqueConstraint('target_type', 'target_id', name=op.f('uq_queue_claims_target_type_target_id'))
    )
    op.create_index(op.f('ix_queue_claims_expires_at'), 'queue_claims', ['expires_at'], unique=False)
    # Plain CREATE INDEX on both engines: no batch copy of stories, so the search schema stays.
    op.create_index('ix_stories_status_submitted', 'stories', ['status', 'submitted_at', 'id'], unique=False)
    op.create_index('ix_replies_status_created', 'replies', ['status', 'created_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_replies_status_created', table_name='replies')
    op.drop_index('ix_stories_status_submitted', table_name='stories')
    op.drop_index(op.f('ix_queue_claims_expires_at'), table_name='queue_claims')
    op.drop_table('queue_claims')
