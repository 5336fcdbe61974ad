"""offer sessions by (start date, offer): the catalogue walks upcoming sessions in that order

Revision ID: 0017_sessions_start_offer_index
Revises: 0016_notification_html
Create Date: 2026-11-30 00:50:00
"""

from alembic import op


revision = '0017_sessions_start_offer_index'
down_revision = '0016_notification_html'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offer_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_offer_sessions_start_offer', ['start_date', 'offer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offer_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_sessions_start_offer')
