"""Applications (dossiers), their mentors, attachments and frozen submissions (SPEC section 5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, cost_basis_checks, enum_check, utcnow
from portal.extensions import db
from portal.models.calls import AttachmentKind, Call, ExchangeType
from portal.models.files import Upload
from portal.models.organisations import Organisation
from portal.models.users import User
from workflows.agreement import SignatureStatus
from workflows.applications import State


class Application(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(enum_check("state", State), name="state"),
        CheckConstraint(f"exchange_type IS NULL OR {enum_check('exchange_type', ExchangeType)}", name="exchange_type"),
        # Once submitted, a dossier always has its reference, moment and place in the queue.
        CheckConstraint(
            "state IN ('draft', 'withdrawn') OR (reference IS NOT NULL AND submitted_at IS NOT NULL AND queue_number IS NOT NULL)",
            name="submitted_has_reference",
        ),
        CheckConstraint(
            "receiving_organisation_id IS NULL OR receiving_organisation_id <> organisation_id", name="two_parties"
        ),
        CheckConstraint("requested_cents IS NULL OR requested_cents >= 0", name="requested_not_negative"),
        # A grant always records its amount; a negative decision always its motivation.
        CheckConstraint(
            "state NOT IN ('granted', 'closed') OR (granted_cents IS NOT NULL AND granted_cents > 0 AND decided_at IS NOT NULL)",
            name="grant_has_amount",
        ),
        CheckConstraint(
            "state NOT IN ('ineligible', 'rejected') OR (decision_motivation IS NOT NULL AND decision_motivation <> '')",
            name="refusal_has_motivation",
        ),
        # The receiving government confirmed or declined, never both; a decline says who and why.
        CheckConstraint(
            "receiving_confirmed_at IS NULL OR receiving_declined_at IS NULL", name="confirmed_or_declined"
        ),
        CheckConstraint(
            "receiving_declined_at IS NULL OR (receiving_declined_by_id IS NOT NULL AND receiving_decline_reason IS NOT NULL AND receiving_decline_reason <> '')",
            name="decline_has_reason",
        ),
        # A declared early end of the trajectory says when, why, by whom and at what moment.
        CheckConstraint(
            "early_end_on IS NULL OR (early_end_reason IS NOT NULL AND early_end_reason <> '' AND early_end_declared_at IS NOT NULL AND early_end_declared_by_id IS NOT NULL)",
            name="early_end_declared",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    # The giving government: it submits the application.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    receiving_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[str] = mapped_column(String(30), default=State.DRAFT)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    giving_contact_name: Mapped[str] = mapped_column(String(200), default="")
    giving_contact_function: Mapped[str] = mapped_column(String(200), default="")
    giving_contact_email: Mapped[str] = mapped_column(String(254), default="")
    giving_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    receiving_contact_name: Mapped[str] = mapped_column(String(200), default="")
    receiving_contact_function: Mapped[str] = mapped_column(String(200), default="")
    receiving_contact_email: Mapped[str] = mapped_column(String(254), default="")
    receiving_contact_phone: Mapped[str] = mapped_column(String(40), default="")

    exchange_type: Mapped[str | None] = mapped_column(String(20))
    theme_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    right_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    approach: Mapped[str] = mapped_column(Text, default="")
    need: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    participation: Mapped[str] = mapped_column(Text, default="")
    embedding: Mapped[str] = mapped_column(Text, default="")

    iban: Mapped[str | None] = mapped_column(String(34))
    # Computed by the portal at submission (the formula in workflows/compensation.py), never typed.
    requested_cents: Mapped[int | None] = mapped_column(BigInteger)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The place in the queue: submission moment, ties broken by this database sequence.
    queue_number: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    receiving_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receiving_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Or the receiving government declined, with its reason (a later confirmation clears these).
    receiving_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receiving_declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    receiving_decline_reason: Mapped[str | None] = mapped_column(Text)
    # The giving government declared that the trajectory ended before its planned end (the final report opens).
    early_end_on: Mapped[date | None] = mapped_column(Date)
    early_end_reason: Mapped[str | None] = mapped_column(Text)
    early_end_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    early_end_declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # The officer's question when sending the dossier back, and the motivation of a negative decision.
    correction_question: Mapped[str | None] = mapped_column(Text)
    decision_motivation: Mapped[str | None] = mapped_column(Text)
    # The decision (eligibility refused, grant or rejection): when, by whom, how much, and its letter.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    decision_letter_name: Mapped[str | None] = mapped_column(ForeignKey("stored_file.name"), unique=True)
    # The officer who handles the dossier (internal: the governments never see it).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Personal data removed after the retention period (portal/services/retention.py); the row itself stays.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    receiving_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[receiving_organisation_id])
    mentors: Mapped[list[Mentor]] = relationship(
        back_populates="application", order_by="Mentor.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="application", cascade="all, delete-orphan")
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="application", order_by="Submission.version", cascade="all, delete-orphan"
    )

    state_enum = EnumOf("state", State)

    @property
    def latest_submission(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    def attachment(self, kind: str) -> Attachment | None:
        return next((a for a in self.attachments if a.kind == kind), None)


class DossierNote(db.Model):  # type: ignore[name-defined,misc]
    """An officer's internal note on a dossier: for the administration only, never shown to the governments.
    Notes are a log: written once, never changed or removed, so a note that turns out wrong is corrected by
    another note, and what the administration knew when stays readable."""

    __tablename__ = "dossier_note"
    __table_args__ = (CheckConstraint("body <> ''", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship()


class Mentor(db.Model):  # type: ignore[name-defined,misc]
    """A mentor with the expert profile and the cost basis of the compensation."""

    __tablename__ = "mentor"
    __table_args__ = cost_basis_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    full_name: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    years_experience: Mapped[int | None] = mapped_column()
    drew_up_plan: Mapped[bool | None] = mapped_column()
    plan_description: Mapped[str] = mapped_column(Text, default="")
    plan_year: Mapped[int | None] = mapped_column()
    theme_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    monthly_wage_cents: Mapped[int | None] = mapped_column(BigInteger)
    time_share_bp: Mapped[int | None] = mapped_column()
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    application: Mapped[Application] = relationship(back_populates="mentors")

    @property
    def is_complete(self) -> bool:
        plan_ok = self.drew_up_plan is False or (
            bool(self.drew_up_plan) and bool(self.plan_description.strip()) and self.plan_year is not None
        )
        return bool(
            self.full_name.strip()
            and self.function.strip()
            and self.years_experience is not None
            and self.drew_up_plan is not None
            and plan_ok
            and self.theme_codes
            and self.monthly_wage_cents is not None
            and self.time_share_bp is not None
            and self.start_on is not None
            and self.end_on is not None
        )


class Attachment(Upload, db.Model):  # type: ignore[name-defined,misc]
    """An uploaded PDF, stored outside the web root under a random name."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(enum_check("kind", AttachmentKind), name="kind"),
        UniqueConstraint("application_id", "kind", name="uq_attachment_application_kind"),
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint(
            f"signature_status IS NULL OR {enum_check('signature_status', SignatureStatus)}", name="signature_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The signed agreement only: whether the file carries a digital signature (never required), and the
    # common names of its signers when it does, one per line. None for the other kinds.
    signature_status: Mapped[str | None] = mapped_column(String(10))
    signer_names: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def signers(self) -> list[str]:
        return [name for name in self.signer_names.splitlines() if name]

    application: Mapped[Application] = relationship(back_populates="attachments")


class Submission(db.Model):  # type: ignore[name-defined,misc]
    """The frozen content of a submission, its hash and its receipt. Never changed afterwards."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("application_id", "version", name="uq_submission_application_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    receipt_name: Mapped[str | None] = mapped_column(ForeignKey("stored_file.name"), unique=True)

    application: Mapped[Application] = relationship(back_populates="submissions")


class QueueTicket(db.Model):  # type: ignore[name-defined,misc]
    """One row per submission: its id is the database sequence that breaks ties in the queue."""

    __tablename__ = "queue_ticket"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
