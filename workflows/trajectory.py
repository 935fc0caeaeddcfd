"""When the trajectory ends, and so when the final report can and must be submitted (SPEC 9). Pure.

The trajectory ends with the last day of its last mentor period, or earlier, on the day the giving
government declares it ended. The report can be submitted from that last day on (the work it reports
on is done), never before: a report of work still planned would settle money not yet earned.

The call texts (seeds 000-004) set no deadline for the final report. The portal asks for it within
three months after the trajectory's end, the usual term of a Flemish subsidy's final report, and
shows that day to the government ("Uiterlijk in te dienen op ...").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

REPORT_DUE_MONTHS = 3  # no term in the call texts: the usual three months after the end
EARLY_END_REASON_LIMIT = 1000


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 May + 3 = 31 August,
    30 November + 3 = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReportWindow:
    ends_on: date  # the trajectory's last day
    opens_on: date  # the first day the report can be submitted
    due_on: date  # the last day it should be submitted
    ended_early: bool  # the end was declared, before the planned end

    def is_open(self, today: date) -> bool:
        return today >= self.opens_on

    def is_overdue(self, today: date) -> bool:
        return today > self.due_on


def planned_end(mentor_ends: Iterable[date | None]) -> date | None:
    """The latest end of the mentor periods, or None while a period has no end."""
    ends = list(mentor_ends)
    if not ends or any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def report_window(mentor_ends: Iterable[date | None], early_end_on: date | None = None) -> ReportWindow | None:
    """When the report opens and is due; None when the trajectory's end is unknown."""
    planned = planned_end(mentor_ends)
    if early_end_on is not None and (planned is None or early_end_on < planned):
        ends_on, early = early_end_on, True
    elif planned is not None:
        ends_on, early = planned, False
    else:
        return None
    return ReportWindow(
        ends_on=ends_on, opens_on=ends_on, due_on=add_months(ends_on, REPORT_DUE_MONTHS), ended_early=early
    )


class EarlyEndRefusal(StrEnum):
    ALREADY_ENDED = "already_ended"  # the planned end has come: nothing to declare, the report is open
    REPORT_SUBMITTED = "report_submitted"
    IN_FUTURE = "in_future"
    BEFORE_START = "before_start"
    REASON_MISSING = "reason_missing"
    REASON_TOO_LONG = "reason_too_long"


def may_declare_early_end(planned_end_on: date | None, today: date, report_submitted: bool) -> bool:
    """Whether the page offers the declaration: the planned end is still ahead and no report is in."""
    return not report_submitted and (planned_end_on is None or today < planned_end_on)


def early_end_refusal(
    ended_on: date,
    reason: str,
    today: date,
    starts_on: date | None,
    planned_end_on: date | None,
    report_submitted: bool,
) -> EarlyEndRefusal | None:
    """Why this declaration of an early end cannot stand, or None. The day is not in the future and not
    before the trajectory's first day."""
    if not may_declare_early_end(planned_end_on, today, report_submitted):
        return EarlyEndRefusal.REPORT_SUBMITTED if report_submitted else EarlyEndRefusal.ALREADY_ENDED
    if ended_on > today:
        return EarlyEndRefusal.IN_FUTURE
    if starts_on is not None and ended_on < starts_on:
        return EarlyEndRefusal.BEFORE_START
    if not reason.strip():
        return EarlyEndRefusal.REASON_MISSING
    if len(reason.strip()) > EARLY_END_REASON_LIMIT:
        return EarlyEndRefusal.REASON_TOO_LONG
    return None
