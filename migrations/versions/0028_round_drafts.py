"""round_drafts (placeholder: filled in by the work that owns it)

Revision ID: 0028_round_drafts
Revises: 0027_line_manager
Create Date: 2026-11-30 05:30:00
"""

revision = "0028_round_drafts"
down_revision = "0027_line_manager"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
