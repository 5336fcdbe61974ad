"""immersion_followup (placeholder: filled in by the work that owns it)

Revision ID: 0033_immersion_followup
Revises: 0032_agreement_signatures
Create Date: 2026-11-30 05:30:00
"""

revision = "0033_immersion_followup"
down_revision = "0032_agreement_signatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
