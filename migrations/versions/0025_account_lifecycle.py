"""accounts for their whole life: deactivation, erasure, sign-in history, offer sites

Revision ID: 0025_account_lifecycle
Revises: 0024_notification_inbox
Create Date: 2026-11-30 03:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025_account_lifecycle'
down_revision = '0024_notification_inbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Who switched an account off and when, and when its personal data was erased. The sign-in history
    # is the audit log's sign-in events: no table of its own.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            'fk_users_deactivated_by_id_users', 'users', ['deactivated_by_id'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('fk_users_deactivated_by_id_users', type_='foreignkey')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('deactivated_by_id')
        batch_op.drop_column('deactivated_at')
