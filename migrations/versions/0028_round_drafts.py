"""round drafts: other settings tried on a round; unmatched agents told by the scheduler; previous placements

Revision ID: 0028_round_drafts
Revises: 0027_line_manager
Create Date: 2026-11-30 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_round_drafts"
down_revision = "0027_line_manager"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "failed", "kept", "discarded")


def upgrade() -> None:
    op.create_table(
        "round_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="draft_status", native_enum=False, create_constraint=True, length=9),
            nullable=False,
        ),
        sa.Column("round_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_round_drafts_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_drafts_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_drafts")),
    )
    with op.batch_alter_table("round_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_drafts_round_id"), ["round_id"], unique=False)
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_result", sa.JSON(), nullable=True))
    # Rounds published before this revision told their unmatched agents at once: nothing is pending.
    with op.batch_alter_table("unmatched_outlooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notify_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("unmatched_outlooks", schema=None) as batch_op:
        batch_op.alter_column("notify_pending", server_default=None)
        batch_op.create_index(batch_op.f("ix_unmatched_outlooks_notify_pending"), ["notify_pending"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unmatched_outlooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unmatched_outlooks_notify_pending"))
        batch_op.drop_column("notified_at")
        batch_op.drop_column("notify_pending")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("previous_result")
    with op.batch_alter_table("round_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_drafts_round_id"))
    op.drop_table("round_drafts")
