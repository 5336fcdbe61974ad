"""indexes for the agents' offer search

Revision ID: 0002_search_indexes
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""

from alembic import op


revision = '0002_search_indexes'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offer_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_offer_sessions_offer_start', ['offer_id', 'start_date'], unique=False)
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_status_published', ['status', 'published_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_status_published')
    with op.batch_alter_table('offer_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_sessions_offer_start')
