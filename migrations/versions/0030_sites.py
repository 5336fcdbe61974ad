"""sites of organisations, and an offer's own site

Revision ID: 0030_sites
Revises: 0029_network_admin
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_sites"
down_revision = "0029_network_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A site's commune and coordinates come from the gazetteer; existing offers keep their organisation's
    # address (no site).
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_sites_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_sites_longitude")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sites_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    op.create_index("ix_sites_organisation_name", "sites", ["organisation_id", "name"], unique=False)
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_offers_site_id"), ["site_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_offers_site_id_sites"), "sites", ["site_id"], ["id"], ondelete="RESTRICT"
        )


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_offers_site_id_sites"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_offers_site_id"))
        batch_op.drop_column("site_id")
    op.drop_index("ix_sites_organisation_name", table_name="sites")
    op.drop_table("sites")
