"""The compensation formula (call text): 50% of the mentor's wage cost, pro rata the time spent.

For each mentor: rate x monthly gross wage cost x time share x months, rounded half up to the
cent; the lines are summed and the sum is capped at the call's maximum per project.

Months are counted per calendar month: each calendar month in the period counts for the share
of its days that fall within the period (first and last day included). A whole month counts 1,
15 to 30 April counts 16/30. Exact fractions throughout; rounding happens once per line.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

FULL_TIME_BASIS_POINTS = 10_000  # a time share is stored in basis points: 5,000 = half-time


@dataclass(frozen=True)
class MentorCost:
    monthly_wage_cents: int
    time_share_bp: int
    start_on: date
    end_on: date

    def __post_init__(self) -> None:
        if self.monthly_wage_cents < 0:
            raise ValueError("a wage cost is never negative")
        if not 0 < self.time_share_bp <= FULL_TIME_BASIS_POINTS:
            raise ValueError("a time share is more than 0 and at most full-time")
        if self.end_on < self.start_on:
            raise ValueError("the period ends before it starts")


@dataclass(frozen=True)
class CompensationLine:
    months: Fraction
    compensation_cents: int


@dataclass(frozen=True)
class Compensation:
    lines: tuple[CompensationLine, ...]
    uncapped_cents: int
    cap_cents: int

    @property
    def total_cents(self) -> int:
        return min(self.uncapped_cents, self.cap_cents)

    @property
    def is_capped(self) -> bool:
        return self.uncapped_cents > self.cap_cents


def months_in_period(start_on: date, end_on: date) -> Fraction:
    """Whole calendar months plus, for a partial month, the fraction of its days in the period."""
    if end_on < start_on:
        raise ValueError("the period ends before it starts")
    months = Fraction(0)
    day = start_on
    while day <= end_on:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        last_of_month = day.replace(day=days_in_month)
        last = min(last_of_month, end_on)
        months += Fraction((last - day).days + 1, days_in_month)
        day = last + timedelta(days=1)
    return months


def round_half_up(value: Fraction) -> int:
    """An exact amount in cents to whole cents, half up (EU rule): 2.5 becomes 3.

    The callers pass no negative amounts; one would round as its opposite does, half away from
    zero (-2.5 becomes -3), as the decimal module's ROUND_HALF_UP does, so that an amount and its
    reversal stay opposites to the cent.

    Integer arithmetic only, so exact at any size: a float loses whole cents above 2**53 and a
    Decimal division the digits beyond its context's precision.
    """
    numerator, denominator = value.numerator, value.denominator  # a Fraction's denominator is positive
    if numerator < 0:
        return -((-2 * numerator + denominator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def mentor_compensation(mentor: MentorCost, rate_percent: int) -> CompensationLine:
    months = months_in_period(mentor.start_on, mentor.end_on)
    exact = (
        Fraction(rate_percent, 100)
        * mentor.monthly_wage_cents
        * Fraction(mentor.time_share_bp, FULL_TIME_BASIS_POINTS)
        * months
    )
    return CompensationLine(months=months, compensation_cents=round_half_up(exact))


def compensation(mentors: list[MentorCost], rate_percent: int, cap_cents: int) -> Compensation:
    """The compensation of a project: one line per mentor, summed, capped (call text: max per project)."""
    if not 0 < rate_percent <= 100:
        raise ValueError("the compensation rate is a percentage above 0")
    if cap_cents < 0:
        raise ValueError("the cap is never negative")
    lines = tuple(mentor_compensation(mentor, rate_percent) for mentor in mentors)
    return Compensation(lines=lines, uncapped_cents=sum(line.compensation_cents for line in lines), cap_cents=cap_cents)
