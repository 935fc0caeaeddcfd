"""retention of personal data: each call's periods (granted, refused/withdrawn/never submitted, matchmaking
listings) and the moment a dossier, a listing or a user was anonymised

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PERIODS = (("retention_granted_months", "120"), ("retention_refused_months", "24"), ("retention_listing_months", "12"))
MARKED = ("application", "offer", "need", "user_account")


def upgrade():
    with op.batch_alter_table("call", schema=None) as batch_op:
        for column, default in PERIODS:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default=default, nullable=False))
        batch_op.create_check_constraint(
            "retention_periods",
            " AND ".join(f"{column} BETWEEN 0 AND 600" for column, _ in PERIODS),
        )
    for table in MARKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("anonymised_at", portal.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    for table in reversed(MARKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("anonymised_at")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_call_retention_periods"), type_="check")
        for column, _ in reversed(PERIODS):
            batch_op.drop_column(column)
