"""Notifications: the outbox (SPEC section 7).

One row per recipient and event, written in the same transaction as the event. It is both the
message in the recipient's in-app inbox and the e-mail a worker delivers after the commit. Its
unique key makes the delivery happen once: an event that is recorded twice, or a reminder job that
runs twice, finds the key taken.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, enum_check, utcnow
from portal.extensions import db
from portal.models.applications import Application
from portal.models.users import User
from workflows.outbox import DeliveryStatus


class NotificationEvent(StrEnum):
    APPLICATION_SUBMITTED = "application_submitted"  # to both governments
    CORRECTION_REQUESTED = "correction_requested"
    DECLARED_ELIGIBLE = "declared_eligible"
    DECLARED_INELIGIBLE = "declared_ineligible"  # with the decision letter
    REVIEWER_ASSIGNED = "reviewer_assigned"
    REVIEW_OVERDUE = "review_overdue"  # reminder
    GRANTED = "granted"  # with the decision letter
    REJECTED = "rejected"  # with the decision letter
    BUDGET_RELEASED = "budget_released"  # a waiting dossier now holds a reservation
    BUDGET_OFFERED = "budget_offered"  # the first waiting dossier is offered a lower amount
    CALL_CLOSING = "call_closing"  # reminder to a government with a draft
    PAYOUT_APPROVED = "payout_approved"  # to the giving government
    PAYOUT_PAID = "payout_paid"  # to the giving government
    PARTICIPATION_DECLINED = "participation_declined"  # to the giving government and the officers
    REPORT_DUE = "report_due"  # reminder: the trajectory ended and the final report is not in
    PAYOUT_AWAITING_APPROVAL = "payout_awaiting_approval"  # reminder to the finance users
    # Matchmaking: registrations reach the matchers; a match reaches both governments and the matchers.
    OFFER_REGISTERED = "offer_registered"
    NEED_REGISTERED = "need_registered"
    MATCH_PROPOSED = "match_proposed"
    MATCH_ACCEPTED = "match_accepted"  # one government accepted, the other has yet to answer
    MATCH_CONFIRMED = "match_confirmed"
    MATCH_DECLINED = "match_declined"
    MATCH_CANCELLED = "match_cancelled"
    # A government's own people: a colleague loses or gets back access; access requests reach the administrators,
    # and a refused one its requester.
    ACCESS_REVOKED = "access_revoked"
    ACCESS_RESTORED = "access_restored"
    ACCESS_REQUESTED = "access_requested"
    ACCESS_REQUEST_REFUSED = "access_request_refused"


# The events whose e-mail carries the decision letter.
WITH_DECISION_LETTER = frozenset(
    {NotificationEvent.DECLARED_INELIGIBLE, NotificationEvent.GRANTED, NotificationEvent.REJECTED}
)


class Notification(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(enum_check("event", NotificationEvent), name="event"),
        CheckConstraint(enum_check("status", DeliveryStatus), name="status"),
        CheckConstraint("locale IN ('nl', 'en')", name="locale"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_moment"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The sweep reads the undelivered rows only; officers read the failed ones.
        Index("ix_notification_status_enqueued_at", "status", "enqueued_at"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per recipient and occurrence: `event/occurrence/address`.
    key: Mapped[str] = mapped_column(String(400), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    # A portal user (inbox and e-mail), or only an address: a dossier's contact person without an account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str] = mapped_column(String(254))
    # The language of a recipient without an account; a user's own choice wins at sending time.
    locale: Mapped[str] = mapped_column(String(2), default="nl")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Last handed to the broker; empty while the broker could not be reached.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application | None] = relationship()
    user: Mapped[User | None] = relationship()

    event_enum = EnumOf("event", NotificationEvent)

    status_enum = EnumOf("status", DeliveryStatus)

    @property
    def recipient_locale(self) -> str:
        return self.user.locale if self.user is not None else self.locale
