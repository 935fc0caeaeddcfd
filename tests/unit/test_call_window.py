"""The call window: Brussels time, the closing day counts until 23:59:59."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.calls import BudgetMeter, CallPhase, CallWindow, closing_moment, opening_moment


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_2022_call_opens_at_midnight_brussels_summer_time():
    assert opening_moment(date(2022, 6, 14)) == utc(2022, 6, 13, 22, 0, 0)


def test_the_2022_call_closes_at_23_59_59_brussels_winter_time():
    # Summer time ended on 30 October 2022, so 31 October is UTC+1.
    assert closing_moment(date(2022, 10, 31)) == utc(2022, 10, 31, 22, 59, 59)


def test_phase_around_the_closing_moment():
    window = CallWindow(opening_moment(date(2022, 6, 14)), closing_moment(date(2022, 10, 31)))
    assert window.phase(utc(2022, 6, 13, 21, 59, 59)) is CallPhase.UPCOMING
    assert window.phase(utc(2022, 6, 13, 22, 0, 0)) is CallPhase.OPEN
    assert window.phase(utc(2022, 10, 31, 22, 59, 59)) is CallPhase.OPEN
    assert window.phase(utc(2022, 10, 31, 22, 59, 59, 999_999)) is CallPhase.OPEN
    assert window.phase(utc(2022, 10, 31, 23, 0, 0)) is CallPhase.CLOSED


def test_closes_within_counts_only_while_open():
    window = CallWindow(utc(2022, 6, 13, 22), utc(2022, 10, 31, 22, 59, 59))
    assert window.closes_within(utc(2022, 10, 25, 12), timedelta(days=7))
    assert not window.closes_within(utc(2022, 10, 1, 12), timedelta(days=7))
    assert not window.closes_within(utc(2022, 11, 1), timedelta(days=7))


def test_a_window_refuses_naive_or_reversed_moments():
    with pytest.raises(ValueError, match="timezone-aware"):
        CallWindow(datetime(2022, 6, 14), utc(2022, 10, 31))  # noqa: DTZ001
    with pytest.raises(ValueError, match="close after"):
        CallWindow(utc(2022, 10, 31), utc(2022, 6, 14))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_closing_day_ends_one_second_before_the_next_brussels_midnight(day):
    assert closing_moment(day) + timedelta(seconds=1) == opening_moment(day + timedelta(days=1))


def test_budget_meter_remaining_and_invariant():
    meter = BudgetMeter(envelope_cents=250_000_00, reserved_cents=100_000_00, committed_cents=50_000_00)
    assert meter.remaining_cents == 100_000_00
    assert meter.share_percent(meter.reserved_cents) == 40.0
    with pytest.raises(ValueError, match="never exceed"):
        BudgetMeter(envelope_cents=100, reserved_cents=60, committed_cents=41)
    with pytest.raises(ValueError, match="never negative"):
        BudgetMeter(envelope_cents=100, reserved_cents=-1)


def test_days_left_count_brussels_calendar_days_and_the_last_day_is_zero():
    window = CallWindow(opening_moment(date(2022, 6, 14)), closing_moment(date(2022, 10, 31)))
    assert window.days_left(utc(2022, 6, 13, 21, 0)) is None  # not open yet
    assert window.days_left(utc(2022, 10, 29, 12, 0)) == 2
    assert window.days_left(utc(2022, 10, 30, 23, 30)) == 0  # already 31 October in Brussels
    assert window.days_left(utc(2022, 10, 31, 22, 59, 59)) == 0
    assert window.days_left(utc(2022, 10, 31, 23, 0, 0)) is None  # closed
