"""Payouts of the compensation and the final report they follow from (SPEC section 9).

The database keeps what matters: a payout's state and the columns it needs, the second pair of eyes
(the approver is never the preparer), and one open payout of each kind per dossier. That paid never
exceeds committed is a CHECK on the dossier's reservation row and on the call's budget row.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, cost_basis_checks, enum_check, unique_where, utcnow
from portal.extensions import db
from portal.models.applications import Application, Mentor
from portal.models.files import Upload
from portal.models.users import User
from workflows.payouts import PayoutKind, PayoutState


class Payout(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "payout"
    __table_args__ = (
        CheckConstraint(enum_check("kind", PayoutKind), name="kind"),
        CheckConstraint(enum_check("state", PayoutState), name="state"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # The second pair of eyes (SPEC 9): a payout is never approved by the one who prepared it.
        CheckConstraint("approved_by_id IS NULL OR approved_by_id <> prepared_by_id", name="four_eyes"),
        CheckConstraint(
            "state NOT IN ('approved', 'in_file', 'paid') OR (approved_by_id IS NOT NULL AND approved_at IS NOT NULL)",
            name="approved_has_approver",
        ),
        CheckConstraint(
            "state <> 'paid' OR (paid_on IS NOT NULL AND bank_reference IS NOT NULL AND bank_reference <> '' AND paid_at IS NOT NULL)",
            name="paid_has_date_and_reference",
        ),
        CheckConstraint(
            "state <> 'failed' OR (failure_reason IS NOT NULL AND failure_reason <> '')", name="failed_has_reason"
        ),
        # One advance, one balance and one recovery at most per dossier (a cancelled one aside).
        unique_where("uq_payout_application_kind_open", "application_id", "kind", where="state <> 'cancelled'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=PayoutState.PLANNED, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    # The giving government's account when the payout was prepared (the transfer goes there).
    iban: Mapped[str] = mapped_column(String(34))
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_on: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(35))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])

    kind_enum = EnumOf("kind", PayoutKind)

    state_enum = EnumOf("state", PayoutState)

    @property
    def end_to_end_id(self) -> str:
        """The transfer's reference for the bank and for the government's books (at most 35 characters)."""
        return f"{self.application.reference}-P{self.id}"


class BatchOutcome(StrEnum):
    PENDING = "pending"  # in the file; the bank's answer is not recorded yet
    PAID = "paid"
    FAILED = "failed"


class PaymentBatch(db.Model):  # type: ignore[name-defined,misc]
    """A payment file (SEPA pain.001) of approved transfers, made once and kept unchanged: a second
    download is the same file with the same message id, so a bank never sees the payments twice."""

    __tablename__ = "payment_batch"
    __table_args__ = (
        CheckConstraint("payout_count > 0 AND total_cents > 0", name="not_empty"),
        CheckConstraint("length(content_sha256) = 64", name="sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The file's MsgId: a bank refuses a second file with the same one.
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    execution_on: Mapped[date] = mapped_column(Date)
    payout_count: Mapped[int] = mapped_column()
    total_cents: Mapped[int] = mapped_column(BigInteger)
    # The debtor account the file pays from (the administration's, from the configuration then).
    debtor_iban: Mapped[str] = mapped_column(String(34))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User] = relationship()
    items: Mapped[list[PaymentBatchItem]] = relationship(back_populates="batch", order_by="PaymentBatchItem.id")

    @property
    def file_name(self) -> str:
        return f"pain001-{self.message_id}.xml"


class PaymentBatchItem(db.Model):  # type: ignore[name-defined,misc]
    """One payout in one payment file, with what the bank made of it. A payout that failed may come
    back in a later file; it is pending in at most one file at a time (a unique index says so)."""

    __tablename__ = "payment_batch_item"
    __table_args__ = (
        CheckConstraint(enum_check("outcome", BatchOutcome), name="outcome"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        UniqueConstraint("batch_id", "payout_id", name="uq_payment_batch_item_batch_payout"),
        unique_where("uq_payment_batch_item_payout_pending", "payout_id", where="outcome = 'pending'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("payout.id"), index=True)
    # As written in the file: the payout's amount and end-to-end id at that moment.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    outcome: Mapped[str] = mapped_column(String(10), default=BatchOutcome.PENDING)

    batch: Mapped[PaymentBatch] = relationship(back_populates="items")
    payout: Mapped[Payout] = relationship()

    outcome_enum = EnumOf("outcome", BatchOutcome)


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SETTLED = "settled"  # the officer accepted it and the balance (or recovery) was prepared


class FinalReport(db.Model):  # type: ignore[name-defined,misc]
    """The final report of a granted dossier: what was achieved, the actual costs, the evidence."""

    __tablename__ = "final_report"
    __table_args__ = (
        CheckConstraint(enum_check("state", ReportState), name="state"),
        CheckConstraint(
            "state = 'draft' OR (submitted_at IS NOT NULL AND submitted_by_id IS NOT NULL)", name="submitted_has_moment"
        ),
        CheckConstraint(
            "state <> 'settled' OR (settled_at IS NOT NULL AND final_cents IS NOT NULL AND balance_cents IS NOT NULL)",
            name="settled_has_amounts",
        ),
        CheckConstraint("final_cents IS NULL OR final_cents >= 0", name="final_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ReportState.DRAFT)
    achievements: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The settlement as computed at the officer's acceptance: final compensation and signed balance.
    final_cents: Mapped[int | None] = mapped_column(BigInteger)
    balance_cents: Mapped[int | None] = mapped_column(BigInteger)
    released_cents: Mapped[int | None] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship()
    lines: Mapped[list[ActualCost]] = relationship(
        back_populates="report", order_by="ActualCost.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list[ReportDocument]] = relationship(
        back_populates="report", order_by="ReportDocument.id", cascade="all, delete-orphan"
    )

    state_enum = EnumOf("state", ReportState)


class ActualCost(db.Model):  # type: ignore[name-defined,misc]
    """One mentor's actual wage cost, time share and period, as reported at the end."""

    __tablename__ = "actual_cost"
    __table_args__ = cost_basis_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("final_report.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    monthly_wage_cents: Mapped[int | None] = mapped_column(BigInteger)
    time_share_bp: Mapped[int | None] = mapped_column()
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    report: Mapped[FinalReport] = relationship(back_populates="lines")
    mentor: Mapped[Mentor] = relationship()

    @property
    def is_complete(self) -> bool:
        return None not in (self.monthly_wage_cents, self.time_share_bp, self.start_on, self.end_on)


class ReportDocument(Upload, db.Model):  # type: ignore[name-defined,misc]
    """A supporting document of the final report (payslips, time sheets): a PDF outside the web root."""

    __tablename__ = "report_document"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("final_report.id", ondelete="CASCADE"), index=True)

    report: Mapped[FinalReport] = relationship(back_populates="documents")
