"""Decisions on scored dossiers: grant (the reservation becomes a commitment) or reject, one or many.

A decision locks the dossier, then the call (the order every dossier change keeps), changes the
budget row and the history in the same transaction, and hands freed money to the waiting list.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from weasyprint import HTML

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, Reservation, User
from portal.models.budget import MovementKind
from portal.models.notifications import NotificationEvent
from portal.services import budget, files, notifications, payouts, reviews
from portal.services.dossiers import decide_against, move
from portal.services.locks import lock_calls, lock_dossier_and_call, lock_dossiers
from portal.services.refusal import NotAllowed
from workflows.applications import Action, State
from workflows.budget import Standing


class DecisionRefused(NotAllowed):
    """A decision the rules do not allow; `code` says why (shown to the officer in Dutch or English)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _lock(application_id: int) -> Application:
    application, _call = lock_dossier_and_call(application_id)
    if application.state_enum is not State.SCORED:
        raise DecisionRefused("not_scored")
    return application


def grant(application_id: int, actor: User, motivation: str = "", amount_cents: int | None = None) -> Application:
    """Grant the reserved amount, or less: the difference goes back to the waiting list at once."""
    application = _lock(application_id)
    score = reviews.score_of(application)
    if score is None or not score.passes:
        raise DecisionRefused("below_threshold")
    reservation = db.session.get(Reservation, application.id)
    if reservation is None or reservation.standing != Standing.RESERVED or reservation.reserved_cents <= 0:
        raise DecisionRefused("no_reservation")
    reserved = reservation.reserved_cents
    amount = reserved if amount_cents is None else amount_cents
    if not 0 < amount <= reserved:
        raise DecisionRefused("amount")
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


def decide_many(application_ids: list[int], grant_them: bool, actor: User, motivation: str) -> list[Outcome]:
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
                grant(application.id, actor, motivation)
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


def render_letter(application: Application) -> bytes:
    """Always in Dutch: a Flemish administration's decision is written in Dutch (language law)."""
    with force_locale("nl_BE"):
        html = render_template(
            "pdf/decision.html",
            application=application,
            call=application.call,
            score=reviews.score_of(application) if application.state_enum is not State.INELIGIBLE else None,
            lang="nl",
        )
    return HTML(string=html, base_url=current_app.root_path).write_pdf()  # type: ignore[no-any-return]


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
