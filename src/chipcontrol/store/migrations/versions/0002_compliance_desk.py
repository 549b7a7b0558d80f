"""The compliance desk: review queue (items and decisions), known parties (re-screened when a list changes), list
changes with their diff and report, idempotency keys and a unique shipment reference per licence, and shipment
voids (compensating records).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('response_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('scope', 'key', name='uq_idempotency_keys_scope_key')
    )
    op.create_table('known_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_key', sa.String(length=400), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_parties')),
    sa.UniqueConstraint('party_key', 'country', name='uq_known_parties_party_country')
    )
    op.create_table('list_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_row', sa.String(length=80), nullable=False),
    sa.Column('lists_json', sa.Text(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('diff_json', sa.Text(), nullable=False),
    sa.Column('report_json', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_changes'))
    )
    op.create_table('review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_key', sa.String(length=400), nullable=False),
    sa.Column('party', sa.String(length=1000), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('entry_id', sa.String(length=200), nullable=False),
    sa.Column('entry_version', sa.String(length=64), nullable=False),
    sa.Column('list_id', sa.String(length=40), nullable=False),
    sa.Column('listed_name', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('blocking', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.Column('hit_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items')),
    sa.UniqueConstraint('party_key', 'entry_id', 'entry_version', name='uq_review_items_triple')
    )
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.create_index('ix_review_items_status_id', ['status', 'id'], unique=False)

    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['review_items.id'], name=op.f('fk_review_decisions_item_id_review_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions'))
    )
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_decisions_item_id'), ['item_id'], unique=False)

    op.create_table('shipment_voids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['audit_seq'], ['audit_records.seq'],
                            name=op.f('fk_shipment_voids_audit_seq_audit_records')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_voids_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_voids')),
    sa.UniqueConstraint('shipment_id', name=op.f('uq_shipment_voids_shipment_id'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('uq_shipments_licence_reference', ['licence_id', 'reference'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('uq_shipments_licence_reference')

    op.drop_table('shipment_voids')
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_decisions_item_id'))

    op.drop_table('review_decisions')
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_items_status_id')

    op.drop_table('review_items')
    op.drop_table('list_changes')
    op.drop_table('known_parties')
    op.drop_table('idempotency_keys')
