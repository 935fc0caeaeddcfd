"""notification outbox: one row per recipient with its delivery state, unique key and read mark

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 04:17:59.200054

Rows of 0007 were addressed to a government; each becomes one row per user of that government,
marked `skipped` (they were shown in the portal, never e-mailed, and must not be e-mailed now).
"""
from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

EVENTS = (
    'application_submitted', 'correction_requested', 'declared_eligible', 'declared_ineligible', 'reviewer_assigned',
    'review_overdue', 'granted', 'rejected', 'budget_released', 'budget_offered', 'call_closing',
)
STATUSES = ('pending', 'sending', 'sent', 'failed', 'uncertain', 'skipped')
OLD_EVENTS = ('budget_released', 'budget_offered')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _old_table(name, pk_name):
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=pk_name)
    )


def upgrade():
    _old_table('notification_0007', 'pk_notification_0007')
    op.execute('INSERT INTO notification_0007 (id, event, organisation_id, application_id, created_at, details) '
               'SELECT id, event, organisation_id, application_id, created_at, details FROM notification')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_notification_application_id'))
    op.drop_table('notification')

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('enqueued_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint(_in('event', EVENTS), name=op.f('ck_notification_event')),
    sa.CheckConstraint(_in('status', STATUSES), name=op.f('ck_notification_status')),
    sa.CheckConstraint("locale IN ('nl', 'en')", name=op.f('ck_notification_locale')),
    sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name=op.f('ck_notification_sent_has_moment')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notification_attempts_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_notification_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('key', name=op.f('uq_notification_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_notification_status_enqueued_at', ['status', 'enqueued_at'], unique=False)
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.execute(
        "INSERT INTO notification (key, event, application_id, user_id, email, locale, details, created_at, status, attempts) "
        "SELECT 'legacy/' || n.id || '/' || u.email, n.event, n.application_id, u.id, u.email, u.locale, n.details, n.created_at, 'skipped', 0 "
        "FROM notification_0007 n JOIN user_account u ON u.organisation_id = n.organisation_id ORDER BY n.id, u.id"
    )
    op.drop_table('notification_0007')


def downgrade():
    # Back to one row per government: the first user's copy of each 0007-kind event.
    _old_table('notification_0008', 'pk_notification_0008')
    op.execute(
        "INSERT INTO notification_0008 (id, event, organisation_id, application_id, created_at, details) "
        "SELECT n.id, n.event, u.organisation_id, n.application_id, n.created_at, n.details "
        "FROM notification n JOIN user_account u ON u.id = n.user_id "
        f"WHERE u.organisation_id IS NOT NULL AND n.application_id IS NOT NULL AND {_in('n.event', OLD_EVENTS)} "
        "AND n.id = (SELECT min(m.id) FROM notification m JOIN user_account v ON v.id = m.user_id "
        "WHERE m.event = n.event AND m.application_id = n.application_id AND m.created_at = n.created_at "
        "AND v.organisation_id = u.organisation_id)"
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at')
        batch_op.drop_index('ix_notification_status_enqueued_at')
        batch_op.drop_index(batch_op.f('ix_notification_application_id'))
    op.drop_table('notification')

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.CheckConstraint(_in('event', OLD_EVENTS), name=op.f('ck_notification_event')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_notification_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_notification_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_organisation_id'), ['organisation_id'], unique=False)
    op.execute('INSERT INTO notification (id, event, organisation_id, application_id, created_at, details) '
               'SELECT id, event, organisation_id, application_id, created_at, details FROM notification_0008')
    op.drop_table('notification_0008')
