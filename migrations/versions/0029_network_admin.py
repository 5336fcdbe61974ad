"""network_admin (placeholder: filled in by the work that owns it)

Revision ID: 0029_network_admin
Revises: 0028_round_drafts
Create Date: 2026-11-30 05:30:00
"""

revision = "0029_network_admin"
down_revision = "0028_round_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
