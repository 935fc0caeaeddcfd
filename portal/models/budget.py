"""A dossier's standing on the call's envelope, and the history of every euro (SPEC section 8).

Reservation rows are written only while the call row is locked, and never by the code that edits
an application, so budget work and dossier edits never wait on each other's locks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_check, utcnow
from portal.extensions import db
from portal.models.applications import Application
from workflows.budget import Standing


class Reservation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint(f"standing IS NULL OR {enum_check('standing', Standing)}", name="standing"),
        CheckConstraint("reserved_cents >= 0 AND committed_cents >= 0", name="amounts_not_negative"),
        CheckConstraint("standing = 'waiting' OR waiting_place IS NULL", name="only_waiting_has_a_place"),
        # Paid never exceeds committed (SPEC 9): a bug in the payout code could not overpay a dossier.
        CheckConstraint("paid_cents >= 0 AND paid_cents <= committed_cents", name="paid_within_commitment"),
        # The last waiting place of a call, read by every submission under the call's lock, in one index step.
        Index("ix_reservation_call_waiting_place", "call_id", "waiting_place"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    # None once the dossier left the queue (withdrawn, ineligible, rejected) or was granted.
    standing: Mapped[str | None] = mapped_column(String(20))
    reserved_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Paid out to the giving government, net of what it paid back (recoveries).
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    waiting_place: Mapped[int | None] = mapped_column()
    offer_cents: Mapped[int | None] = mapped_column(BigInteger)
    accepted_cents: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()


class MovementKind:
    RESERVED = "reserved"
    RELEASED = "released"
    WAITING = "waiting"
    OFFERED = "offered"
    COMMITTED = "committed"
    ALL = (RESERVED, RELEASED, WAITING, OFFERED, COMMITTED)


class BudgetMovement(db.Model):  # type: ignore[name-defined,misc]
    """One line of the history of every euro: what moved, for which dossier, and the totals after."""

    __tablename__ = "budget_movement"
    __table_args__ = (CheckConstraint(enum_check("kind", MovementKind.ALL), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reserved_after_cents: Mapped[int] = mapped_column(BigInteger)
    committed_after_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
