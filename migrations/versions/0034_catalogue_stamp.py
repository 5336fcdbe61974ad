"""catalogue_stamp: one row whose value changes with every change to the offers' catalogue

Web workers keep the agents' search in memory and rebuild it when this value is no longer the one they built
it at (services.catalogue_index).

Revision ID: 0034_catalogue_stamp
Revises: 0033_immersion_followup
Create Date: 2026-11-30 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_catalogue_stamp"
down_revision = "0033_immersion_followup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = op.create_table(
        "catalogue_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalogue_stamp_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_stamp")),
    )
    op.bulk_insert(stamp, [{"id": 1, "stamp": "initial"}])


def downgrade() -> None:
    op.drop_table("catalogue_stamp")
