"""the committee's meeting on a call (members present, remarks, its minutes) and the decisions taken in it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import portal.db  # noqa: F401  (column types of the models)


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "committee_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("minutes_name", sa.String(length=64), nullable=True),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_committee_meeting_state")),
        sa.CheckConstraint(
            "(state = 'open' AND closed_at IS NULL AND closed_by_id IS NULL AND minutes_name IS NULL)"
            " OR (state = 'closed' AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL AND minutes_name IS NOT NULL)",
            name=op.f("ck_committee_meeting_closed_has_minutes"),
        ),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"], name=op.f("fk_committee_meeting_call_id_call")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["user_account.id"], name=op.f("fk_committee_meeting_opened_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user_account.id"], name=op.f("fk_committee_meeting_closed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["minutes_name"], ["stored_file.name"], name=op.f("fk_committee_meeting_minutes_name_stored_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_meeting")),
        sa.UniqueConstraint("minutes_name", name=op.f("uq_committee_meeting_minutes_name")),
    )
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_meeting_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "uq_committee_meeting_call_open",
            ["call_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
    op.create_table(
        "meeting_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("decided_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('grant', 'reject')", name=op.f("ck_meeting_decision_decision")),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_meeting_decision_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meeting.id"],
            name=op.f("fk_meeting_decision_meeting_id_committee_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_meeting_decision_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decision")),
        sa.UniqueConstraint("application_id", name=op.f("uq_meeting_decision_application_id")),
    )
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_decision_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_decision_meeting_id"))
    op.drop_table("meeting_decision")
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.drop_index("uq_committee_meeting_call_open", sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_index(batch_op.f("ix_committee_meeting_call_id"))
    op.drop_table("committee_meeting")
