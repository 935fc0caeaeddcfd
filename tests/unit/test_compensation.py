"""The compensation formula: exact, half up, capped, and monotone in every input."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from workflows.compensation import MentorCost, compensation, mentor_compensation, months_in_period

CAP = 50_000_00


def test_the_call_example_half_time_for_four_months_at_5400_a_month():
    mentor = MentorCost(540_000, 5_000, date(2022, 9, 1), date(2022, 12, 31))
    result = compensation([mentor], 50, CAP)
    assert result.lines[0].months == 4
    assert result.total_cents == 540_000  # EUR 5.400,00
    assert not result.is_capped


def test_a_large_case_is_capped_at_50000():
    mentors = [MentorCost(900_000, 10_000, date(2023, 1, 1), date(2023, 12, 31))] * 2
    result = compensation(mentors, 50, CAP)
    assert result.uncapped_cents == 10_800_000
    assert result.total_cents == CAP and result.is_capped


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2022, 1, 1), date(2022, 1, 31), Fraction(1)),
        (date(2022, 1, 15), date(2022, 5, 14), Fraction(4)),  # 17/31 + 3 + 14/31
        (date(2022, 4, 15), date(2022, 4, 30), Fraction(16, 30)),
        (date(2024, 2, 1), date(2024, 2, 29), Fraction(1)),  # leap year
        (date(2022, 2, 15), date(2022, 3, 14), Fraction(14, 28) + Fraction(14, 31)),
        (date(2022, 6, 1), date(2022, 6, 1), Fraction(1, 30)),
        (date(2022, 11, 1), date(2023, 2, 28), Fraction(4)),  # across the year end
    ],
)
def test_months_are_whole_calendar_months_plus_the_share_of_a_partial_month(start, end, months):
    assert months_in_period(start, end) == months


def test_rounding_of_a_line_is_half_up():
    # 50% x 1001 cents x 1 month = 500.5 cents -> 501 (round() would give 500)
    line = mentor_compensation(MentorCost(1001, 10_000, date(2022, 1, 1), date(2022, 1, 31)), 50)
    assert line.compensation_cents == 501


def test_impossible_inputs_are_refused():
    with pytest.raises(ValueError, match="time share"):
        MentorCost(100, 0, date(2022, 1, 1), date(2022, 1, 31))
    with pytest.raises(ValueError, match="time share"):
        MentorCost(100, 10_001, date(2022, 1, 1), date(2022, 1, 31))
    with pytest.raises(ValueError, match="ends before"):
        MentorCost(100, 5_000, date(2022, 2, 1), date(2022, 1, 31))
    with pytest.raises(ValueError, match="negative"):
        MentorCost(-1, 5_000, date(2022, 1, 1), date(2022, 1, 31))


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
wages = st.integers(min_value=0, max_value=2_000_000)
shares = st.integers(min_value=1, max_value=10_000)
lengths = st.integers(min_value=0, max_value=800)
rates = st.integers(min_value=1, max_value=100)


@st.composite
def mentors(draw):
    start = draw(days)
    return MentorCost(draw(wages), draw(shares), start, start + timedelta(days=draw(lengths)))


@given(st.lists(mentors(), max_size=4), rates, st.integers(min_value=0, max_value=10**9))
def test_never_negative_and_never_over_the_cap(team, rate, cap):
    result = compensation(team, rate, cap)
    assert 0 <= result.total_cents <= cap
    assert result.total_cents == min(sum(line.compensation_cents for line in result.lines), cap)


@given(mentors(), rates)
def test_exact_to_the_cent_against_integer_arithmetic(mentor, rate):
    months = months_in_period(mentor.start_on, mentor.end_on)
    # x = numerator / denominator cents; half up is floor((2 * numerator + denominator) / (2 * denominator)).
    numerator = rate * mentor.monthly_wage_cents * mentor.time_share_bp * months.numerator
    denominator = 100 * 10_000 * months.denominator
    assert mentor_compensation(mentor, rate).compensation_cents == (2 * numerator + denominator) // (2 * denominator)


@given(mentors(), st.integers(min_value=1, max_value=100_000), rates)
def test_more_wage_never_gives_less(mentor, extra, rate):
    richer = MentorCost(mentor.monthly_wage_cents + extra, mentor.time_share_bp, mentor.start_on, mentor.end_on)
    assert mentor_compensation(richer, rate).compensation_cents >= mentor_compensation(mentor, rate).compensation_cents


@given(mentors(), st.integers(min_value=1, max_value=5_000), rates)
def test_more_time_share_never_gives_less(mentor, extra, rate):
    assume(mentor.time_share_bp + extra <= 10_000)
    busier = MentorCost(mentor.monthly_wage_cents, mentor.time_share_bp + extra, mentor.start_on, mentor.end_on)
    assert mentor_compensation(busier, rate).compensation_cents >= mentor_compensation(mentor, rate).compensation_cents


@given(mentors(), st.integers(min_value=1, max_value=400), rates)
def test_a_longer_period_never_gives_less(mentor, extra_days, rate):
    longer = MentorCost(
        mentor.monthly_wage_cents, mentor.time_share_bp, mentor.start_on, mentor.end_on + timedelta(days=extra_days)
    )
    assert mentor_compensation(longer, rate).compensation_cents >= mentor_compensation(mentor, rate).compensation_cents
    assert months_in_period(longer.start_on, longer.end_on) > months_in_period(mentor.start_on, mentor.end_on)


@given(mentors(), rates, st.integers(min_value=1, max_value=99))
def test_a_higher_rate_never_gives_less(mentor, rate, extra):
    assume(rate + extra <= 100)
    assert (
        mentor_compensation(mentor, rate + extra).compensation_cents
        >= mentor_compensation(mentor, rate).compensation_cents
    )
