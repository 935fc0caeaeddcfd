"""reviewer's form: a description per score level of every rubric criterion (Dutch and English), and
the moment a reviewer declared having no conflict of interest (asked before the scores)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level_descriptions_nl', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('level_descriptions_en', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_conflict_declared_at', portal.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('no_conflict_declared_at')
    with op.batch_alter_table('call_criterion', schema=None) as batch_op:
        batch_op.drop_column('level_descriptions_en')
        batch_op.drop_column('level_descriptions_nl')
