"""first-day meeting time and place of an offer

Revision ID: 0021_first_day_meeting
Revises: 0020_work_place_commune
Create Date: 2026-11-30 02:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0021_first_day_meeting'
down_revision = '0020_work_place_commune'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing offers have no meeting time and an empty meeting place, as new ones do until HR gives them.
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('meeting_place', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.alter_column('meeting_place', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('meeting_place')
        batch_op.drop_column('meeting_time')
