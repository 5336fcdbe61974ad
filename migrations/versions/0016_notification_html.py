"""e-mails with an HTML part: the outbox keeps it beside the text

Revision ID: 0016_notification_html
Revises: 0015_proposal_version
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_notification_html'
down_revision = '0015_proposal_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Messages queued before have no HTML part (''): they go out as plain text, as they always did.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('html_body', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('html_body')
