"""The receiving government's answer: confirm, decline with a reason, change its mind (workflows/participation.py)."""

import pytest

from workflows.applications import State
from workflows.participation import (
    DECLINE_REASON_LIMIT,
    Answer,
    AnswerRefusal,
    answer_of,
    confirm_refusal,
    decline_refusal,
    may_confirm,
    may_decline,
)

BEFORE_DECISION = [State.SUBMITTED, State.CORRECTION_REQUESTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED]


def test_the_answer_is_read_from_the_two_stored_facts():
    assert answer_of(False, False) is Answer.PENDING
    assert answer_of(True, False) is Answer.CONFIRMED == "confirmed"
    assert answer_of(False, True) is Answer.DECLINED == "declined"
    with pytest.raises(ValueError):
        answer_of(True, True)


@pytest.mark.parametrize("state", BEFORE_DECISION)
def test_a_partner_declines_with_a_reason_until_the_decision(state):
    assert decline_refusal(state, Answer.PENDING, "Onze coördinator vertrekt") is None
    assert may_decline(state, Answer.PENDING)


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.GRANTED, State.REJECTED, State.INELIGIBLE, State.WITHDRAWN, State.CLOSED]
)
def test_no_decline_before_submission_or_after_the_decision(state):
    assert decline_refusal(state, Answer.PENDING, "reden") is AnswerRefusal.WRONG_STATE
    assert not may_decline(state, Answer.PENDING)


def test_a_decline_needs_a_reason_of_limited_length():
    assert decline_refusal(State.SUBMITTED, Answer.PENDING, "") is AnswerRefusal.REASON_MISSING
    assert decline_refusal(State.SUBMITTED, Answer.PENDING, " \n\t ") is AnswerRefusal.REASON_MISSING
    assert decline_refusal(State.SUBMITTED, Answer.PENDING, "x" * DECLINE_REASON_LIMIT) is None
    assert (
        decline_refusal(State.SUBMITTED, Answer.PENDING, "x" * (DECLINE_REASON_LIMIT + 1))
        is AnswerRefusal.REASON_TOO_LONG
    )


def test_a_confirmation_is_final_and_a_decline_is_given_once():
    assert decline_refusal(State.ELIGIBLE, Answer.CONFIRMED, "toch niet") is AnswerRefusal.ALREADY_CONFIRMED
    assert decline_refusal(State.ELIGIBLE, Answer.DECLINED, "nog eens") is AnswerRefusal.ALREADY_DECLINED
    assert not may_decline(State.ELIGIBLE, Answer.CONFIRMED)


@pytest.mark.parametrize("state", [*BEFORE_DECISION, State.GRANTED])
def test_a_partner_that_declined_may_change_its_mind_and_confirm(state):
    assert confirm_refusal(state, Answer.DECLINED) is None and may_confirm(state, Answer.DECLINED)
    assert confirm_refusal(state, Answer.PENDING) is None and may_confirm(state, Answer.PENDING)
    assert confirm_refusal(state, Answer.CONFIRMED) is None  # harmless again
    assert not may_confirm(state, Answer.CONFIRMED)  # but not offered twice


@pytest.mark.parametrize("state", [State.DRAFT, State.REJECTED, State.WITHDRAWN, State.CLOSED])
def test_no_confirmation_outside_the_states_of_the_table(state):
    assert confirm_refusal(state, Answer.DECLINED) is AnswerRefusal.WRONG_STATE
