"""round state under a lock: heartbeat, attempts

Revision ID: 0013_round_state
Revises: 0012_outbox_scheduler
Create Date: 2026-11-29 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_round_state'
down_revision = '0012_outbox_scheduler'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A running round's runner writes heartbeat_at every few seconds; the scheduler requeues a round whose
    # heartbeat stopped (a killed process) instead of waiting 15 minutes and failing it for good.
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    # `error` now holds a failure code (error, interrupted) that pages translate; the raw exception text,
    # SQL included, goes to the log only. Codes replace what older runs stored.
    op.execute("UPDATE rounds SET error = 'interrupted' WHERE error LIKE 'interrupted%'")
    op.execute("UPDATE rounds SET error = 'error' WHERE error <> '' AND error <> 'interrupted'")


def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
