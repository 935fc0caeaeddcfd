"""The dossier's timeline for its two governments: each step it went through, with its moment, read from the
append-only audit log.

Only the steps that tell a government where its dossier stands are shown: edits of a draft, internal notes and
who did what are the administration's, and reviewers are never named (a review is "1 of 2 in").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from portal.extensions import db
from portal.models import Application, AuditEntry, Payout, Review

# The steps a government sees, by audit action. The reason of these rows is what the government was told
# anyway (the question, the motivation, its own reason to withdraw), so it is shown with the step.
MILESTONES = frozenset(
    {
        "application.started",
        "application.submitted",
        "application.participation_confirmed",
        "application.participation_declined",
        "budget.reserved",
        "budget.offer_accepted",
        "application.correction_requested",
        "application.resubmitted",
        "application.declared_eligible",
        "application.declared_ineligible",
        "review.submitted",
        "application.scored",
        "application.granted",
        "application.rejected",
        "application.withdrawn",
        "application.early_end_declared",
        "final_report.submitted",
        "final_report.returned",
        "final_report.settled",
        "payout.paid",
        "application.closed",
    }
)
_WITH_REASON = frozenset(
    {
        "application.participation_declined",
        "application.early_end_declared",
        "application.correction_requested",
        "application.declared_ineligible",
        "application.rejected",
        "application.granted",
        "application.withdrawn",
        "final_report.returned",
    }
)


@dataclass(frozen=True)
class Step:
    at: datetime
    action: str  # its sentence: portal.labels.action_label
    reason: str | None = None
    amount_cents: int | None = None
    review_number: int | None = None  # for a review: the how-manieth that came in
    reviews_expected: int | None = None


def timeline_of(application: Application) -> list[Step]:
    """The dossier's steps, oldest first, in one query over the audit log (and one each for its reviews and payouts)."""
    reviews = db.session.execute(
        select(Review.id, Review.conflict_declared_at).where(Review.application_id == application.id)
    ).all()
    payouts = {
        str(payout_id): amount
        for payout_id, amount in db.session.execute(
            select(Payout.id, Payout.amount_cents).where(Payout.application_id == application.id)
        )
    }
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action.in_(MILESTONES),
            or_(
                and_(AuditEntry.entity_type == "application", AuditEntry.entity_id == str(application.id)),
                and_(AuditEntry.entity_type == "review", AuditEntry.entity_id.in_([str(r.id) for r in reviews])),
                and_(AuditEntry.entity_type == "payout", AuditEntry.entity_id.in_(list(payouts))),
            ),
        )
        .order_by(AuditEntry.occurred_at, AuditEntry.id)
    ).all()
    expected = sum(1 for r in reviews if r.conflict_declared_at is None)
    steps: list[Step] = []
    reviews_in = 0
    for entry in entries:
        details = entry.details or {}
        if entry.action == "review.submitted":
            reviews_in += 1
            steps.append(Step(entry.occurred_at, entry.action, review_number=reviews_in, reviews_expected=expected))
            continue
        amount = _amount(entry.action, details, payouts.get(entry.entity_id), application)
        reason = entry.reason if entry.action in _WITH_REASON else None
        steps.append(Step(entry.occurred_at, entry.action, reason=reason, amount_cents=amount))
    return steps


def _amount(action: str, details: dict[str, object], payout_cents: int | None, application: Application) -> int | None:
    if action == "payout.paid":
        return payout_cents
    if action == "budget.reserved":
        reserved = details.get("reserved_cents")
        return reserved if isinstance(reserved, int) else None
    if action == "application.granted":
        return application.granted_cents
    return None
