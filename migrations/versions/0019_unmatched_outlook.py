"""what an unmatched agent is told after a round

Revision ID: 0019_unmatched_outlook
Revises: 0018_proconnect
Create Date: 2026-11-30 02:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0019_unmatched_outlook'
down_revision = '0018_proconnect'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmatched_outlooks',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['immersion_requests.id'], name=op.f('fk_unmatched_outlooks_request_id_immersion_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_unmatched_outlooks_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'request_id', name=op.f('pk_unmatched_outlooks'))
    )
    with op.batch_alter_table('unmatched_outlooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmatched_outlooks_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unmatched_outlooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmatched_outlooks_request_id'))

    op.drop_table('unmatched_outlooks')
