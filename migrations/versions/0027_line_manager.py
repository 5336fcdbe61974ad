"""requests: career project, line manager's opinion, notice

Revision ID: 0027_line_manager
Revises: 0026_immersion_cancellation
Create Date: 2026-11-30 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_line_manager"
down_revision = "0026_immersion_cancellation"
branch_labels = None
depends_on = None

SETTINGS = ("required", "advisory", "skipped")
OPINIONS = ("favourable", "unfavourable")


def upgrade() -> None:
    # Existing networks get the law's three months of notice and an advisory opinion of the line manager.
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_days", sa.Integer(), nullable=False, server_default="90"))
        batch_op.add_column(
            sa.Column(
                "line_manager_opinion",
                sa.Enum(*SETTINGS, name="opinion_setting", native_enum=False, create_constraint=True, length=8),
                nullable=False,
                server_default="advisory",
            )
        )
        batch_op.add_column(sa.Column("opinion_deadline_days", sa.Integer(), nullable=False, server_default="15"))
        batch_op.create_check_constraint(op.f("ck_networks_notice"), "notice_days >= 0 AND opinion_deadline_days >= 1")
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.alter_column("notice_days", server_default=None)
        batch_op.alter_column("line_manager_opinion", server_default=None)
        batch_op.alter_column("opinion_deadline_days", server_default=None)

    # Requests made before keep an empty career project and no line manager: nobody is asked afterwards.
    with op.batch_alter_table("immersion_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("career_project", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("shorter_notice_agreed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("line_manager_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("line_manager_email", sa.String(length=254), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "opinion",
                sa.Enum(*OPINIONS, name="manager_opinion", native_enum=False, create_constraint=True, length=12),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("opinion_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("opinion_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("opinion_nonce", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("opinion_reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_immersion_requests_line_manager_id_users", "users", ["line_manager_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_immersion_requests_line_manager_id", ["line_manager_id"], unique=False)
    with op.batch_alter_table("immersion_requests", schema=None) as batch_op:
        for column in (
            "career_project",
            "shorter_notice_agreed",
            "line_manager_email",
            "opinion_reason",
            "opinion_nonce",
        ):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("immersion_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_immersion_requests_line_manager_id")
        batch_op.drop_constraint("fk_immersion_requests_line_manager_id_users", type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_immersion_requests_manager_opinion"), type_="check")
        for column in (
            "opinion_reminded_at",
            "opinion_nonce",
            "opinion_at",
            "opinion_reason",
            "opinion",
            "line_manager_email",
            "line_manager_id",
            "shorter_notice_agreed",
            "career_project",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_networks_notice"), type_="check")
        batch_op.drop_constraint(op.f("ck_networks_opinion_setting"), type_="check")
        batch_op.drop_column("opinion_deadline_days")
        batch_op.drop_column("line_manager_opinion")
        batch_op.drop_column("notice_days")
