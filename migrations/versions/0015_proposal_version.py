"""proposals carry a version: coordinators' decisions can be sent with If-Match

Revision ID: 0015_proposal_version
Revises: 0014_sessions_auth
Create Date: 2026-11-30 00:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_proposal_version'
down_revision = '0014_sessions_auth'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing proposals start at version 1, as new ones do; the model sets it from then on.
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('version')
