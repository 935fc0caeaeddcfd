"""officer safeguards: per call, what eligibility and grant do while the receiving government has not
confirmed (warn or refuse), and who signs the decision letters

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unconfirmed_partner_policy', sa.String(length=20), server_default='warn', nullable=False))
        batch_op.add_column(sa.Column('signatory_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('signatory_function', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_check_constraint('unconfirmed_partner_policy', "unconfirmed_partner_policy IN ('warn', 'refuse')")


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_call_unconfirmed_partner_policy'), type_='check')
        batch_op.drop_column('signatory_function')
        batch_op.drop_column('signatory_name')
        batch_op.drop_column('unconfirmed_partner_policy')
