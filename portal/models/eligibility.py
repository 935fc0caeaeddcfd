"""The result of each eligibility rule for a submission, and the officer's confirmation or override."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, enum_check, utcnow
from portal.extensions import db
from workflows.eligibility import Outcome


class EligibilityResult(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "eligibility_result"
    __table_args__ = (
        UniqueConstraint("application_id", "submission_version", "code", name="uq_eligibility_result_rule"),
        CheckConstraint(enum_check("outcome", Outcome), name="outcome"),
        CheckConstraint(f"final_outcome IS NULL OR {enum_check('final_outcome', Outcome)}", name="final_outcome"),
        # An officer's decision on a result always carries its reason and its author.
        CheckConstraint(
            "final_outcome IS NULL OR (decided_by_id IS NOT NULL AND reason IS NOT NULL AND reason <> '')",
            name="decision_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    submission_version: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(20))
    message_nl: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when an officer confirms or overrides a result that needed review.
    final_outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def effective_outcome(self) -> Outcome:
        return Outcome(self.final_outcome or self.outcome)

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_nl
