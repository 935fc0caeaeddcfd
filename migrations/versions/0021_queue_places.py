"""the queue without counting it: each call keeps how many of its dossiers hold a place in its queue, and
the last waiting place of a call is one index step away

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 22:45:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# workflows.applications.WITHOUT_A_PLACE, as it is when this revision is written.
WITHOUT_A_PLACE = ("draft", "withdrawn", "correction_requested")


def upgrade():
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_places", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint("queue_places_not_negative", "queue_places >= 0")
    without = ", ".join(f"'{state}'" for state in WITHOUT_A_PLACE)
    op.execute(
        "UPDATE call SET queue_places = (SELECT count(*) FROM application"
        f" WHERE application.call_id = call.id AND application.state NOT IN ({without}))"
    )
    op.create_index("ix_reservation_call_waiting_place", "reservation", ["call_id", "waiting_place"], unique=False)


def downgrade():
    op.drop_index("ix_reservation_call_waiting_place", table_name="reservation")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_call_queue_places_not_negative"), type_="check")
        batch_op.drop_column("queue_places")
