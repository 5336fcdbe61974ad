"""sites (placeholder: filled in by the work that owns it)

Revision ID: 0030_sites
Revises: 0029_network_admin
Create Date: 2026-11-30 05:30:00
"""

revision = "0030_sites"
down_revision = "0029_network_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
