"""Applications: drafts, sections, submission (exactly once), participation, withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Call, QueueTicket, Submission, User
from portal.models.notifications import NotificationEvent
from portal.services import audit, budget, eligibility, notifications, payouts
from portal.services.dossiers import WHOLE, compensation_of, count_place, move
from portal.services.locks import database_now, lock_call, lock_dossier, lock_dossier_and_call
from portal.services.partner import receiving_answer
from portal.services.refusal import NotAllowed, Refused
from workflows.applications import (
    WITHOUT_A_PLACE,
    Action,
    ContactFacts,
    DraftFacts,
    MentorFacts,
    Section,
    SectionStatus,
    State,
    SubmitCheck,
    can,
    check_submit,
    content_hash,
    reference_number,
    section_statuses,
)
from workflows.budget import Standing
from workflows.calls import BRUSSELS
from workflows.participation import Answer, confirm_refusal, decline_refusal
from workflows.roles import Role


def dossiers_of(organisation_id: int) -> tuple[list[Application], list[Application]]:
    """(as giving government, as receiving government), newest first; a receiver sees no drafts."""
    giving = db.session.scalars(
        select(Application)
        .where(Application.organisation_id == organisation_id)
        .order_by(Application.created_at.desc())
    ).all()
    receiving = db.session.scalars(
        select(Application)
        .where(Application.receiving_organisation_id == organisation_id, Application.submitted_at.is_not(None))
        .order_by(Application.submitted_at.desc())
    ).all()
    return list(giving), list(receiving)


# --- the task list --------------------------------------------------------------------------


def draft_facts(application: Application) -> DraftFacts:
    return DraftFacts(
        receiving_chosen=application.receiving_organisation_id is not None,
        giving_contact=ContactFacts(
            application.giving_contact_name,
            application.giving_contact_function,
            application.giving_contact_email,
            application.giving_contact_phone,
        ),
        receiving_contact=ContactFacts(
            application.receiving_contact_name,
            application.receiving_contact_function,
            application.receiving_contact_email,
            application.receiving_contact_phone,
        ),
        exchange_type=application.exchange_type,
        theme_count=len(application.theme_codes or []),
        right_count=len(application.right_codes or []),
        texts=(
            application.approach,
            application.need,
            application.goals,
            application.participation,
            application.embedding,
        ),
        mentors=tuple(MentorFacts(mentor.is_complete) for mentor in application.mentors),
        iban=application.iban,
        attachments_present=frozenset(a.kind for a in application.attachments),
        attachments_required=frozenset(application.call.required_attachments),
    )


def submit_check(application: Application, now: datetime, declared: bool) -> SubmitCheck:
    return check_submit(application.state_enum, draft_facts(application), application.call.window, now, declared)


# --- submitting, exactly once ---------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    application: Application
    submission: Submission | None  # None: refused, see check
    check: SubmitCheck
    already_submitted: bool = False


def submit(application_id: int, actor: User, declared: bool) -> SubmitResult:
    """Submit a draft. Double clicks, retries and parallel tabs: the row lock makes the first one win
    and the others find it submitted (already_submitted) instead of submitting again.

    The call row is locked too, and only then are the queue ticket, the reference number and the
    moment handed out: the ticket (a database sequence drawn under the call's lock) is the queue's
    order, and the moment is the database's clock read under that lock, never a web server's clock,
    so that several web machines with clocks a few milliseconds apart still keep the order exact.

    Every government of the call waits for the call's lock when a call opens, so what needs no place
    in the queue (the amount, the frozen content, the eligibility rules, who is told) is done and
    written before it. Under it, one statement draws the place (`_draw_place`) and one flush writes
    the dossier, its frozen content, its reservation and their audit rows. Should the call have closed
    while this submission waited for the lock, the transaction is rolled back whole: nothing of the
    submission stays.
    """
    application = lock_dossier(application_id, *WHOLE)
    resubmission = application.state_enum is State.CORRECTION_REQUESTED
    if not resubmission and application.state_enum is not State.DRAFT and application.latest_submission is not None:
        return SubmitResult(application, application.latest_submission, SubmitCheck(()), already_submitted=True)
    if not can(Role.APPLICANT, application.state_enum, Action.RESUBMIT if resubmission else Action.SUBMIT):
        raise NotAllowed(application.state)
    facts = draft_facts(application)
    checked_at = database_now()
    if not (check := check_submit(application.state_enum, facts, application.call.window, checked_at, declared)).ok:
        return SubmitResult(application, None, check)

    # No transition leads back to a draft: a draft was never submitted, and its submissions need no read.
    version = 1 if application.state_enum is State.DRAFT else len(application.submissions) + 1
    _, money = compensation_of(application)
    content = frozen_content(application, actor)
    eligibility.run_checks(application, version, submitted_at=checked_at, requested_cents=money.total_cents)
    notifications.record(
        NotificationEvent.APPLICATION_SUBMITTED,
        notifications.both_governments(application),
        application,
        {"version": version, "resubmission": resubmission},
    )
    db.session.flush()

    call = lock_call(application.call_id)
    place = _draw_place(call)
    check = check_submit(application.state_enum, facts, call.window, place.moment, declared)
    if not check.ok:
        db.session.rollback()
        return SubmitResult(application, None, check)

    if application.reference is None:
        call.last_reference_number = place.reference_number
        application.reference = place.reference if place.reference_free else next_reference(call)
    before = application.state
    application.requested_cents = money.total_cents
    # A resubmission after a correction takes a new place: its queue time is the resubmission time.
    application.submitted_at = place.moment
    application.queue_number = place.ticket
    application.declared_by_id = actor.id
    application.state = State.SUBMITTED
    # Every place taken so far is ahead of this one (its ticket is the call's latest).
    content.update(
        reference=application.reference, submitted_at=place.moment.isoformat(), queue_position=call.queue_places + 1
    )
    count_place(application, State(before))
    submission = Submission(
        application=application,
        version=version,
        submitted_at=place.moment,
        submitted_by_id=actor.id,
        content=content,
        content_sha256=content_hash(content),
    )
    db.session.add(submission)
    audit.record(
        actor,
        "application.resubmitted" if resubmission else "application.submitted",
        "application",
        application.id,
        from_state=before,
        to_state=State.SUBMITTED,
        details={
            "reference": application.reference,
            "requested_cents": application.requested_cents,
            "sha256": submission.content_sha256,
        },
    )
    if resubmission:  # back after a correction, perhaps with an amount it accepted: the whole queue is recomputed
        budget.rebalance(call, actor, "resubmission")
    else:  # a first submission: no reservation row yet
        budget.append(call, application, actor, "submission", place.last_waiting)
    return SubmitResult(application, submission, check)


@dataclass(frozen=True)
class Place:
    """What a submission learns under the call's lock, in one statement."""

    ticket: int
    moment: datetime  # by the database's clock
    last_waiting: int | None  # the highest waiting place given in the call
    reference_number: int  # the call's next number
    reference: str
    reference_free: bool  # no other call sharing the prefix took it (see next_reference)


def _draw_place(call: Call) -> Place:
    """The queue ticket and the moment it was drawn, by the database's clock, with what the rest of the
    submission needs to know of the queue, in one statement of index lookups, however long the queue:
    the call's lock is held, and every statement here keeps every other government waiting. The
    statement starts after the lock was granted, so it sees every submission committed before."""
    moment = func.clock_timestamp() if db.session.get_bind().dialect.name == "postgresql" else database_now()
    number = call.last_reference_number + 1
    reference = _reference(call, number)
    row = db.session.execute(
        insert(QueueTicket)
        .values(issued_at=moment)
        .returning(
            QueueTicket.id,
            QueueTicket.issued_at,
            budget.last_waiting_place(call.id).scalar_subquery(),
            ~select(Application.id).where(Application.reference == reference).exists(),
        )
    ).one()
    ticket, issued_at, last_waiting, free = row
    return Place(int(ticket), issued_at.astimezone(UTC), last_waiting, number, reference, bool(free))


def next_reference(call: Call) -> str:
    """The call's next reference number (`ARM-2022-0007`) after the one `_draw_place` found taken. The
    call row is locked.

    The call form refuses a prefix that another call opening in the same year uses; should two calls
    share one all the same (a date changed outside the portal), the numbers already taken are
    skipped rather than refusing every submission with a duplicate.
    """
    while True:
        call.last_reference_number += 1
        reference = _reference(call, call.last_reference_number)
        if db.session.scalar(select(Application.id).where(Application.reference == reference)) is None:
            return reference


def _reference(call: Call, number: int) -> str:
    return reference_number(call.reference_prefix, call.opens_at.astimezone(BRUSSELS).year, number)


def queue_position(application: Application) -> int | None:
    """1 for the first complete dossier of the call, in the order of the tickets drawn under its lock."""
    if application.submitted_at is None or application.queue_number is None:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.call_id == application.call_id,
            Application.state.not_in(WITHOUT_A_PLACE),
            Application.queue_number < application.queue_number,
        )
    )
    return int(ahead or 0) + 1


def frozen_content(application: Application, actor: User) -> dict[str, Any]:
    """Everything that was submitted, as plain data: what the receipt prints and the hash covers."""
    lines, money = compensation_of(application)
    call = application.call
    receiving = application.receiving_organisation
    return {
        "call": {
            "code": call.code,
            "title_nl": call.title_nl,
            "rate_percent": call.compensation_rate_percent,
            "cap_cents": call.cap_cents,
        },
        "reference": application.reference,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "giving": {
            "name": application.organisation.name,
            "nis_code": application.organisation.nis_code,
            "contact": {
                "name": application.giving_contact_name,
                "function": application.giving_contact_function,
                "email": application.giving_contact_email,
                "phone": application.giving_contact_phone,
            },
        },
        "receiving": {
            "name": receiving.name if receiving else None,
            "nis_code": receiving.nis_code if receiving else None,
            "contact": {
                "name": application.receiving_contact_name,
                "function": application.receiving_contact_function,
                "email": application.receiving_contact_email,
                "phone": application.receiving_contact_phone,
            },
        },
        "exchange": {
            "type": application.exchange_type,
            "themes": list(application.theme_codes),
            "rights": list(application.right_codes),
            "approach": application.approach,
            "need": application.need,
            "goals": application.goals,
            "participation": application.participation,
            "embedding": application.embedding,
        },
        "mentors": [
            {
                "name": mentor.full_name,
                "function": mentor.function,
                "years_experience": mentor.years_experience,
                "drew_up_plan": mentor.drew_up_plan,
                "plan_description": mentor.plan_description,
                "plan_year": mentor.plan_year,
                "themes": list(mentor.theme_codes),
                "monthly_wage_cents": mentor.monthly_wage_cents,
                "time_share_bp": mentor.time_share_bp,
                "start_on": mentor.start_on.isoformat() if mentor.start_on else None,
                "end_on": mentor.end_on.isoformat() if mentor.end_on else None,
                "months": str(line.months),
                "compensation_cents": line.compensation_cents,
            }
            for mentor, line in lines
        ],
        "budget": {
            "uncapped_cents": money.uncapped_cents,
            "cap_cents": money.cap_cents,
            "requested_cents": money.total_cents,
        },
        "iban": application.iban,
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "size_bytes": a.size_bytes, "sha256": a.sha256}
            for a in sorted(application.attachments, key=lambda a: a.kind)
        ],
        "declared_by": {"name": actor.full_name, "email": actor.email},
    }


# --- the other party, and withdrawing -------------------------------------------------------


class ParticipationRefused(Refused):
    """The receiving government's answer the rules refuse now; `code` is an AnswerRefusal."""


def _receiving_dossier(application_id: int, actor: User) -> Application:
    """The dossier, locked; LookupError when the actor's government is not its receiving party."""
    application = lock_dossier(application_id)
    if actor.organisation_id is None or application.receiving_organisation_id != actor.organisation_id:
        raise LookupError(application_id)
    return application


def confirm_participation(application_id: int, actor: User, now: datetime) -> Application:
    """The receiving government confirms it takes part; a decline it gave before is cleared (it changed
    its mind). LookupError when the actor's government is not the dossier's receiving party."""
    application = _receiving_dossier(application_id, actor)
    answer = receiving_answer(application)
    if (refused := confirm_refusal(application.state_enum, answer)) is not None:
        raise ParticipationRefused(refused)
    if answer is Answer.CONFIRMED:
        return application
    details = (
        {"declined_at": application.receiving_declined_at.isoformat()} if application.receiving_declined_at else None
    )
    application.receiving_declined_at = None
    application.receiving_declined_by_id = None
    application.receiving_decline_reason = None
    application.receiving_confirmed_at = now
    application.receiving_confirmed_by_id = actor.id
    db.session.flush()
    audit.record_row(
        actor, "application.participation_confirmed", application, to_state=application.state, details=details
    )
    return application


def decline_participation(application_id: int, actor: User, reason: str, now: datetime) -> Application:
    """The receiving government declines to take part, with its reason; the giving government and the
    officers are told. LookupError when the actor's government is not the dossier's receiving party."""
    application = _receiving_dossier(application_id, actor)
    reason = reason.strip()
    if (refused := decline_refusal(application.state_enum, receiving_answer(application), reason)) is not None:
        raise ParticipationRefused(refused)
    application.receiving_declined_at = now
    application.receiving_declined_by_id = actor.id
    application.receiving_decline_reason = reason
    db.session.flush()
    audit.record_row(
        actor, "application.participation_declined", application, to_state=application.state, reason=reason
    )
    notifications.record(
        NotificationEvent.PARTICIPATION_DECLINED,
        notifications.giving_government(application) + notifications.officer_recipients(),
        application,
        {"reason": reason},
    )
    return application


def withdraw(application_id: int, actor: User, reason: str, now: datetime | None = None) -> Application:
    """Withdraw a dossier (any state before a payout). Locks the dossier, then, when it held a place
    in the queue, the call."""
    application = lock_dossier(application_id)
    # "any state before a payout": once a payout is approved or paid, the dossier stays.
    if payouts.payout_under_way(application):
        raise NotAllowed("payout under way")
    payouts.cancel_open_payouts(application, actor, "withdrawal")
    # A submitted dossier gives up its place in the queue: the call's lock first.
    call = lock_call(application.call_id) if application.submitted_at is not None else None
    move(application, Action.WITHDRAW, actor, "application.withdrawn", reason.strip() or None)
    application.withdrawn_at = now or utcnow()
    application.withdrawal_reason = reason.strip() or None
    if call is not None:
        db.session.flush()
        # A granted dossier gives back its commitment; both go to the waiting list, in queue
        # order, in this same transaction.
        budget.release_commitment(call, application, actor, "withdrawal")
        budget.rebalance(call, actor, "withdrawal")
    return application


def accept_offer(application_id: int, actor: User, offer_cents: int) -> Application:
    """The first waiting dossier takes the lower amount it was offered (shortfall policy `partial`).

    The offer the applicant saw must still be the offer now: money may have moved since.
    """
    application, call = lock_dossier_and_call(application_id)
    reservation = budget.standing_of(application)
    if (
        reservation is None
        or reservation.standing != Standing.WAITING
        or reservation.offer_cents is None
        or reservation.offer_cents != offer_cents
    ):
        raise NotAllowed("offer changed")
    reservation.accepted_cents = offer_cents
    audit.record_row(
        actor,
        "budget.offer_accepted",
        application,
        details={"accepted_cents": offer_cents, "requested_cents": application.requested_cents},
    )
    db.session.flush()
    budget.rebalance(call, actor, "offer_accepted")
    return application


def section_statuses_of(application: Application) -> dict[Section, SectionStatus]:
    return section_statuses(draft_facts(application))
