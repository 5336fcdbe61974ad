"""immersion_followup: the host's feedback given by the tutor, and the agent's career history

- feedback.tutor_name: the tutor who gave the host's feedback through their one-time link (empty: an account
  gave it).
- career_entries: the immersions an agent added to their profile's history, as their certificate states them.

Revision ID: 0033_immersion_followup
Revises: 0032_agreement_signatures
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_immersion_followup"
down_revision = "0032_agreement_signatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tutor_name", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("tutor_name", server_default=None)

    op.create_table(
        "career_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("immersion_id", sa.Integer(), nullable=False),
        sa.Column("host_name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("days_done", sa.Integer(), nullable=False),
        sa.Column("functions_observed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_career_entries_dates")),
        sa.CheckConstraint("days_done BETWEEN 1 AND 10", name=op.f("ck_career_entries_days_done")),
        sa.ForeignKeyConstraint(
            ["immersion_id"],
            ["immersions.id"],
            name=op.f("fk_career_entries_immersion_id_immersions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_career_entries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_career_entries")),
        sa.UniqueConstraint("immersion_id", name=op.f("uq_career_entries_immersion_id")),
    )
    with op.batch_alter_table("career_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_career_entries_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("career_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_career_entries_user_id"))
    op.drop_table("career_entries")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("tutor_name")
