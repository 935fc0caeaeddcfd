"""the receiving government declines with a reason (never both confirmed and declined), the giving
government declares an early end of the trajectory, and the event that tells of a decline

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 16:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_EVENTS = (
    "application_submitted",
    "correction_requested",
    "declared_eligible",
    "declared_ineligible",
    "reviewer_assigned",
    "review_overdue",
    "granted",
    "rejected",
    "budget_released",
    "budget_offered",
    "call_closing",
    "payout_approved",
    "payout_paid",
    "report_due",
    "payout_awaiting_approval",
    "offer_registered",
    "need_registered",
    "match_proposed",
    "match_accepted",
    "match_confirmed",
    "match_declined",
    "match_cancelled",
)
NEW_EVENTS = ("participation_declined",)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _event_check(events):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_event"), type_="check")
        batch_op.create_check_constraint("event", _in("event", events))


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receiving_declined_at", portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("receiving_declined_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receiving_decline_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("early_end_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("early_end_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("early_end_declared_at", portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("early_end_declared_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_application_receiving_declined_by_id_user_account"),
            "user_account",
            ["receiving_declined_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_application_early_end_declared_by_id_user_account"),
            "user_account",
            ["early_end_declared_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "confirmed_or_declined", "receiving_confirmed_at IS NULL OR receiving_declined_at IS NULL"
        )
        batch_op.create_check_constraint(
            "decline_has_reason",
            "receiving_declined_at IS NULL OR (receiving_declined_by_id IS NOT NULL AND receiving_decline_reason IS NOT NULL AND receiving_decline_reason <> '')",
        )
        batch_op.create_check_constraint(
            "early_end_declared",
            "early_end_on IS NULL OR (early_end_reason IS NOT NULL AND early_end_reason <> '' AND early_end_declared_at IS NOT NULL AND early_end_declared_by_id IS NOT NULL)",
        )
    _event_check(OLD_EVENTS + NEW_EVENTS)


def downgrade():
    # The decline messages go with the declines: the older event list would refuse them.
    op.execute(f"DELETE FROM notification WHERE {_in('event', NEW_EVENTS)}")
    _event_check(OLD_EVENTS)
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_application_early_end_declared"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_application_decline_has_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_application_confirmed_or_declined"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_application_early_end_declared_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_application_receiving_declined_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("early_end_declared_by_id")
        batch_op.drop_column("early_end_declared_at")
        batch_op.drop_column("early_end_reason")
        batch_op.drop_column("early_end_on")
        batch_op.drop_column("receiving_decline_reason")
        batch_op.drop_column("receiving_declined_by_id")
        batch_op.drop_column("receiving_declined_at")
