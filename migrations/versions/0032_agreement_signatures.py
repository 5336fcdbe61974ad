"""agreements: the three-party agreement, filled in and signed online, with each signature's evidence

Revision ID: 0032_agreement_signatures
Revises: 0031_network_settings
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_agreement_signatures"
down_revision = "0031_network_settings"
branch_labels = None
depends_on = None

STATES = ("drafted", "completed", "checked", "signing", "signed")
PARTIES = ("agent", "home", "host")
METHODS = ("password", "proconnect", "one_time_link", "api_token")
BEARERS = ("home", "host")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values)))


def upgrade() -> None:
    # Existing networks sign in the default order: the agent, the home employer, the host.
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signing_order", sa.String(length=40), nullable=False, server_default="agent,home,host")
        )
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.alter_column("signing_order", server_default=None)

    # Existing immersions get their agreement drafted when it is first read (services/agreement.py).
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("immersion_id", sa.Integer(), nullable=False),
        sa.Column("state", _enum(STATES, "agreement_state"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("functions_observed", sa.Text(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("daily_hours", sa.String(length=200), nullable=False),
        sa.Column("travel_costs_by", _enum(BEARERS, "travel_costs_bearer"), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("signed_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsigned_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_agreements_version")),
        sa.ForeignKeyConstraint(
            ["immersion_id"], ["immersions.id"], name=op.f("fk_agreements_immersion_id_immersions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_agreements_completed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["users.id"], name=op.f("fk_agreements_checked_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("immersion_id", name=op.f("uq_agreements_immersion_id")),
    )
    op.create_table(
        "agreement_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("party", _enum(PARTIES, "signature_party"), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signer_email", sa.String(length=254), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("auth_method", _enum(METHODS, "signature_auth_method"), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_signatures_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["users.id"], name=op.f("fk_agreement_signatures_signer_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signatures")),
    )
    op.create_index(
        op.f("ix_agreement_signatures_agreement_id"), "agreement_signatures", ["agreement_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_agreement_signatures_agreement_id"), table_name="agreement_signatures")
    op.drop_table("agreement_signatures")
    op.drop_table("agreements")
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_column("signing_order")
