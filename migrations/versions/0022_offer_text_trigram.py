"""trigram indexes for the search's "contains" filter on offers (PostgreSQL only)

Revision ID: 0022_offer_text_trigram
Revises: 0021_first_day_meeting
Create Date: 2026-11-30 02:40:00
"""

from alembic import op


revision = "0022_offer_text_trigram"
down_revision = "0021_first_day_meeting"
branch_labels = None
depends_on = None

COLUMNS = ("title", "team", "description")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.create_index(
            f"ix_offers_{column}_trgm",
            "offers",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.drop_index(f"ix_offers_{column}_trgm", table_name="offers")
