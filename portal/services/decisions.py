"""Decisions on scored dossiers: grant (the reservation becomes a commitment) or reject, one or many.

A decision locks the dossier, then the call (the order every dossier change keeps), changes the
budget row and the history in the same transaction, and hands freed money to the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Reservation, User
from portal.models.budget import MovementKind
from portal.models.notifications import NotificationEvent
from portal.services import budget, files, notifications, partner, payouts, printing, reviews
from portal.services.dossiers import decide_against, move
from portal.services.locks import lock_calls, lock_dossier_and_call, lock_dossiers
from portal.services.refusal import NotAllowed, Refused
from workflows.applications import Action, State
from workflows.budget import Standing
from workflows.letters import PayoutSchedule, payout_schedule, report_deadline
from workflows.safeguards import PartnerCheck
from workflows.scoring import DossierScore


class DecisionRefused(Refused):
    """A decision the rules do not allow; `code` says why (shown to the officer in Dutch or English)."""


def _lock(application_id: int) -> Application:
    application, _call = lock_dossier_and_call(application_id)
    if application.state_enum is not State.SCORED:
        raise DecisionRefused("not_scored")
    return application


def grant_refusal(application: Application, amount_cents: int | None = None) -> str | None:
    """Why granting `amount_cents` (None: the reserved amount) is refused now, as a refusal code; None when
    it may go ahead. Reads only: the confirmation page asks it before the officer confirms."""
    if application.state_enum is not State.SCORED:
        return "not_scored"
    refused = partner.refusal(application)
    if refused is not None:
        return refused
    score = reviews.score_of(application)
    if score is None or not score.passes:
        return "below_threshold"
    reservation = db.session.get(Reservation, application.id)
    if reservation is None or reservation.standing != Standing.RESERVED or reservation.reserved_cents <= 0:
        return "no_reservation"
    amount = reservation.reserved_cents if amount_cents is None else amount_cents
    if not 0 < amount <= reservation.reserved_cents:
        return "amount"
    return None


def reject_refusal(application: Application) -> str | None:
    return None if application.state_enum is State.SCORED else "not_scored"


def grant(
    application_id: int,
    actor: User,
    motivation: str = "",
    amount_cents: int | None = None,
    *,
    partner_acknowledged: bool = False,
) -> Application:
    """Grant the reserved amount, or less: the difference goes back to the waiting list at once.
    Refused while the receiving government has not confirmed when the call says so, or when it declined;
    `partner_acknowledged`: the officer ticked that they know it did not confirm yet (the call warns)."""
    application = _lock(application_id)
    refused = grant_refusal(application, amount_cents)
    if refused is not None:
        raise DecisionRefused(refused)
    partner.acknowledge(application, actor, "grant", partner_acknowledged)
    reservation = db.session.get(Reservation, application.id)
    assert reservation is not None  # grant_refusal checked it
    reserved = reservation.reserved_cents
    amount = reserved if amount_cents is None else amount_cents
    call = application.call
    move(application, Action.GRANT, actor, "application.granted", motivation.strip() or None)
    application.granted_cents = amount
    application.decision_motivation = motivation.strip() or None
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    # The reservation ends and the commitment begins: two history lines, so that a dossier's lines
    # always add up to what it holds. No flush in between, so the envelope CHECK sees both at once.
    reservation.standing = None
    reservation.reserved_cents = 0
    reservation.waiting_place = None
    call.reserved_cents -= reserved
    budget.record_movement(call, application, actor, MovementKind.RELEASED, -reserved, "grant")
    reservation.committed_cents = amount
    call.committed_cents += amount
    budget.record_movement(call, application, actor, MovementKind.COMMITTED, amount, "grant")
    notifications.record(
        NotificationEvent.GRANTED, notifications.both_governments(application), application, {"granted_cents": amount}
    )
    db.session.flush()
    payouts.schedule_at_grant(application, actor)
    budget.rebalance(call, actor, "grant")
    return application


def reject(application_id: int, actor: User, motivation: str) -> Application:
    """A negative decision with its written motivation; the reservation goes to the waiting list."""
    if not motivation.strip():
        raise DecisionRefused("motivation")
    application = _lock(application_id)
    decide_against(application, Action.REJECT, actor, "application.rejected", motivation, "rejection")
    notifications.record(NotificationEvent.REJECTED, notifications.both_governments(application), application)
    return application


@dataclass(frozen=True)
class Outcome:
    application_id: int
    reference: str
    refused: str | None  # the code of DecisionRefused, None when decided


@dataclass(frozen=True)
class Planned:
    """A dossier of a batch decision, as the confirmation page shows it before the officer confirms."""

    application: Application
    amount_cents: int  # granted: what is committed; rejected: what is released
    refused: str | None  # why it will be skipped (a refusal code), None when it will be decided
    partner: PartnerCheck


def plan_many(application_ids: list[int], grant_them: bool) -> list[Planned]:
    """What one decision for several dossiers will do, in queue order. Reads only."""
    chosen = db.session.scalars(select(Application).where(Application.id.in_(application_ids))).all()
    planned = []
    for application in sorted(chosen, key=lambda a: (a.queue_number is None, a.queue_number or 0, a.id)):
        reservation = db.session.get(Reservation, application.id)
        reserved = reservation.reserved_cents if reservation is not None else 0
        refused = grant_refusal(application) if grant_them else reject_refusal(application)
        planned.append(
            Planned(application, reserved if refused is None else 0, refused, partner.partner_check(application))
        )
    return planned


def decide_many(
    application_ids: list[int], grant_them: bool, actor: User, motivation: str, *, partner_acknowledged: bool = False
) -> list[Outcome]:
    """One decision for several dossiers, taken in queue order; a refused one does not stop the others.

    Every dossier is locked first (by id), then their calls: locking the next dossier while holding
    the call's lock would deadlock against a government withdrawing that dossier at the same moment.
    """
    existing = db.session.scalars(select(Application.id).where(Application.id.in_(application_ids))).all()
    locked = lock_dossiers(existing)
    lock_calls({application.call_id for application in locked.values()})
    outcomes = []
    for application in sorted(locked.values(), key=lambda a: (a.queue_number is None, a.queue_number or 0, a.id)):
        reference = application.reference or ""
        savepoint = db.session.begin_nested()
        try:
            if grant_them:
                grant(application.id, actor, motivation, partner_acknowledged=partner_acknowledged)
            else:
                reject(application.id, actor, motivation)
        except DecisionRefused as refused:
            savepoint.rollback()
            outcomes.append(Outcome(application.id, reference, refused.code))
            continue
        savepoint.commit()
        outcomes.append(Outcome(application.id, reference, None))
    return outcomes


# --- the decision letter ------------------------------------------------------------------------

DECIDED = (State.INELIGIBLE, State.GRANTED, State.REJECTED, State.CLOSED)


def has_letter(application: Application) -> bool:
    return application.state_enum in DECIDED and application.decided_at is not None


@dataclass(frozen=True)
class Letter:
    """What a decision letter says, for the letter that is sent and for its draft before the decision."""

    outcome: State  # GRANTED, REJECTED or INELIGIBLE
    decided_at: datetime
    granted_cents: int | None
    motivation: str
    score: DossierScore | None
    schedule: PayoutSchedule | None  # granted only: the advance and the balance
    trajectory_ends_on: date | None
    report_due_on: date | None
    signatory_name: str
    signatory_function: str
    contact_name: str
    contact_email: str
    is_draft: bool


def _letter(
    application: Application,
    outcome: State,
    granted_cents: int | None,
    motivation: str,
    decided_at: datetime,
    is_draft: bool,
) -> Letter:
    call = application.call
    ends = [m.end_on for m in application.mentors if m.end_on is not None]
    ends_on = max(ends) if ends else None
    granted = outcome is State.GRANTED
    return Letter(
        outcome=outcome,
        decided_at=decided_at,
        granted_cents=granted_cents if granted else None,
        motivation=motivation,
        score=reviews.score_of(application) if outcome is not State.INELIGIBLE else None,
        schedule=payout_schedule(granted_cents or 0, call.advance_percent) if granted else None,
        trajectory_ends_on=ends_on if granted else None,
        report_due_on=report_deadline(ends_on) if granted and ends_on else None,
        signatory_name=call.signatory_name,
        signatory_function=call.signatory_function,
        contact_name=current_app.config["CALL_CONTACT_NAME"],
        contact_email=current_app.config["CALL_CONTACT_EMAIL"],
        is_draft=is_draft,
    )


def letter_of(application: Application) -> Letter:
    """The letter of the decision taken (a closed dossier was granted)."""
    assert application.decided_at is not None
    outcome = State.GRANTED if application.state_enum is State.CLOSED else application.state_enum
    return _letter(
        application,
        outcome,
        application.granted_cents,
        application.decision_motivation or "",
        application.decided_at,
        False,
    )


def draft_letter(application: Application, outcome: State, motivation: str, amount_cents: int | None = None) -> Letter:
    """The letter as it will be sent if the officer confirms `outcome` now; granted, `amount_cents` or the
    reserved amount. Reads only."""
    if outcome is State.GRANTED and amount_cents is None:
        reservation = budget.standing_of(application)
        amount_cents = reservation.reserved_cents if reservation is not None else 0
    return _letter(application, outcome, amount_cents, motivation.strip(), utcnow(), True)


def render_letter(application: Application, letter: Letter | None = None) -> bytes:
    """Always in Dutch: a Flemish administration's decision is written in Dutch (language law)."""
    letter = letter or letter_of(application)
    with force_locale("nl_BE"):
        html = render_template(
            "pdf/decision.html", application=application, call=application.call, letter=letter, lang="nl"
        )
    return printing.pdf_of(html)


def stored_letter(application: Application) -> bytes | None:
    """The decision letter as it was made, or None when it is not made yet (reading only)."""
    return files.read_file(application.decision_letter_name) if application.decision_letter_name else None


def letter_bytes(application: Application) -> bytes:
    """The stored decision letter; made (and kept unchanged) the first time it is asked for."""
    if not has_letter(application):
        raise NotAllowed("no decision yet")
    if application.decision_letter_name:
        return files.read_file(application.decision_letter_name)  # a missing one is an error, never made again
    pdf = render_letter(application)
    application.decision_letter_name = files.write_file(pdf)
    return pdf
