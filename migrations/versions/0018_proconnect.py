"""ProConnect sign-in: organisation SIRET numbers, password sign-in policy, account subject

Revision ID: 0018_proconnect
Revises: 0017_sessions_start_offer_index
Create Date: 2026-11-30 02:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018_proconnect'
down_revision = '0017_sessions_start_offer_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing organisation keeps password sign-in until its admin or coordinator says otherwise.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_sign_in', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('password_sign_in', server_default=None)

    op.create_table('organisation_sirets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_organisation_sirets_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_sirets')),
    sa.UniqueConstraint('siret', name=op.f('uq_organisation_sirets_siret'))
    )
    with op.batch_alter_table('organisation_sirets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_sirets_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proconnect_sub', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_proconnect_sub'), ['proconnect_sub'])

    op.create_table('used_sign_in_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_sign_in_states')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_used_sign_in_states_state_hash'))
    )
    with op.batch_alter_table('used_sign_in_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_sign_in_states_used_at'), ['used_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('used_sign_in_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_sign_in_states_used_at'))
    op.drop_table('used_sign_in_states')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_proconnect_sub'), type_='unique')
        batch_op.drop_column('proconnect_sub')
    with op.batch_alter_table('organisation_sirets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_sirets_organisation_id'))
    op.drop_table('organisation_sirets')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('password_sign_in')
