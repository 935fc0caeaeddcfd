"""The safeguard on the receiving government's answer, and what a decision letter promises."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.letters import payout_schedule, report_deadline
from workflows.participation import Answer
from workflows.safeguards import PartnerCheck, UnconfirmedPartnerPolicy, check_partner, may_proceed
from workflows.trajectory import add_months


@pytest.mark.parametrize("policy", list(UnconfirmedPartnerPolicy))
def test_a_confirmed_receiving_government_is_clear_whatever_the_call_sets(policy):
    check = check_partner(Answer.CONFIRMED, policy)
    assert check is PartnerCheck.CLEAR
    assert may_proceed(check, acknowledged=False)


def test_an_unconfirmed_receiving_government_needs_the_officers_acknowledgement_under_warn():
    check = check_partner(Answer.PENDING, UnconfirmedPartnerPolicy.WARN)
    assert check is PartnerCheck.WARN
    assert not may_proceed(check, acknowledged=False)
    assert may_proceed(check, acknowledged=True)


def test_an_unconfirmed_receiving_government_is_refused_under_refuse_even_when_acknowledged():
    check = check_partner(Answer.PENDING, UnconfirmedPartnerPolicy.REFUSE)
    assert check is PartnerCheck.REFUSED
    assert not may_proceed(check, acknowledged=True)


@pytest.mark.parametrize("policy", list(UnconfirmedPartnerPolicy))
def test_a_receiving_government_that_declined_is_always_refused(policy):
    check = check_partner(Answer.DECLINED, policy)
    assert check is PartnerCheck.DECLINED
    assert not may_proceed(check, acknowledged=True)


def test_the_schedule_is_one_balance_without_an_advance_and_splits_half_up_with_one():
    none = payout_schedule(12_345_67, 0)
    assert (none.advance_cents, none.balance_cents) == (0, 12_345_67)
    split = payout_schedule(1_001, 50)  # 500.5 cents: half up
    assert (split.advance_cents, split.balance_cents) == (501, 500)


@given(st.integers(0, 50_000_00), st.integers(0, 100))
def test_the_advance_and_the_balance_always_add_up_to_the_granted_amount(granted, percent):
    schedule = payout_schedule(granted, percent)
    assert schedule.total_cents == granted and 0 <= schedule.advance_cents <= granted


def test_the_final_report_is_due_three_months_after_the_trajectory_ends_on_the_months_last_day_if_shorter():
    assert report_deadline(date(2026, 12, 31)) == date(2027, 3, 31)
    assert report_deadline(date(2026, 11, 30)) == date(2027, 2, 28)
    assert report_deadline(date(2027, 11, 30)) == date(2028, 2, 29)
    assert report_deadline(date(2026, 5, 31), months_after=1) == date(2026, 6, 30)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)  # the one month arithmetic, both ways


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 24))
def test_the_deadline_is_never_before_the_end_and_lands_in_the_right_month(day, months):
    later = add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
