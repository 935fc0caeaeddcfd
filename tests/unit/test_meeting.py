"""The meeting's table: running total in queue order and where the envelope runs out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflows.meeting import Candidate, MeetingState, close_refusal, meeting_table, open_refusal


def test_running_total_and_the_first_dossier_that_no_longer_fits() -> None:
    table = meeting_table([Candidate(1, 30_00), Candidate(2, 50_00), Candidate(3, 40_00), Candidate(4, 10_00)], 90_00)
    assert [r.running_total_cents for r in table.rows] == [30_00, 80_00, 120_00, 130_00]
    assert [r.fits for r in table.rows] == [True, True, False, False]
    assert table.runs_out_at == 3
    assert table.total_cents == 130_00


def test_everything_fits_when_the_envelope_is_large_enough() -> None:
    table = meeting_table([Candidate(1, 30_00), Candidate(2, 60_00)], 90_00)
    assert table.runs_out_at is None
    assert all(r.fits for r in table.rows)


def test_an_empty_table() -> None:
    assert meeting_table([], 10).total_cents == 0


@given(st.lists(st.integers(min_value=0, max_value=10**9), max_size=30), st.integers(min_value=0, max_value=10**10))
def test_running_total_is_the_sum_so_far_and_fits_until_it_exceeds(amounts: list[int], available: int) -> None:
    table = meeting_table([Candidate(i + 1, a) for i, a in enumerate(amounts)], available)
    for index, row in enumerate(table.rows):
        assert row.running_total_cents == sum(amounts[: index + 1])
        assert row.fits == (row.running_total_cents <= available)
    first = next((r.application_id for r in table.rows if not r.fits), None)
    assert table.runs_out_at == first


def test_opening_needs_members_who_are_reviewers_and_no_other_open_meeting() -> None:
    assert open_refusal([], {1}, False) == "no_members"
    assert open_refusal([2], {1}, False) == "not_a_reviewer"
    assert open_refusal([1], {1}, True) == "meeting_open"
    assert open_refusal([1], {1}, False) is None


def test_a_closed_meeting_is_not_closed_again() -> None:
    assert close_refusal(MeetingState.CLOSED) == "meeting_closed"
    assert close_refusal(MeetingState.OPEN) is None
