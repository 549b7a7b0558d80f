"""The ownership register: who owns the parties (direct holdings with their source and date), kept with its
history (a change supersedes a row, a removal ends it; nothing is overwritten).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ownership_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=1000), nullable=False),
    sa.Column('owner_key', sa.String(length=400), nullable=False),
    sa.Column('owned', sa.String(length=1000), nullable=False),
    sa.Column('owned_key', sa.String(length=400), nullable=False),
    sa.Column('percent', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_key', sa.String(length=64), nullable=True),
    sa.Column('supersedes', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.Column('ended_at', sa.String(length=40), nullable=True),
    sa.Column('ended_by', sa.String(length=200), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'current') = (current_key IS NOT NULL)",
                       name=op.f('ck_ownership_entries_current_key')),
    sa.CheckConstraint("status IN ('current', 'superseded', 'removed')", name=op.f('ck_ownership_entries_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ownership_entries')),
    sa.UniqueConstraint('current_key', name=op.f('uq_ownership_entries_current_key'))
    )
    with op.batch_alter_table('ownership_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownership_entries_owned_key'), ['owned_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_ownership_entries_owner_key'), ['owner_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ownership_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownership_entries_owner_key'))
        batch_op.drop_index(batch_op.f('ix_ownership_entries_owned_key'))
    op.drop_table('ownership_entries')
