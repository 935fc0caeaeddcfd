"""The delivery rules of the notification outbox: backoff, giving up, and reminder occasions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.outbox import (
    DeliveryPolicy,
    DeliveryStatus,
    after_failure,
    closing_reminder,
    is_permanent_smtp_refusal,
    retry_delay,
)

POLICY = DeliveryPolicy(attempt_limit=6, first_delay=timedelta(seconds=30), longest_delay=timedelta(hours=1))


def test_the_delay_doubles_after_each_failed_attempt_up_to_the_longest():
    delays = [retry_delay(POLICY, attempt) for attempt in range(1, 10)]
    assert delays[:5] == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480)]
    assert delays[-1] == timedelta(hours=1)


@given(st.integers(min_value=1, max_value=10_000))
def test_a_delay_is_never_shorter_than_the_first_nor_longer_than_the_longest(attempt):
    assert POLICY.first_delay <= retry_delay(POLICY, attempt) <= POLICY.longest_delay


def test_a_delay_only_follows_a_failed_attempt():
    with pytest.raises(ValueError):
        retry_delay(POLICY, 0)


def test_a_passing_failure_is_retried_until_the_limit_then_marked_failed():
    assert after_failure(POLICY, 1, permanent=False).status is DeliveryStatus.PENDING
    assert after_failure(POLICY, 5, permanent=False).retry_in == timedelta(seconds=480)
    last = after_failure(POLICY, 6, permanent=False)
    assert (last.status, last.retry_in) == (DeliveryStatus.FAILED, None)


def test_a_final_refusal_is_not_retried():
    outcome = after_failure(POLICY, 1, permanent=True)
    assert (outcome.status, outcome.retry_in) == (DeliveryStatus.FAILED, None)


@pytest.mark.parametrize(("code", "permanent"), [(550, True), (554, True), (451, False), (421, False), (None, False)])
def test_only_5xx_replies_are_final(code, permanent):
    assert is_permanent_smtp_refusal(code) is permanent


def test_a_policy_needs_an_attempt_and_sensible_delays():
    with pytest.raises(ValueError):
        DeliveryPolicy(attempt_limit=0)
    with pytest.raises(ValueError):
        DeliveryPolicy(first_delay=timedelta(minutes=5), longest_delay=timedelta(minutes=1))


CLOSES = datetime(2026, 3, 31, 21, 59, tzinfo=UTC)  # 31 March 23:59 in Brussels


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(days=10), None),
        (timedelta(days=7, minutes=1), None),
        (timedelta(days=7), 7),
        (timedelta(days=5), 7),  # the job did not run on the day itself: late, but still told
        (timedelta(days=1, minutes=1), 7),
        (timedelta(days=1), 1),
        (timedelta(hours=3), 1),
        (timedelta(0), None),  # closed
        (-timedelta(hours=1), None),
    ],
)
def test_the_closing_reminder_due_is_the_tightest_mark_not_yet_passed(before, expected):
    assert closing_reminder(CLOSES, CLOSES - before) == expected
