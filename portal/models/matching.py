"""Matchmaking (SPEC section 10): offers of expertise, needs, their mentor profiles and the matches."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.db import EnumOf, UTCDateTime, enum_check, unique_where, utcnow
from portal.extensions import db
from portal.models.applications import Application
from portal.models.organisations import Organisation
from workflows.matching import Answer, MatchState, NeedState, OfferState, Side


def _listing_checks(states: type[StrEnum]) -> tuple[CheckConstraint, ...]:
    """What an offer and a need both keep: a known state, a real number of inhabitants, and the moment of
    a withdrawal."""
    return (
        CheckConstraint(enum_check("state", states), name="state"),
        CheckConstraint("inhabitants > 0", name="inhabitants_positive"),
        CheckConstraint("state <> 'withdrawn' OR withdrawn_at IS NOT NULL", name="withdrawn_has_moment"),
    )


class Listing:
    """What an offer and a need both hold: whose it is, its themes, the government's size, whom to
    contact, and when it was made, changed or withdrawn."""

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    theme_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    inhabitants: Mapped[int] = mapped_column()
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Personal data removed after the retention period (portal/services/retention.py); the row itself stays.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @declared_attr
    def organisation(cls) -> Mapped[Organisation]:  # noqa: N805 (a declared attribute is made per class)
        return relationship()


class Offer(Listing, db.Model):  # type: ignore[name-defined,misc]
    """Expertise a government can share: the giving side of a future application."""

    __tablename__ = "offer"
    __table_args__ = (
        *_listing_checks(OfferState),
        CheckConstraint("months_available BETWEEN 1 AND 36", name="months_available"),
        CheckConstraint("time_share_bp > 0 AND time_share_bp <= 10000", name="time_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default=OfferState.OPEN, index=True)
    # The successful approach, in the government's words: shown publicly.
    approach: Mapped[str] = mapped_column(Text)
    # Availability: from which month, for how many months, at what share of a full-time job.
    available_from_on: Mapped[date] = mapped_column(Date)
    months_available: Mapped[int] = mapped_column()
    time_share_bp: Mapped[int] = mapped_column()

    profiles: Mapped[list[MentorProfile]] = relationship(
        back_populates="offer", order_by="MentorProfile.position", cascade="all, delete-orphan"
    )

    state_enum = EnumOf("state", OfferState)


class MentorProfile(db.Model):  # type: ignore[name-defined,misc]
    """A mentor the government can lend, with the expert criteria of the call (seed 000).

    The name is optional and only shown to the matcher and to the parties of a confirmed match."""

    __tablename__ = "mentor_profile"
    __table_args__ = (
        CheckConstraint("years_experience >= 0", name="years_experience"),
        CheckConstraint(
            "drew_up_plan = false OR (plan_description <> '' AND plan_year IS NOT NULL)", name="plan_described"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    full_name: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[str] = mapped_column(String(200))
    years_experience: Mapped[int] = mapped_column()
    drew_up_plan: Mapped[bool] = mapped_column()
    plan_description: Mapped[str] = mapped_column(Text, default="")
    plan_year: Mapped[int | None] = mapped_column()

    offer: Mapped[Offer] = relationship(back_populates="profiles")


class Need(Listing, db.Model):  # type: ignore[name-defined,misc]
    """What a government wants to learn: the receiving side of a future application."""

    __tablename__ = "need"
    __table_args__ = (
        *_listing_checks(NeedState),
        CheckConstraint("staff_fte_tenths >= 0", name="staff_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default=NeedState.OPEN, index=True)
    context: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text)
    # Staff working on poverty policy, full-time equivalents in tenths (0.5 FTE = 5).
    staff_fte_tenths: Mapped[int] = mapped_column()

    state_enum = EnumOf("state", NeedState)


class Match(db.Model):  # type: ignore[name-defined,misc]
    """A pair proposed by the matcher: the offer's government gives, the need's government receives."""

    __tablename__ = "expertise_match"
    __table_args__ = (
        CheckConstraint(enum_check("state", MatchState), name="state"),
        CheckConstraint(f"giving_answer IS NULL OR {enum_check('giving_answer', Answer)}", name="giving_answer"),
        CheckConstraint(
            f"receiving_answer IS NULL OR {enum_check('receiving_answer', Answer)}", name="receiving_answer"
        ),
        # Confirmed means both accepted; declined means one of them declined (COALESCE: a NULL answer
        # would make the check unknown, and an unknown check lets the row in).
        CheckConstraint(
            "state <> 'confirmed' OR (COALESCE(giving_answer, '') = 'accepted' AND COALESCE(receiving_answer, '') = 'accepted' AND confirmed_at IS NOT NULL)",
            name="confirmed_by_both",
        ),
        CheckConstraint(
            "state <> 'declined' OR COALESCE(giving_answer, '') = 'declined' OR COALESCE(receiving_answer, '') = 'declined'",
            name="declined_by_one",
        ),
        CheckConstraint("application_id IS NULL OR state = 'confirmed'", name="application_after_confirmation"),
        # One live proposal per pair: proposing the same pair twice is refused by the database too.
        unique_where(
            "uq_expertise_match_need_offer_live", "need_id", "offer_id", where="state IN ('proposed', 'confirmed')"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=MatchState.PROPOSED, index=True)
    # The matcher's word to both governments: why this pair.
    message: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    giving_answer: Mapped[str | None] = mapped_column(String(20))
    giving_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    giving_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    receiving_answer: Mapped[str | None] = mapped_column(String(20))
    receiving_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receiving_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # declined or cancelled
    # The draft application the giving government started from this match.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"), unique=True)

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()
    application: Mapped[Application | None] = relationship()

    state_enum = EnumOf("state", MatchState)

    def answer_of(self, side: Side | None) -> str | None:
        return self.giving_answer if side is Side.GIVING else self.receiving_answer if side is Side.RECEIVING else None
