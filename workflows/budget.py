"""First come, first served: who holds a reservation on the call's envelope (SPEC section 8). Pure.

The queue is served strictly in order: a dossier reserves its amount when everything ahead of it
has been served and the rest of the envelope allows it; the first one that does not fit stops the
queue, and it and everything behind it wait. Under the `partial` policy the first waiting dossier
is offered what remains; it may accept that lower amount (then it reserves it) or keep waiting.
Recomputing after every event (a submission, a withdrawal, a refusal, a lower grant, a change of
the envelope or the policy) hands freed money to the waiting list in queue order, and a reservation
once held is never taken away: what a dossier holds (and saw on its receipt) is set aside before the
rest of the envelope is handed out, so that no later claim and no change of policy can take it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ShortfallPolicy(StrEnum):
    PARTIAL = "partial"
    WAIT = "wait"


class Standing(StrEnum):
    RESERVED = "reserved"
    WAITING = "waiting"


@dataclass(frozen=True)
class Claim:
    """A dossier in the queue (queue order is the order of the list)."""

    application_id: int
    requested_cents: int
    # A lower amount the applicant accepted after a partial offer; it then claims only that.
    accepted_cents: int | None = None
    # It holds a reservation of its claimed amount already: it keeps it, whatever comes before.
    holds_reservation: bool = False

    def __post_init__(self) -> None:
        if self.requested_cents < 0:
            raise ValueError("a requested amount is never negative")
        if self.accepted_cents is not None and not 0 < self.accepted_cents <= self.requested_cents:
            raise ValueError("an accepted amount is more than 0 and at most the requested amount")

    @property
    def claimed_cents(self) -> int:
        return self.accepted_cents if self.accepted_cents is not None else self.requested_cents


@dataclass(frozen=True)
class Position:
    application_id: int
    standing: Standing
    reserved_cents: int  # 0 while waiting
    waiting_place: int | None  # 1 for the first waiting dossier
    offer_cents: int | None  # what the first waiting dossier is offered under `partial`


@dataclass(frozen=True)
class Allocation:
    envelope_cents: int
    committed_cents: int
    positions: tuple[Position, ...]

    @property
    def reserved_cents(self) -> int:
        return sum(p.reserved_cents for p in self.positions)

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.committed_cents - self.reserved_cents

    @property
    def waiting(self) -> tuple[Position, ...]:
        return tuple(p for p in self.positions if p.standing is Standing.WAITING)

    def position_of(self, application_id: int) -> Position | None:
        return next((p for p in self.positions if p.application_id == application_id), None)


def allocate(envelope_cents: int, committed_cents: int, queue: list[Claim], policy: ShortfallPolicy) -> Allocation:
    """Reservations for the dossiers in the queue, given what is already committed by grants."""
    if envelope_cents < 0 or committed_cents < 0:
        raise ValueError("envelope and commitments are never negative")
    if committed_cents > envelope_cents:
        raise ValueError("commitments may never exceed the envelope")
    held_cents = sum(claim.claimed_cents for claim in queue if claim.holds_reservation)
    available = envelope_cents - committed_cents - held_cents
    if available < 0:
        raise ValueError("reservations held and commitments exceed the envelope")
    positions: list[Position] = []
    waiting_place = 0
    for claim in queue:
        need = claim.claimed_cents
        if claim.holds_reservation:
            positions.append(Position(claim.application_id, Standing.RESERVED, need, None, None))
            continue
        if waiting_place == 0 and need <= available:
            available -= need
            positions.append(Position(claim.application_id, Standing.RESERVED, need, None, None))
            continue
        waiting_place += 1
        offer = available if waiting_place == 1 and policy is ShortfallPolicy.PARTIAL and available > 0 else None
        positions.append(Position(claim.application_id, Standing.WAITING, 0, waiting_place, offer))
    return Allocation(envelope_cents, committed_cents, tuple(positions))


def append(envelope_cents: int, committed_cents: int, reserved_cents: int, last_waiting_place: int | None,
           claim: Claim, policy: ShortfallPolicy) -> Position:  # fmt: skip
    """The place of a new dossier at the end of a queue whose places `allocate` gave, without the queue.

    Nothing ahead of the last dossier depends on what comes after it (`allocate` serves the queue in
    order), so the places already given stand, and the new one needs only the totals: it reserves its
    claim when nobody waits and the rest of the envelope holds it; otherwise it waits behind the last
    waiting dossier, and under `partial` is offered what remains if it is the first to wait.
    Equal to the last position of `allocate(queue + [claim])` (tests/unit/test_budget_append.py).
    """
    if claim.holds_reservation:
        raise ValueError("a dossier joining the queue holds no reservation yet")
    available = envelope_cents - committed_cents - reserved_cents
    if available < 0:
        raise ValueError("reservations and commitments exceed the envelope")
    need = claim.claimed_cents
    if last_waiting_place is None and need <= available:
        return Position(claim.application_id, Standing.RESERVED, need, None, None)
    place = (last_waiting_place or 0) + 1
    offer = available if place == 1 and policy is ShortfallPolicy.PARTIAL and available > 0 else None
    return Position(claim.application_id, Standing.WAITING, 0, place, offer)
