"""network_settings (placeholder: filled in by the work that owns it)

Revision ID: 0031_network_settings
Revises: 0030_sites
Create Date: 2026-11-30 05:30:00
"""

revision = "0031_network_settings"
down_revision = "0030_sites"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
