"""notifications: the in-app inbox, preferences per kind, digests, failing addresses

Revision ID: 0024_notification_inbox
Revises: 0023_round_review_at_scale
Create Date: 2026-11-30 02:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0024_notification_inbox'
down_revision = '0023_round_review_at_scale'
branch_labels = None
depends_on = None

DELIVERIES = ('app', 'email', 'waiting', 'digest')
CHANNELS = ('immediate', 'digest', 'app')


def upgrade() -> None:
    # An address the relay refused for good; existing accounts have none.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounced_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bounced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bounce_reason', sa.String(length=300), nullable=False, server_default=''))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('bounced_email', server_default=None)
        batch_op.alter_column('bounce_reason', server_default=None)

    # Messages queued before have no unsubscribe link: they go out as they always did.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('unsubscribe_url', server_default=None)

    op.create_table('inbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery', sa.Enum(*DELIVERIES, name='inbox_delivery', native_enum=False, create_constraint=True,
                                  length=7), nullable=False),
    sa.Column('digest_key', sa.String(length=40), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['notifications.id'], name=op.f('fk_inbox_items_outbox_id_notifications'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inbox_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items'))
    )
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_items_user_read', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_inbox_items_delivery_digest', ['delivery', 'digest_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_items_outbox_id'), ['outbox_id'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.Enum(*CHANNELS, name='notification_channel', native_enum=False, create_constraint=True,
                                 length=9), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'category', name=op.f('uq_notification_preferences_user_id_category'))
    )

    op.create_table('email_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_outs')),
    sa.UniqueConstraint('email', 'category', name=op.f('uq_email_opt_outs_email_category'))
    )

    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders')),
    sa.UniqueConstraint('topic', name=op.f('uq_sent_reminders_topic'))
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminders_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminders_created_at'))
    op.drop_table('sent_reminders')
    op.drop_table('email_opt_outs')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_items_outbox_id'))
        batch_op.drop_index('ix_inbox_items_delivery_digest')
        batch_op.drop_index('ix_inbox_items_user_read')
    op.drop_table('inbox_items')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('bounce_reason')
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('bounced_email')
