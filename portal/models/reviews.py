"""Committee reviews: who scores which dossier, by when, and the scores per criterion (SPEC section 6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db
from portal.models.applications import Application
from portal.models.users import User


class Review(db.Model):  # type: ignore[name-defined,misc]
    """One reviewer on one dossier. A declared conflict removes the reviewer; the row stays as a record."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_review_application_reviewer"),
        # A review is either submitted or withdrawn for a conflict, never both.
        CheckConstraint("submitted_at IS NULL OR conflict_declared_at IS NULL", name="submitted_or_conflict"),
        CheckConstraint(
            "conflict_declared_at IS NULL OR (conflict_reason IS NOT NULL AND conflict_reason <> '')",
            name="conflict_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    # The reviewer answered "no" to the conflict-of-interest question that comes before the scores.
    no_conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="review", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.conflict_declared_at is None

    @property
    def is_open(self) -> bool:
        return self.is_active and self.submitted_at is None

    def score_of(self, code: str) -> ReviewScore | None:
        return next((s for s in self.scores if s.criterion_code == code), None)

    def score_values(self) -> dict[str, int]:
        return {s.criterion_code: s.score for s in self.scores if s.score is not None}


class ReviewScore(db.Model):  # type: ignore[name-defined,misc]
    """The score of one criterion of the call's rubric, with the reviewer's comment on it."""

    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_code", name="uq_review_score_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    # The criterion's code, not its row: the rubric may be edited, the review keeps what was scored.
    criterion_code: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
