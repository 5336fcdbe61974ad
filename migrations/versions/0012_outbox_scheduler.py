"""outbox claims and priorities, scheduler leader lease

Revision ID: 0012_outbox_scheduler
Revises: 0011_api_tokens
Create Date: 2026-11-29 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_outbox_scheduler'
down_revision = '0011_api_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Outbox: a priority (account and security e-mails first) and a sender's claim with a lease, so two
    # schedulers never send one message twice and a crashed sender's messages are tried again.
    # The scheduler's leader lease needs no table: a PostgreSQL advisory lock, or a file lock beside SQLite.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index('ix_notifications_status_next_attempt')
        batch_op.create_index('ix_notifications_status_priority_next_attempt',
                              ['status', 'priority', 'next_attempt_at'], unique=False)
    # Messages already queued for an account or a password go first too.
    op.execute("UPDATE notifications SET priority = 0 WHERE kind LIKE 'password.%' OR kind LIKE 'account.%'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('priority', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_status_priority_next_attempt')
        batch_op.create_index('ix_notifications_status_next_attempt', ['status', 'next_attempt_at'], unique=False)
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('priority')
