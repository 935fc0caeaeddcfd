"""Eligibility review: the rules run at submission; the officer confirms, overrides and decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, EligibilityResult, User
from portal.models.notifications import NotificationEvent
from portal.services import audit, budget, notifications, partner
from portal.services.dossiers import compensation_of, decide_against, move
from portal.services.locks import lock_dossier_and_call
from portal.services.refusal import NotAllowed
from workflows.applications import Action, State, transition
from workflows.eligibility import EligibilityFacts, MentorExpertise, Outcome, check_eligibility, may_declare_eligible

CLOSED_STATES = (State.DRAFT, State.WITHDRAWN, State.INELIGIBLE, State.REJECTED)


def facts_of(
    application: Application, submitted_at: datetime | None = None, requested_cents: int | None = None
) -> EligibilityFacts:
    """The facts the rules judge; `submitted_at` and `requested_cents` for a submission being made,
    which writes them on the dossier only under the call's lock (see `run_checks`)."""
    call = application.call
    submitted_at = submitted_at or application.submitted_at
    assert submitted_at is not None
    _, money = compensation_of(application)
    receiving = application.receiving_organisation
    other_open = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.call_id == call.id,
            Application.id != application.id,
            Application.organisation_id == application.organisation_id,
            Application.receiving_organisation_id == application.receiving_organisation_id,
            Application.state.not_in(CLOSED_STATES),
        )
    )
    return EligibilityFacts(
        submitted_at=submitted_at,
        window=call.window,
        eligible_kinds=frozenset(call.eligible_organisation_kinds),
        applicant_kind=application.organisation.kind,
        applicant_is_giving=True,  # the portal lets only the giving government submit
        receiving_kind=receiving.kind if receiving else None,
        receiving_is_other=receiving is not None and receiving.id != application.organisation_id,
        exchange_type=application.exchange_type,
        allowed_exchange_types=frozenset(call.exchange_types),
        theme_codes=frozenset(application.theme_codes),
        call_theme_codes=frozenset(theme.code for theme in call.themes),
        attachments_present=frozenset(a.kind for a in application.attachments),
        attachments_required=frozenset(call.required_attachments),
        requested_cents=requested_cents if requested_cents is not None else application.requested_cents or 0,
        computed_cents=money.total_cents,
        cap_cents=call.cap_cents,
        mentors=tuple(
            MentorExpertise(m.full_name, m.years_experience or 0, bool(m.drew_up_plan)) for m in application.mentors
        ),
        pair_has_other_open_application=bool(other_open),
        allows_repeat_pair=call.allows_repeat_pair,
    )


def run_checks(
    application: Application, version: int, submitted_at: datetime | None = None, requested_cents: int | None = None
) -> None:
    """At submission: every rule on the submitted dossier, kept per submission version. A submission
    runs them before it takes the call's lock, with the moment it checked the window at (`submitted_at`)
    and the amount it asks: the window rule then judges as it would at the moment under the lock, which
    is checked to be in the window as well.

    Written as rows, not objects: nothing reads them back in the submission, and one insert per rule
    goes to PostgreSQL in one round trip without asking each row's id back."""
    db.session.execute(
        insert(EligibilityResult),
        [
            {
                "application_id": application.id,
                "submission_version": version,
                "code": result.code,
                "outcome": result.outcome,
                "message_nl": result.message_nl,
                "message_en": result.message_en,
            }
            for result in check_eligibility(facts_of(application, submitted_at, requested_cents))
        ],
    )


def current_results(application: Application) -> list[EligibilityResult]:
    submission = application.latest_submission
    if submission is None:
        return []
    return list(
        db.session.scalars(
            select(EligibilityResult)
            .where(
                EligibilityResult.application_id == application.id,
                EligibilityResult.submission_version == submission.version,
            )
            .order_by(EligibilityResult.code)
        )
    )


def decide_result(result: EligibilityResult, outcome: Outcome, reason: str, actor: User) -> None:
    """The officer confirms or overrides one result, with a reason (kept in the audit log too)."""
    if outcome is Outcome.NEEDS_REVIEW:
        raise ValueError("a decision is pass or fail")
    result.final_outcome = outcome
    result.reason = reason.strip()
    result.decided_by_id = actor.id
    result.decided_at = utcnow()
    audit.record(
        actor, "eligibility.result_decided", "application", result.application_id,
        from_state=result.outcome, to_state=outcome, reason=result.reason, details={"code": result.code},
    )  # fmt: skip


def _lock(application_id: int) -> Application:
    """Lock the dossier, then the call (always in that order, as submitting does); `move` checks the table."""
    application, _call = lock_dossier_and_call(application_id)
    return application


def declare_eligible(application_id: int, actor: User, *, partner_acknowledged: bool = False) -> Application:
    """Eligible: every rule is met. Refused while the receiving government has not confirmed when the call
    says so, or when it declined; `partner_acknowledged`: the officer ticked that they know it did not
    confirm yet (the call warns)."""
    application = _lock(application_id)
    if not may_declare_eligible([r.effective_outcome for r in current_results(application)]):
        raise NotAllowed("a rule fails or still needs review")
    if transition(application.state_enum, Action.DECLARE_ELIGIBLE) is not None:  # else `move` says why
        partner.guard(application, actor, "eligible", partner_acknowledged)
    move(application, Action.DECLARE_ELIGIBLE, actor, "application.declared_eligible")
    notifications.record(NotificationEvent.DECLARED_ELIGIBLE, notifications.both_governments(application), application)
    return application


def request_correction(application_id: int, actor: User, question: str) -> Application:
    """Back to the applicant with a question; the reservation goes back to the queue."""
    application = _lock(application_id)
    application.correction_question = question.strip()
    move(
        application,
        Action.REQUEST_CORRECTION,
        actor,
        "application.correction_requested",
        application.correction_question,
    )
    notifications.record(
        NotificationEvent.CORRECTION_REQUESTED, notifications.giving_government(application), application
    )
    db.session.flush()
    budget.rebalance(application.call, actor, "correction")
    return application


def declare_ineligible(application_id: int, actor: User, motivation: str) -> Application:
    """A negative decision: its written motivation is shown to the applicant (formal motivation)."""
    application = _lock(application_id)
    decide_against(
        application, Action.DECLARE_INELIGIBLE, actor, "application.declared_ineligible", motivation, "ineligible"
    )
    notifications.record(
        NotificationEvent.DECLARED_INELIGIBLE, notifications.both_governments(application), application
    )
    return application
