"""When the final report opens and is due, and the declaration of an early end (workflows/trajectory.py)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.trajectory import (
    EARLY_END_REASON_LIMIT,
    REPORT_DUE_MONTHS,
    EarlyEndRefusal,
    add_months,
    early_end_refusal,
    may_declare_early_end,
    planned_end,
    report_window,
)

START, END = date(2026, 9, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 31), 3, date(2027, 3, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # February is shorter: its last day
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year
        (date(2026, 5, 31), 3, date(2026, 8, 31)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),  # over the year's end
    ],
)
def test_months_are_added_on_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=36))
def test_adding_months_never_goes_back_and_lands_in_the_right_month(day, months):
    later = add_months(day, months)
    assert later >= day and (later.year * 12 + later.month) - (day.year * 12 + day.month) == months


def test_the_trajectory_ends_with_its_last_mentor_period():
    assert planned_end([date(2026, 10, 31), END]) == END
    assert planned_end([END, None]) is None  # a period without an end: unknown
    assert planned_end([]) is None
    assert report_window([None]) is None


def test_the_report_opens_on_the_last_day_and_is_due_three_months_later():
    window = report_window([date(2026, 10, 31), END])
    assert window is not None and not window.ended_early
    assert (window.ends_on, window.opens_on, window.due_on) == (END, END, date(2027, 3, 31))
    assert REPORT_DUE_MONTHS == 3
    assert not window.is_open(END - timedelta(days=1))  # the day before the end: refused
    assert window.is_open(END) and window.is_open(END + timedelta(days=1))
    assert not window.is_overdue(date(2027, 3, 31)) and window.is_overdue(date(2027, 4, 1))


def test_a_declared_early_end_moves_the_opening_and_the_deadline():
    window = report_window([END], early_end_on=date(2026, 11, 30))
    assert window is not None and window.ended_early
    assert (window.opens_on, window.due_on) == (date(2026, 11, 30), date(2027, 2, 28))
    # A declared day on or after the planned end is no early end: the planned end stands.
    assert report_window([END], early_end_on=END) == report_window([END])


def declare(ended_on, today, reason="De mentor vertrok.", submitted=False):
    return early_end_refusal(ended_on, reason, today, START, END, submitted)


def test_an_early_end_is_not_in_the_future_and_not_before_the_start():
    today = date(2026, 12, 7)
    assert declare(today, today) is None  # today is allowed
    assert declare(today + timedelta(days=1), today) is EarlyEndRefusal.IN_FUTURE
    assert declare(START, today) is None  # the first day is allowed
    assert declare(START - timedelta(days=1), today) is EarlyEndRefusal.BEFORE_START


def test_an_early_end_needs_a_short_reason():
    today = date(2026, 12, 7)
    assert declare(today, today, reason="  ") is EarlyEndRefusal.REASON_MISSING
    assert declare(today, today, reason="x" * EARLY_END_REASON_LIMIT) is None
    assert declare(today, today, reason="x" * (EARLY_END_REASON_LIMIT + 1)) is EarlyEndRefusal.REASON_TOO_LONG


def test_an_early_end_is_declared_only_while_the_trajectory_runs_and_no_report_is_in():
    assert may_declare_early_end(END, END - timedelta(days=1), report_submitted=False)
    assert not may_declare_early_end(END, END, report_submitted=False)  # the planned end came: the report is open
    assert declare(date(2026, 12, 1), END) is EarlyEndRefusal.ALREADY_ENDED
    assert declare(date(2026, 12, 1), date(2026, 12, 7), submitted=True) is EarlyEndRefusal.REPORT_SUBMITTED
