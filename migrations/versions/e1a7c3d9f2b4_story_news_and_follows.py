"""story news and follows: each story's last-seen mark, members' follows, and the indexes
that count what is new since a mark

Revision ID: e1a7c3d9f2b4
Revises: c4e8a1f6d2b9
Create Date: 2026-12-03 15:30:00

"""
from alembic import op
import sqlalchemy as sa
import forum.db


# revision identifiers, used by Alembic.
revision = 'e1a7c3d9f2b4'
down_revision = 'c4e8a1f6d2b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('story_last_seen',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('seen_until', forum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_last_seen_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', name=op.f('pk_story_last_seen'))
    )
    op.create_table('story_follows',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('followed_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('seen_until', forum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_follows_story_id_stories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_story_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'story_id', name=op.f('pk_story_follows'))
    )
    op.create_index(op.f('ix_story_follows_story_id'), 'story_follows', ['story_id'], unique=False)
    op.create_index('ix_story_follows_user_followed', 'story_follows', ['user_id', 'followed_at'], unique=False)
    op.create_index('ix_replies_story_status_published', 'replies', ['story_id', 'status', 'published_at'], unique=False)
    op.create_index('ix_reactions_story_created', 'reactions', ['story_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_reactions_story_created', table_name='reactions')
    op.drop_index('ix_replies_story_status_published', table_name='replies')
    op.drop_index('ix_story_follows_user_followed', table_name='story_follows')
    op.drop_index(op.f('ix_story_follows_story_id'), table_name='story_follows')
    op.drop_table('story_follows')
    op.drop_table('story_last_seen')
