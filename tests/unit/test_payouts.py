"""Payouts: the advance, the final settlement, recoveries, the states and the second pair of eyes."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.compensation import MentorCost
from workflows.payouts import (
    PayoutAction,
    PayoutFacts,
    PayoutKind,
    PayoutState,
    advance_cents,
    four_eyes_allow,
    may,
    money_trail,
    settle,
)
from workflows.roles import Role

HALF_TIME_FOUR_MONTHS = MentorCost(540_000, 5_000, date(2022, 9, 1), date(2022, 12, 31))  # EUR 5.400,00


def test_a_balance_after_the_final_report_when_everything_went_as_planned():
    settlement = settle(540_000, 0, [HALF_TIME_FOUR_MONTHS], 50)
    assert settlement.final_cents == 540_000
    assert settlement.balance_cents == settlement.to_pay_cents == 540_000
    assert settlement.released_now_cents == 0 and settlement.commitment_after_cents == 540_000


def test_a_shorter_trajectory_pays_less_and_returns_the_rest_to_the_envelope():
    three_months = MentorCost(540_000, 5_000, date(2022, 9, 1), date(2022, 11, 30))
    settlement = settle(540_000, 100_000, [three_months], 50)
    assert settlement.final_cents == 405_000
    assert settlement.to_pay_cents == 305_000  # minus the advance
    assert settlement.released_now_cents == 135_000
    assert settlement.commitment_after_cents == 405_000


def test_higher_actual_costs_are_capped_at_the_commitment():
    full_time = MentorCost(600_000, 10_000, date(2022, 9, 1), date(2022, 12, 31))
    settlement = settle(540_000, 0, [full_time], 50)
    assert settlement.compensation.uncapped_cents == 1_200_000
    assert settlement.final_cents == 540_000 and settlement.released_now_cents == 0


def test_an_advance_above_the_final_compensation_is_recovered_and_returns_only_once_received():
    one_month = MentorCost(540_000, 5_000, date(2022, 9, 1), date(2022, 9, 30))
    settlement = settle(540_000, 270_000, [one_month], 50)
    assert settlement.final_cents == 135_000
    assert (
        settlement.balance_cents == -135_000 and settlement.to_recover_cents == 135_000 and settlement.to_pay_cents == 0
    )
    # What was paid stays committed until it is paid back.
    assert settlement.released_now_cents == 270_000
    assert settlement.commitment_after_cents == 270_000


def test_the_advance_is_the_calls_percentage_of_the_commitment_half_up():
    assert advance_cents(540_000, 0) == 0
    assert advance_cents(540_000, 50) == 270_000
    assert advance_cents(1_001, 50) == 501  # 500.5 cents rounds up
    assert advance_cents(5_000_000, 100) == 5_000_000
    with pytest.raises(ValueError):
        advance_cents(100, 101)


def test_settlement_refuses_impossible_inputs():
    with pytest.raises(ValueError):
        settle(100, 200, [HALF_TIME_FOUR_MONTHS], 50)
    with pytest.raises(ValueError):
        settle(100, 0, [], 50)


def test_only_finance_approves_and_pays_and_nobody_approves_what_they_prepared():
    assert may(Role.FINANCE, PayoutState.PLANNED, PayoutAction.APPROVE)
    assert not may(Role.OFFICER, PayoutState.PLANNED, PayoutAction.APPROVE)
    assert may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.PAY)
    assert not may(Role.FINANCE, PayoutState.PLANNED, PayoutAction.PAY)  # never paid without approval
    assert may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.FAIL)
    assert may(Role.OFFICER, PayoutState.FAILED, PayoutAction.REPLAN)
    assert not may(Role.OFFICER, PayoutState.PAID, PayoutAction.CANCEL)
    assert not may(Role.APPLICANT, PayoutState.PLANNED, PayoutAction.CANCEL)
    assert four_eyes_allow(approver_id=2, preparer_id=1)
    assert not four_eyes_allow(approver_id=1, preparer_id=1)


def test_the_money_trail_adds_up():
    trail = money_trail(
        600_000,
        0,
        540_000,
        [
            PayoutFacts(PayoutKind.ADVANCE, PayoutState.PAID, 270_000),
            PayoutFacts(PayoutKind.BALANCE, PayoutState.APPROVED, 135_000),
            PayoutFacts(PayoutKind.BALANCE, PayoutState.CANCELLED, 999),
            PayoutFacts(PayoutKind.RECOVERY, PayoutState.PLANNED, 10_000),
        ],
    )
    assert trail.paid_cents == 270_000 and trail.planned_cents == 135_000 and trail.to_recover_cents == 10_000
    assert trail.outstanding_cents == 270_000 and trail.net_paid_cents == 270_000


mentors = st.builds(
    MentorCost,
    st.integers(min_value=0, max_value=1_500_000),
    st.integers(min_value=1, max_value=10_000),
    st.just(date(2022, 9, 1)),
    st.dates(min_value=date(2022, 9, 1), max_value=date(2023, 12, 31)),
)


@given(st.integers(min_value=0, max_value=5_000_000), st.data(), st.lists(mentors, min_size=1, max_size=3))
def test_paid_never_exceeds_committed_at_any_step_of_a_settlement(commitment, data, actual):
    paid = data.draw(st.integers(min_value=0, max_value=commitment))
    settlement = settle(commitment, paid, actual, 50)
    assert 0 <= settlement.final_cents <= commitment
    assert settlement.released_now_cents >= 0
    # Until a recovery comes in, what stays committed covers what was paid.
    assert paid <= settlement.commitment_after_cents <= commitment
    # Paying the balance, or receiving the recovery, ends exactly at the final compensation.
    assert paid + settlement.to_pay_cents - settlement.to_recover_cents == settlement.final_cents
    assert settlement.commitment_after_cents - settlement.to_recover_cents == settlement.final_cents


def test_a_transfer_reaches_the_bank_only_in_a_payment_file_and_a_recovery_comes_in_without_one():
    from workflows.payouts import PayoutKind, batchable

    for kind in (PayoutKind.ADVANCE, PayoutKind.BALANCE):
        assert batchable(kind, PayoutState.APPROVED)
        assert not batchable(kind, PayoutState.IN_FILE)  # never in a second file
        assert not may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.PAY, kind)
        assert not may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.FAIL, kind)
        assert may(Role.FINANCE, PayoutState.IN_FILE, PayoutAction.PAY, kind)
        assert may(Role.FINANCE, PayoutState.IN_FILE, PayoutAction.FAIL, kind)
    assert not batchable(PayoutKind.RECOVERY, PayoutState.APPROVED)
    assert may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.PAY, PayoutKind.RECOVERY)
    assert may(Role.FINANCE, PayoutState.APPROVED, PayoutAction.ADD_TO_FILE)
    assert not may(Role.OFFICER, PayoutState.APPROVED, PayoutAction.ADD_TO_FILE)
    assert not may(Role.FINANCE, PayoutState.IN_FILE, PayoutAction.CANCEL)  # on its way to the bank
