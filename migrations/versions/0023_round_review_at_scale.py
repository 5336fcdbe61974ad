"""round review at scale: what publication sends, reviewed proposals, replacements

Revision ID: 0023_round_review_at_scale
Revises: 0022_offer_text_trigram
Create Date: 2026-11-30 02:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0023_round_review_at_scale"
down_revision = "0022_offer_text_trigram"
branch_labels = None
depends_on = None

SCOPES = ("approved", "approved_and_unreviewed")


def upgrade() -> None:
    # Existing networks publish only what a coordinator approved, as new ones do; no proposal was replaced
    # under the new rule (the old ones carry {"manual": 0} in their breakdown).
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "publication_scope",
                sa.Enum(*SCOPES, name="publication_scope", native_enum=False, create_constraint=True, length=23),
                nullable=False,
                server_default="approved",
            )
        )
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.alter_column("publication_scope", server_default=None)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.alter_column("replaced", server_default=None)
    # Placements moved by hand before this revision scored {"manual": 0}: mark them replaced.
    op.execute("""UPDATE proposals SET replaced = true WHERE CAST(breakdown AS TEXT) LIKE '%"manual"%'""")


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("replaced")
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_column("publication_scope")
