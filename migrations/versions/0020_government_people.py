"""a government's own people: access requests through the public form (pending, approved or refused with a
reason), and the events that tell of removed or restored access and of access requests

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
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
    "participation_declined",
)
NEW_EVENTS = ("access_revoked", "access_restored", "access_requested", "access_request_refused")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _event_check(events):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_event"), type_="check")
        batch_op.create_check_constraint("event", _in("event", events))


def upgrade():
    op.create_table(
        "access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("function", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused')", name=op.f("ck_access_request_state")
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_access_request_email_lowercase")),
        sa.CheckConstraint(
            "state = 'pending' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name=op.f("ck_access_request_decided_has_who_and_when"),
        ),
        sa.CheckConstraint(
            "state <> 'refused' OR (refusal_reason IS NOT NULL AND refusal_reason <> '')",
            name=op.f("ck_access_request_refusal_has_reason"),
        ),
        sa.CheckConstraint(
            "state <> 'approved' OR user_id IS NOT NULL", name=op.f("ck_access_request_approval_has_account")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_access_request_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_access_request_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_access_request_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_request_email"), ["email"], unique=False)
        batch_op.create_index("ix_access_request_state_created_at", ["state", "created_at"], unique=False)
    _event_check(OLD_EVENTS + NEW_EVENTS)


def downgrade():
    # The messages of these events go with them: the older event list would refuse them.
    op.execute(f"DELETE FROM notification WHERE {_in('event', NEW_EVENTS)}")
    _event_check(OLD_EVENTS)
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index("ix_access_request_state_created_at")
        batch_op.drop_index(batch_op.f("ix_access_request_email"))
    op.drop_table("access_request")
