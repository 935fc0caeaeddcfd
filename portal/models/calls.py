"""Calls (oproepen) as data: envelope, cap, rate, window, themes, rubric (SPEC section 4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_check, utcnow
from portal.extensions import db
from workflows.budget import ShortfallPolicy
from workflows.calls import BudgetMeter, CallWindow
from workflows.retention import RetentionPeriods
from workflows.safeguards import UnconfirmedPartnerPolicy


class ExchangeType(StrEnum):
    MENTORING = "mentoring"
    STAGE = "stage"


class AllocationPolicy(StrEnum):
    FIRST_COME = "first_come"
    RANKED = "ranked"


class AttachmentKind(StrEnum):
    ACTION_PLAN = "action_plan"
    AGREEMENT = "agreement"


class Theme(db.Model):  # type: ignore[name-defined,misc]
    """Expertise that can be exchanged (call text)."""

    __tablename__ = "theme"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


class FundamentalRight(db.Model):  # type: ignore[name-defined,misc]
    """Fundamental rights of the Flemish Action Plan against Poverty (codes 00-10, seed 004)."""

    __tablename__ = "fundamental_right"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


call_themes = Table(
    "call_theme",
    db.metadata,
    Column("call_id", ForeignKey("call.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_code", ForeignKey("theme.code"), primary_key=True),
)


class Call(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "call"
    __table_args__ = (
        CheckConstraint("envelope_cents > 0", name="envelope_positive"),
        CheckConstraint("cap_cents > 0 AND cap_cents <= envelope_cents", name="cap_within_envelope"),
        CheckConstraint("compensation_rate_percent > 0 AND compensation_rate_percent <= 100", name="rate"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("reviews_per_dossier >= 1", name="reviews_per_dossier"),
        CheckConstraint("scale_max > scale_min AND scale_min >= 0", name="scale"),
        CheckConstraint("pass_threshold_percent BETWEEN 0 AND 100", name="pass_threshold"),
        CheckConstraint("spread_flag_percent BETWEEN 0 AND 100", name="spread_flag"),
        CheckConstraint("advance_percent BETWEEN 0 AND 100", name="advance_percent"),
        # The envelope is the hard limit, kept by the database itself (SPEC section 8).
        CheckConstraint(
            "reserved_cents >= 0 AND committed_cents >= 0 AND reserved_cents + committed_cents <= envelope_cents",
            name="envelope_never_overspent",
        ),
        CheckConstraint("paid_cents >= 0 AND paid_cents <= committed_cents", name="paid_within_commitments"),
        CheckConstraint("queue_places >= 0", name="queue_places_not_negative"),
        CheckConstraint(enum_check("shortfall_policy", ShortfallPolicy), name="shortfall_policy"),
        CheckConstraint(enum_check("allocation_policy", AllocationPolicy), name="allocation_policy"),
        CheckConstraint(
            enum_check("unconfirmed_partner_policy", UnconfirmedPartnerPolicy), name="unconfirmed_partner_policy"
        ),
        CheckConstraint(
            "retention_granted_months BETWEEN 0 AND 600 AND retention_refused_months BETWEEN 0 AND 600"
            " AND retention_listing_months BETWEEN 0 AND 600",
            name="retention_periods",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title_nl: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_nl: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    # The action of the Flemish Action Plan against Poverty this call implements.
    action_code: Mapped[str] = mapped_column(String(20))
    reference_prefix: Mapped[str] = mapped_column(String(10), default="ARM")
    envelope_cents: Mapped[int] = mapped_column(BigInteger)
    cap_cents: Mapped[int] = mapped_column(BigInteger)
    compensation_rate_percent: Mapped[int] = mapped_column()
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exchange_types: Mapped[list[str]] = mapped_column(JSON)
    eligible_organisation_kinds: Mapped[list[str]] = mapped_column(JSON)
    required_attachments: Mapped[list[str]] = mapped_column(JSON)
    max_attachment_mb: Mapped[int] = mapped_column(default=10)
    scale_min: Mapped[int] = mapped_column(default=0)
    scale_max: Mapped[int] = mapped_column(default=3)
    pass_threshold_percent: Mapped[int] = mapped_column(default=50)
    # Reviews whose weighted totals lie further apart than this share of the range are flagged.
    spread_flag_percent: Mapped[int] = mapped_column(default=25)
    reviews_per_dossier: Mapped[int] = mapped_column(default=2)
    review_days: Mapped[int] = mapped_column(default=14)
    allocation_policy: Mapped[str] = mapped_column(String(20), default=AllocationPolicy.FIRST_COME)
    shortfall_policy: Mapped[str] = mapped_column(String(20), default=ShortfallPolicy.PARTIAL)
    # Payout schedule: 0 = one balance payment after the final report; otherwise an advance at grant.
    advance_percent: Mapped[int] = mapped_column(default=0)
    allows_repeat_pair: Mapped[bool] = mapped_column(default=False)
    # Declaring eligible or granting while the receiving government has not confirmed: warn or refuse.
    unconfirmed_partner_policy: Mapped[str] = mapped_column(
        String(20), default=UnconfirmedPartnerPolicy.WARN, server_default=UnconfirmedPartnerPolicy.WARN.value
    )
    # Who signs the decision letters of this call (name and function).
    signatory_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signatory_function: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # How long personal data are kept (GDPR art. 5(1)(e)), in months: after a granted dossier was closed; after
    # a refusal, a withdrawal or the closing of the call on a draft; after a matchmaking offer or need last changed.
    retention_granted_months: Mapped[int] = mapped_column(default=120, server_default="120")
    retention_refused_months: Mapped[int] = mapped_column(default=24, server_default="24")
    retention_listing_months: Mapped[int] = mapped_column(default=12, server_default="12")
    # Last reference number handed out in this call (locked with the call row when submitting).
    last_reference_number: Mapped[int] = mapped_column(default=0)
    # How many of its dossiers hold a place in the queue (workflows.applications.WITHOUT_A_PLACE), counted
    # when one moves under the call's lock: a submission learns its place without counting the queue.
    queue_places: Mapped[int] = mapped_column(default=0, server_default="0")
    # The budget row: changed only while the call row is locked (portal/services/budget.py).
    reserved_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Paid out of the commitments, net of recoveries; changed with the budget row, under its lock.
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    themes: Mapped[list[Theme]] = relationship(secondary=call_themes, order_by=Theme.position)
    criteria: Mapped[list[CallCriterion]] = relationship(
        back_populates="call", order_by="CallCriterion.position", cascade="all, delete-orphan"
    )

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_nl

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" else self.summary_nl

    @property
    def retention(self) -> RetentionPeriods:
        return RetentionPeriods(
            granted_months=self.retention_granted_months,
            refused_months=self.retention_refused_months,
            listing_months=self.retention_listing_months,
        )

    @property
    def window(self) -> CallWindow:
        return CallWindow(opens_at=self.opens_at, closes_at=self.closes_at)

    def budget_meter(self, waiting_count: int = 0) -> BudgetMeter:
        return BudgetMeter(
            envelope_cents=self.envelope_cents,
            reserved_cents=self.reserved_cents,
            committed_cents=self.committed_cents,
            waiting_count=waiting_count,
        )

    def settings_snapshot(self) -> dict[str, Any]:
        """Every setting as plain data, for the audit trail of changes after opening."""
        columns = {
            c.key: getattr(self, c.key) for c in self.__table__.columns if c.key not in ("created_at", "updated_at")
        }
        columns["opens_at"] = self.opens_at.isoformat()
        columns["closes_at"] = self.closes_at.isoformat()
        columns["themes"] = [theme.code for theme in self.themes]
        columns["criteria"] = [criterion.snapshot() for criterion in self.criteria]
        return columns


class CallCriterion(db.Model):  # type: ignore[name-defined,misc]
    """One criterion of the call's scoring rubric."""

    __tablename__ = "call_criterion"
    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("minimum_score IS NULL OR minimum_score >= 0", name="minimum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    weight: Mapped[int] = mapped_column()
    minimum_score: Mapped[int | None] = mapped_column()
    # What each score means for this criterion, from the lowest score of the call's scale up: the
    # reviewer reads them as the options' hints; empty when the call gives none.
    level_descriptions_nl: Mapped[list[str]] = mapped_column(JSON, default=list)
    level_descriptions_en: Mapped[list[str]] = mapped_column(JSON, default=list)

    call: Mapped[Call] = relationship(back_populates="criteria")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl

    def level_description(self, score: int | None, locale: str) -> str:
        """What `score` means for this criterion in the reader's language ("" when not described)."""
        if score is None:
            return ""
        descriptions = self.level_descriptions_en if locale == "en" else self.level_descriptions_nl
        index = score - self.call.scale_min
        return descriptions[index] if 0 <= index < len(descriptions) else ""

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_nl": self.name_nl,
            "name_en": self.name_en,
            "weight": self.weight,
            "minimum_score": self.minimum_score,
            "level_descriptions_nl": list(self.level_descriptions_nl),
            "level_descriptions_en": list(self.level_descriptions_en),
        }
