"""work place from the communes gazetteer

Revision ID: 0020_work_place_commune
Revises: 0019_unmatched_outlook
Create Date: 2026-11-30 02:20:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0020_work_place_commune'
down_revision = '0019_unmatched_outlook'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The commune the agent picked in the gazetteer (INSEE code) and the postcode they chose; the city name
    # and coordinates stay in work_city, work_latitude and work_longitude, copied from the gazetteer.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_commune_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('work_postcode', sa.String(length=5), nullable=False, server_default=''))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('work_postcode', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('work_postcode')
        batch_op.drop_column('work_commune_code')
