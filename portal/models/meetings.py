"""The committee's meeting on a call: who was there, the decisions taken in it, and its minutes (a PDF)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, enum_check, unique_where, utcnow
from portal.extensions import db
from portal.models.applications import Application
from portal.models.calls import Call
from portal.models.users import User
from workflows.meeting import MeetingDecisionKind, MeetingState


class CommitteeMeeting(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "committee_meeting"
    __table_args__ = (
        CheckConstraint(enum_check("state", MeetingState), name="state"),
        # Closed: who closed it, when, and its minutes; open: none of these.
        CheckConstraint(
            "(state = 'open' AND closed_at IS NULL AND closed_by_id IS NULL AND minutes_name IS NULL)"
            " OR (state = 'closed' AND closed_at IS NOT NULL AND closed_by_id IS NOT NULL AND minutes_name IS NOT NULL)",
            name="closed_has_minutes",
        ),
        unique_where("uq_committee_meeting_call_open", "call_id", where="state = 'open'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=MeetingState.OPEN)
    held_on: Mapped[date] = mapped_column(Date)
    # The reviewers present, as user ids (the minutes name them).
    member_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    remarks: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_name: Mapped[str | None] = mapped_column(ForeignKey("stored_file.name"), unique=True)

    state_enum = EnumOf("state", MeetingState)

    call: Mapped[Call] = relationship()
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    decisions: Mapped[list[MeetingDecision]] = relationship(
        back_populates="meeting", order_by="MeetingDecision.id", cascade="all, delete-orphan"
    )


class MeetingDecision(db.Model):  # type: ignore[name-defined,misc]
    """A decision taken in the meeting, as the minutes list it."""

    __tablename__ = "meeting_decision"
    __table_args__ = (
        CheckConstraint(enum_check("decision", MeetingDecisionKind), name="decision"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    motivation: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="decisions")
    application: Mapped[Application] = relationship()
