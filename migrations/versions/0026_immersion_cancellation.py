"""immersions: cancellation, outcome, mission expenses, certificate

Revision ID: 0026_immersion_cancellation
Revises: 0025_account_lifecycle
Create Date: 2026-11-30 03:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0026_immersion_cancellation'
down_revision = '0025_account_lifecycle'
branch_labels = None
depends_on = None

TRAVEL_MODES = ('car', 'public_transport', 'active')


def upgrade() -> None:
    # Existing immersions were never called off and count all their days; existing feedback has no appraisal.
    with op.batch_alter_table('immersions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('days_done', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_immersions_cancelled_by_id_users'), 'users', ['cancelled_by_id'], ['id'], ondelete='SET NULL'
        )
    with op.batch_alter_table('immersions', schema=None) as batch_op:
        batch_op.alter_column('cancel_reason', server_default=None)

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_done', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('appraisal', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.alter_column('appraisal', server_default=None)

    # The civil service's mileage rate for a small car, 0.32 euro a kilometre.
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mileage_rate_cents', sa.Integer(), nullable=False, server_default='32'))
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.alter_column('mileage_rate_cents', server_default=None)

    op.create_table('travel_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('immersion_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum(*TRAVEL_MODES, name='travel_mode', native_enum=False, create_constraint=True,
                              length=16), nullable=False),
    sa.Column('distance_km', sa.Integer(), nullable=False),
    sa.Column('trips', sa.Integer(), nullable=False),
    sa.Column('fare_cents', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('distance_km >= 0 AND trips >= 1 AND amount_cents >= 0', name=op.f('ck_travel_records_amounts')),
    sa.CheckConstraint('fare_cents IS NULL OR fare_cents >= 0', name=op.f('ck_travel_records_fare')),
    sa.ForeignKeyConstraint(['immersion_id'], ['immersions.id'], name=op.f('fk_travel_records_immersion_id_immersions'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_travel_records')),
    sa.UniqueConstraint('immersion_id', name=op.f('uq_travel_records_immersion_id'))
    )


def downgrade() -> None:
    op.drop_table('travel_records')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_column('mileage_rate_cents')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('appraisal')
        batch_op.drop_column('days_done')
    with op.batch_alter_table('immersions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_immersions_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_column('days_done')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
