"""What a decision letter promises a granted dossier: the payout schedule and the final-report deadline. Pure.

The schedule follows the call's payout setting (workflows/payouts.py): an advance of the call's
percentage at grant, if any, and the balance after the final report, computed then on the actual
costs with the granted amount as its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.payouts import advance_cents
from workflows.trajectory import REPORT_DUE_MONTHS, add_months


@dataclass(frozen=True)
class PayoutSchedule:
    advance_cents: int  # paid after the grant; 0 when the call pays one balance only
    balance_cents: int  # at most this, after the final report is accepted

    @property
    def total_cents(self) -> int:
        return self.advance_cents + self.balance_cents


def payout_schedule(granted_cents: int, advance_percent: int) -> PayoutSchedule:
    """The advance the call's percentage gives (half up to the cent) and the most the balance can be."""
    advance = advance_cents(granted_cents, advance_percent)
    return PayoutSchedule(advance_cents=advance, balance_cents=granted_cents - advance)


def report_deadline(trajectory_ends_on: date, months_after: int = REPORT_DUE_MONTHS) -> date:
    """The last day to submit the final report, as the report page says it (workflows/trajectory.py)."""
    return add_months(trajectory_ends_on, months_after)
