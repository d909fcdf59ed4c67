"""story_changes (teller updates and revisions of published stories) and saved_drafts

Revision ID: e2a7d3c91f40
Revises: e1a7c3d9f2b4
Create Date: 2026-12-03 15:20:00

"""
from alembic import op
import sqlalchemy as sa
import forum.db


# revision identifiers, used by Alembic.
revision = 'e2a7d3c91f40'
down_revision = 'e1a7c3d9f2b4'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'changes_requested', 'published', 'rejected', 'withdrawn', 'removed')


def upgrade():
    op.create_table('story_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('update', 'revision', name='changekind', native_enum=False, length=12), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='status', native_enum=False, length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('form_token_hash', sa.String(length=64), nullable=False),
    sa.Column('crisis_flagged', sa.Boolean(), nullable=False),
    sa.Column('identifier_kinds', sa.String(length=200), nullable=False),
    sa.Column('moderator_message', sa.Text(), nullable=False),
    sa.Column('published_at', forum.db.UTCDateTime(), nullable=True),
    sa.Column('decided_at', forum.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_story_changes_version_positive')),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_changes_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_changes')),
    sa.UniqueConstraint('form_token_hash', name=op.f('uq_story_changes_form_token_hash'))
    )
    with op.batch_alter_table('story_changes', schema=None) as batch_op:
        batch_op.create_index('ix_story_changes_story_kind_status', ['story_id', 'kind', 'status', 'id'], unique=False)
        batch_op.create_index('ix_story_changes_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('saved_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('saved_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_drafts')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_saved_drafts_code_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_saved_drafts_user_id'))
    )
    with op.batch_alter_table('saved_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_drafts_saved_at'), ['saved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_drafts_saved_at'))
    op.drop_table('saved_drafts')
    with op.batch_alter_table('story_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_story_changes_status_created')
        batch_op.drop_index('ix_story_changes_story_kind_status')
    op.drop_table('story_changes')
