"""organisations: accessibility notes and suspension by the coordination

Revision ID: 0029_network_admin
Revises: 0028_round_drafts
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_network_admin"
down_revision = "0028_round_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing organisations have no notes yet and are all active.
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accessibility_notes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspension_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("accessibility_notes", server_default=None)
        batch_op.alter_column("suspension_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("suspension_reason")
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("accessibility_notes")
