"""What a decision letter promises a granted dossier: the payout schedule and the final-report deadline. Pure.

The schedule follows the call's payout setting (workflows/payouts.py): an advance of the call's
percentage at grant, if any, and the balance after the final report, computed then on the actual
costs with the granted amount as its maximum.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from workflows.payouts import advance_cents

# The call text of 2022 sets no date for the final report; the agency asks it within three months
# after the trajectory's last day, so that the balance is paid in the same budget year as a rule.
REPORT_MONTHS_AFTER_END = 3


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


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when that month is shorter (31 May + 3 = 31 August, 30 November + 3 = 28 February)."""
    if months < 0:
        raise ValueError("months are counted forward")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_deadline(trajectory_ends_on: date, months_after: int = REPORT_MONTHS_AFTER_END) -> date:
    """The last day to submit the final report: `months_after` months after the trajectory's last day."""
    return add_months(trajectory_ends_on, months_after)
