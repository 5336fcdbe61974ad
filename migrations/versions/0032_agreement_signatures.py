"""agreement_signatures (placeholder: filled in by the work that owns it)

Revision ID: 0032_agreement_signatures
Revises: 0031_network_settings
Create Date: 2026-11-30 05:30:00
"""

revision = "0032_agreement_signatures"
down_revision = "0031_network_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
