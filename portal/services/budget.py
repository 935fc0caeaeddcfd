"""The envelope, first come first served: every budget event recomputes the queue under the call lock,
except a first submission, which joins the end of the queue (`append`) without moving anyone ahead.

`rebalance` is called in the same transaction as the event (a submission, a withdrawal, later a
refusal or a grant). It locks the call row, asks workflows/budget.py who holds a reservation,
writes the differences as reservation rows and history lines, and keeps the call's totals, which
a CHECK constraint ties to the envelope: even a bug here could not overspend it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.models import Application, BudgetMovement, Call, Reservation, User
from portal.models.budget import MovementKind
from portal.models.notifications import NotificationEvent
from portal.services import audit, notifications
from workflows.applications import State
from workflows.budget import Claim, Position, ShortfallPolicy, Standing, allocate
from workflows.budget import append as append_to_queue
from workflows.calls import BudgetMeter

# Dossiers that hold or wait for money: submitted and not yet decided.
IN_QUEUE = (State.SUBMITTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED)


@dataclass(frozen=True)
class Change:
    application: Application
    before: Standing | None
    after: Standing | None
    reserved_cents: int


def rebalance(call: Call, actor: User | None, reason: str) -> list[Change]:
    """Bring every reservation of the call in line with the queue. The call row must be locked."""
    queue = list(
        db.session.scalars(
            select(Application)
            .where(
                Application.call_id == call.id, Application.state.in_(IN_QUEUE), Application.submitted_at.is_not(None)
            )
            .order_by(Application.queue_number)
        )
    )
    reservations = {
        r.application_id: r for r in db.session.scalars(select(Reservation).where(Reservation.call_id == call.id))
    }
    claims = [
        Claim(
            a.id,
            a.requested_cents or 0,
            reservations[a.id].accepted_cents if a.id in reservations else None,
            holds_reservation=a.id in reservations and reservations[a.id].standing == Standing.RESERVED,
        )
        for a in queue
    ]
    result = allocate(call.envelope_cents, call.committed_cents, claims, ShortfallPolicy(call.shortfall_policy))
    # The new total first, so that every history line written below carries it.
    call.reserved_cents = result.reserved_cents
    changes: list[Change] = []
    offered_now: list[tuple[Application, int]] = []
    in_queue = {a.id for a in queue}
    for application, position in zip(queue, result.positions, strict=True):
        change = _take(call, application, reservations.get(application.id), position, actor, reason, offered_now)
        if change is not None:
            changes.append(change)
    for application_id, reservation in reservations.items():
        if application_id in in_queue or not reservation.standing:
            continue
        # Left the queue (withdrawn, ineligible, rejected): whatever it held goes back.
        released = reservation.reserved_cents
        before = Standing(reservation.standing)
        reservation.standing = None
        reservation.reserved_cents = 0
        reservation.waiting_place = None
        reservation.offer_cents = None
        application = reservation.application
        record_movement(call, application, actor, MovementKind.RELEASED, -released, reason)
        changes.append(Change(application, before, None, 0))
    db.session.flush()  # the CHECK on the call row is the last word on the envelope
    _tell(changes, offered_now, actor, reason)
    return changes


def last_waiting_place(call_id: int) -> Select[tuple[int | None]]:
    """The highest waiting place given in the call: a submission reads it, as a subquery, in the statement
    that draws its place in the queue."""
    return select(func.max(Reservation.waiting_place)).where(Reservation.call_id == call_id)


def append(
    call: Call, application: Application, actor: User | None, reason: str, last_waiting: int | None
) -> Change | None:
    """A first submission joins the end of the queue. The call row must be locked, and `last_waiting`
    read under that lock (`last_waiting_place`).

    Every event recomputes the queue (`rebalance`), so the places already given are the ones
    `allocate` gives, and a dossier at the end changes none of them: its own place follows from the
    call's totals and the last waiting place (workflows.budget.append). No query at all, however long
    the queue, where `rebalance` reads all of it.
    """
    # The caller knows the dossier has no reservation row: one that held a place before (and may have
    # accepted a lower amount) rejoins through rebalance; a second row would break the primary key.
    position = append_to_queue(
        call.envelope_cents, call.committed_cents, call.reserved_cents, last_waiting,
        Claim(application.id, application.requested_cents or 0), ShortfallPolicy(call.shortfall_policy),
    )  # fmt: skip
    call.reserved_cents += position.reserved_cents
    offered_now: list[tuple[Application, int]] = []
    change = _take(call, application, None, position, actor, reason, offered_now)
    _tell([change] if change is not None else [], offered_now, actor, reason)
    db.session.flush()  # the CHECK on the call row is the last word on the envelope
    return change


def _take(call: Call, application: Application, reservation: Reservation | None, position: Position, actor: User | None,
          reason: str, offered_now: list[tuple[Application, int]]) -> Change | None:  # fmt: skip
    """Bring one dossier's reservation row to its place; the change, if any, with its history line.
    The call's total is set already, so the line carries it."""
    if reservation is None:
        reservation = Reservation(application_id=application.id, call_id=call.id, reserved_cents=0, committed_cents=0)
        db.session.add(reservation)
    before = Standing(reservation.standing) if reservation.standing else None
    delta = position.reserved_cents - (reservation.reserved_cents or 0)
    reservation.standing = position.standing
    reservation.reserved_cents = position.reserved_cents
    reservation.waiting_place = position.waiting_place
    new_offer = position.offer_cents != reservation.offer_cents and position.offer_cents is not None
    if new_offer:
        offered_now.append((application, position.offer_cents))
    reservation.offer_cents = position.offer_cents
    if not (delta or before is not position.standing or new_offer):
        return None
    kind = (
        MovementKind.RESERVED
        if delta > 0
        else MovementKind.RELEASED
        if delta < 0
        else MovementKind.OFFERED
        if new_offer
        else MovementKind.WAITING
    )
    record_movement(call, application, actor, kind, delta, reason)
    return Change(application, before, position.standing, position.reserved_cents)


def _tell(changes: list[Change], offered_now: list[tuple[Application, int]], actor: User | None, reason: str) -> None:
    """The audit lines of new reservations, and what the governments hear of their money."""
    for change in changes:
        if change.after is Standing.RESERVED and change.before is not Standing.RESERVED:
            audit.record(
                actor,
                "budget.reserved",
                "application",
                change.application.id,
                details={"reserved_cents": change.reserved_cents, "reason": reason},
            )
        if change.after is Standing.RESERVED and change.before is Standing.WAITING:
            # Freed money reached a waiting dossier: its government hears it (SPEC 8).
            notifications.record(
                NotificationEvent.BUDGET_RELEASED,
                notifications.giving_government(change.application),
                change.application,
                {"reserved_cents": change.reserved_cents},
            )
    for application, offer_cents in offered_now:
        notifications.record(
            NotificationEvent.BUDGET_OFFERED,
            notifications.giving_government(application),
            application,
            {"offer_cents": offer_cents},
        )


def release_commitment(call: Call, application: Application, actor: User | None, reason: str) -> int:
    """Give a commitment back to the envelope (a granted dossier withdrawn). The call must be locked."""
    reservation = standing_of(application)
    if reservation is None or reservation.committed_cents == 0:
        return 0
    released = reservation.committed_cents
    reservation.committed_cents = 0
    call.committed_cents -= released
    record_movement(call, application, actor, MovementKind.RELEASED, -released, reason)
    return released


def record_movement(
    call: Call, application: Application, actor: User | None, kind: str, amount: int, reason: str
) -> None:
    """A history line with the call's totals as they are now (after the change it records)."""
    db.session.add(
        BudgetMovement(
            call_id=call.id,
            application_id=application.id,
            actor_id=actor.id if actor else None,
            kind=kind,
            amount_cents=amount,
            reserved_after_cents=call.reserved_cents,
            committed_after_cents=call.committed_cents,
            reason=reason,
        )
    )


def standing_of(application: Application) -> Reservation | None:
    return db.session.get(Reservation, application.id)


@dataclass(frozen=True)
class Prospect:
    """Where a dossier submitted now would stand: its place in the queue and what it would hold (read only)."""

    queue_place: int
    position: Position


def prospect(call: Call, requested_cents: int) -> Prospect:
    """The place `append` would give a dossier asking `requested_cents` if it were submitted now, without
    taking a lock or writing anything: the public self-check's answer, by the queue's own rule.

    Its place in the order of submission is the one its receipt would print: after every dossier that holds
    a place (`call.queue_places`), decided ones included, as `applications.submit` counts it."""
    last_waiting = db.session.scalar(last_waiting_place(call.id))
    position = append_to_queue(
        call.envelope_cents, call.committed_cents, call.reserved_cents, last_waiting,
        Claim(0, requested_cents), ShortfallPolicy(call.shortfall_policy),
    )  # fmt: skip
    return Prospect(call.queue_places + 1, position)


def waiting_count(call: Call) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.call_id == call.id, Reservation.standing == Standing.WAITING)
        )
        or 0
    )


def meter(call: Call) -> BudgetMeter:
    """The live figures of the call page: envelope, reserved, committed, remaining, waiting."""
    return call.budget_meter(waiting_count(call))


def queue_of(call: Call) -> list[tuple[Application, Reservation | None]]:
    """The officer's view: every submitted dossier of the call in queue order with its standing."""
    rows = db.session.execute(
        select(Application, Reservation)
        .outerjoin(Reservation, Reservation.application_id == Application.id)
        .where(Application.call_id == call.id, Application.submitted_at.is_not(None))
        .order_by(Application.queue_number)
    ).all()
    return [(application, reservation) for application, reservation in rows]


def history_of(call: Call) -> list[BudgetMovement]:
    return list(
        db.session.scalars(select(BudgetMovement).where(BudgetMovement.call_id == call.id).order_by(BudgetMovement.id))
    )
