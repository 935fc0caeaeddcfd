"""Payouts of the compensation (SPEC section 9): the schedule, the final settlement, the states. Pure.

A granted dossier's commitment is paid out in at most two payments: an advance at grant (when the
call sets a percentage) and the balance after the final report. The final compensation uses the
same formula as the application (workflows/compensation.py) on the actual wage costs, time shares
and periods, capped at the commitment; what was paid before is deducted, and a negative balance is
a recovery (terugvordering). Money already paid can only go back to the envelope once it has been
recovered, so that the amount paid never exceeds the amount committed, not even for a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from workflows.compensation import Compensation, MentorCost, compensation, round_half_up
from workflows.roles import Role


class PayoutKind(StrEnum):
    ADVANCE = "advance"  # a share of the commitment, at grant
    BALANCE = "balance"  # the final compensation minus what was paid, after the final report
    RECOVERY = "recovery"  # money the giving government pays back: paid exceeded the final compensation


class PayoutState(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    IN_FILE = "in_file"  # in a payment file (pain.001) handed to the bank: never in a second one
    PAID = "paid"  # for a recovery: the money came back
    FAILED = "failed"
    CANCELLED = "cancelled"  # a planned payout of a dossier that was withdrawn


class PayoutAction(StrEnum):
    APPROVE = "approve"
    ADD_TO_FILE = "add_to_file"
    PAY = "pay"
    FAIL = "fail"
    REPLAN = "replan"
    CANCEL = "cancel"


@dataclass(frozen=True)
class PayoutTransition:
    source: PayoutState
    action: PayoutAction
    target: PayoutState
    actors: frozenset[Role]


PAYOUT_TRANSITIONS: tuple[PayoutTransition, ...] = (
    # Approving and paying are the finance role's; the approver is never the one who prepared it.
    PayoutTransition(PayoutState.PLANNED, PayoutAction.APPROVE, PayoutState.APPROVED, frozenset({Role.FINANCE})),
    # A transfer reaches the bank only in a payment batch: once in a file, never in another.
    PayoutTransition(PayoutState.APPROVED, PayoutAction.ADD_TO_FILE, PayoutState.IN_FILE, frozenset({Role.FINANCE})),
    PayoutTransition(PayoutState.IN_FILE, PayoutAction.PAY, PayoutState.PAID, frozenset({Role.FINANCE})),
    # The bank refused or returned the transfer (a closed account, a wrong IBAN); it may go in a later batch.
    PayoutTransition(PayoutState.IN_FILE, PayoutAction.FAIL, PayoutState.FAILED, frozenset({Role.FINANCE})),
    # A recovery is money the government pays back: it comes in without a file of ours.
    PayoutTransition(PayoutState.APPROVED, PayoutAction.PAY, PayoutState.PAID, frozenset({Role.FINANCE})),
    PayoutTransition(PayoutState.APPROVED, PayoutAction.FAIL, PayoutState.FAILED, frozenset({Role.FINANCE})),
    # Prepared again, after the cause was put right; it needs a new approval.
    PayoutTransition(
        PayoutState.FAILED, PayoutAction.REPLAN, PayoutState.PLANNED, frozenset({Role.OFFICER, Role.FINANCE})
    ),
    PayoutTransition(
        PayoutState.PLANNED, PayoutAction.CANCEL, PayoutState.CANCELLED, frozenset({Role.OFFICER, Role.FINANCE})
    ),
)

# Outgoing payouts: transferred by the administration, through a payment file.
TRANSFERS: frozenset[PayoutKind] = frozenset({PayoutKind.ADVANCE, PayoutKind.BALANCE})

# Those who may prepare a payout (a balance from a final report, or one prepared again).
PREPARERS: frozenset[Role] = frozenset({Role.OFFICER, Role.FINANCE})
# A payout still to be made or received: it blocks closing the dossier.
OPEN_STATES: frozenset[PayoutState] = frozenset(
    {PayoutState.PLANNED, PayoutState.APPROVED, PayoutState.IN_FILE, PayoutState.FAILED}
)
# Money on its way: the dossier can no longer be withdrawn, nor its report settled until it lands.
UNDER_WAY_STATES: frozenset[PayoutState] = frozenset({PayoutState.APPROVED, PayoutState.IN_FILE, PayoutState.PAID})


def payout_transition(state: PayoutState, action: PayoutAction) -> PayoutTransition | None:
    return next((t for t in PAYOUT_TRANSITIONS if t.source == state and t.action == action), None)


def may(role: Role, state: PayoutState, action: PayoutAction, kind: PayoutKind | None = None) -> bool:
    """Whether the role may take the action in this state; for a transfer, paid or failed is recorded
    only from the payment file it went to the bank in."""
    found = payout_transition(state, action)
    if found is None or role not in found.actors:
        return False
    return not (kind in TRANSFERS and state is PayoutState.APPROVED and action in (PayoutAction.PAY, PayoutAction.FAIL))


def batchable(kind: PayoutKind, state: PayoutState) -> bool:
    """An approved transfer, not yet in a payment file."""
    return kind in TRANSFERS and state is PayoutState.APPROVED


def four_eyes_allow(approver_id: int, preparer_id: int) -> bool:
    """The second pair of eyes: nobody approves a payout they prepared themselves."""
    return approver_id != preparer_id


def advance_cents(committed_cents: int, advance_percent: int) -> int:
    """The advance at grant: the call's percentage of the commitment, half up to the cent."""
    if committed_cents < 0:
        raise ValueError("a commitment is never negative")
    if not 0 <= advance_percent <= 100:
        raise ValueError("an advance is a percentage from 0 to 100")
    return round_half_up(Fraction(committed_cents * advance_percent, 100))


@dataclass(frozen=True)
class Settlement:
    """The final account of a dossier, from its final report."""

    commitment_cents: int
    paid_cents: int  # paid before the settlement (net of anything recovered)
    compensation: Compensation  # the actual costs through the formula, capped at the commitment

    @property
    def final_cents(self) -> int:
        return self.compensation.total_cents

    @property
    def balance_cents(self) -> int:
        """Still to pay (positive) or to recover (negative)."""
        return self.final_cents - self.paid_cents

    @property
    def to_pay_cents(self) -> int:
        return max(self.balance_cents, 0)

    @property
    def to_recover_cents(self) -> int:
        return max(-self.balance_cents, 0)

    @property
    def released_now_cents(self) -> int:
        """The unused commitment that returns to the envelope at the settlement itself."""
        return self.commitment_cents - max(self.final_cents, self.paid_cents)

    @property
    def commitment_after_cents(self) -> int:
        """What stays committed until a recovery is received: never less than what was paid."""
        return self.commitment_cents - self.released_now_cents


def settle(commitment_cents: int, paid_cents: int, actual: list[MentorCost], rate_percent: int) -> Settlement:
    """The final compensation `min(commitment, rate x actual wage x actual share x actual months)`."""
    if commitment_cents < 0 or paid_cents < 0:
        raise ValueError("commitments and payments are never negative")
    if paid_cents > commitment_cents:
        raise ValueError("what was paid never exceeds the commitment")
    if not actual:
        raise ValueError("a final report has at least one mentor")
    return Settlement(commitment_cents, paid_cents, compensation(actual, rate_percent, commitment_cents))


@dataclass(frozen=True)
class PayoutFacts:
    kind: PayoutKind
    state: PayoutState
    amount_cents: int


@dataclass(frozen=True)
class MoneyTrail:
    """A dossier's figures: requested, reserved, committed, paid, outstanding, recovered."""

    requested_cents: int
    reserved_cents: int
    committed_cents: int
    paid_cents: int  # paid out, gross
    recovered_cents: int  # paid back by the government
    planned_cents: int  # outgoing payouts planned, approved or failed: not yet paid
    to_recover_cents: int  # recoveries not yet received

    @property
    def net_paid_cents(self) -> int:
        return self.paid_cents - self.recovered_cents

    @property
    def outstanding_cents(self) -> int:
        """Committed and not (net) paid: what the government may still receive."""
        return self.committed_cents - self.net_paid_cents


def money_trail(
    requested_cents: int, reserved_cents: int, committed_cents: int, payouts: list[PayoutFacts]
) -> MoneyTrail:
    def total(kinds: set[PayoutKind], states: frozenset[PayoutState]) -> int:
        return sum(p.amount_cents for p in payouts if p.kind in kinds and p.state in states)

    outgoing = {PayoutKind.ADVANCE, PayoutKind.BALANCE}
    return MoneyTrail(
        requested_cents=requested_cents,
        reserved_cents=reserved_cents,
        committed_cents=committed_cents,
        paid_cents=total(outgoing, frozenset({PayoutState.PAID})),
        recovered_cents=total({PayoutKind.RECOVERY}, frozenset({PayoutState.PAID})),
        planned_cents=total(outgoing, OPEN_STATES),
        to_recover_cents=total({PayoutKind.RECOVERY}, OPEN_STATES),
    )
