"""The pure rules of editing a draft (workflows/drafts.py)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from workflows.drafts import changed_fields, kept_period, positions


def test_a_reversed_period_keeps_its_start_and_drops_its_end():
    assert kept_period(date(2026, 5, 1), date(2026, 4, 30)) == (date(2026, 5, 1), None)


def test_a_period_of_one_day_and_open_ends_are_kept():
    assert kept_period(date(2026, 5, 1), date(2026, 5, 1)) == (date(2026, 5, 1), date(2026, 5, 1))
    assert kept_period(None, date(2026, 5, 1)) == (None, date(2026, 5, 1))
    assert kept_period(date(2026, 5, 1), None) == (date(2026, 5, 1), None)


@given(st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.dates()))
def test_no_stored_period_is_ever_reversed(start_on, end_on):
    kept_start, kept_end = kept_period(start_on, end_on)
    assert kept_start == start_on
    assert kept_start is None or kept_end is None or kept_start <= kept_end


def test_mentors_are_numbered_from_one_without_gaps():
    assert positions([7, 3, 12]) == {7: 1, 3: 2, 12: 3}
    assert positions([]) == {}


def test_changed_fields_name_only_what_differs():
    before = {"need": "a", "goals": "b", "approach": None}
    assert changed_fields(before, {"need": "a", "goals": "c", "approach": ""}) == ["approach", "goals"]
    assert changed_fields(before, dict(before)) == []
