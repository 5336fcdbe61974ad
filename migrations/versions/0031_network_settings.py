"""networks: paused rounds, a campaign instead of weekly rounds, four retention periods

Revision ID: 0031_network_settings
Revises: 0030_sites
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_network_settings"
down_revision = "0030_sites"
branch_labels = None
depends_on = None

MODES = ("weekly", "campaign")
CAMPAIGN = (
    "round_mode = 'weekly' OR (campaign_collection_end IS NOT NULL AND campaign_round_date IS NOT NULL"
    " AND campaign_collection_end <= campaign_round_date)"
)
RETENTION = (
    "retention_days >= 1 AND immersion_retention_days >= 1 AND sign_in_log_retention_days >= 1"
    " AND audit_retention_days >= 1"
)
# Existing networks get the defaults of mobilite/limits.py; new rows get them from the model.
SERVER_DEFAULTED = (
    "rounds_paused",
    "round_mode",
    "immersion_retention_days",
    "sign_in_log_retention_days",
    "audit_retention_days",
)


def upgrade() -> None:
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rounds_paused", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column(
                "round_mode",
                sa.Enum(*MODES, name="round_mode", native_enum=False, create_constraint=True, length=8),
                nullable=False,
                server_default="weekly",
            )
        )
        batch_op.add_column(sa.Column("campaign_collection_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("campaign_round_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("immersion_retention_days", sa.Integer(), nullable=False, server_default=str(5 * 365))
        )
        batch_op.add_column(sa.Column("sign_in_log_retention_days", sa.Integer(), nullable=False, server_default="365"))
        batch_op.add_column(
            sa.Column("audit_retention_days", sa.Integer(), nullable=False, server_default=str(5 * 365))
        )
        batch_op.create_check_constraint(op.f("ck_networks_campaign"), CAMPAIGN)
        batch_op.create_check_constraint(op.f("ck_networks_retention"), RETENTION)
    with op.batch_alter_table("networks", schema=None) as batch_op:
        for column in SERVER_DEFAULTED:
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_networks_retention"), type_="check")
        batch_op.drop_constraint(op.f("ck_networks_campaign"), type_="check")
        batch_op.drop_constraint(op.f("ck_networks_round_mode"), type_="check")
        for column in (
            "audit_retention_days",
            "sign_in_log_retention_days",
            "immersion_retention_days",
            "campaign_round_date",
            "campaign_collection_end",
            "round_mode",
            "rounds_paused",
        ):
            batch_op.drop_column(column)
