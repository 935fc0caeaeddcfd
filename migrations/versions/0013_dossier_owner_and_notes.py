"""dossier owner and internal notes: the officer who handles a dossier, and the administration's notes on it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:20:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_owner_id_user_account'), 'user_account', ['owner_id'], ['id'])

    op.create_table(
        'dossier_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', portal.db.UTCDateTime(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.CheckConstraint("body <> ''", name=op.f('ck_dossier_note_body_not_empty')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_dossier_note_application_id_application'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_dossier_note_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_note')),
    )
    with op.batch_alter_table('dossier_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_note_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dossier_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_note_application_id'))
    op.drop_table('dossier_note')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_owner_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_owner_id'))
        batch_op.drop_column('owner_id')
