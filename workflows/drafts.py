"""Rules for editing a draft: what is kept of a period, how mentors are numbered.

A draft is saved field by field, also when part of a form is refused, so that nothing typed is lost.
What is stored must still make sense on its own: a reversed period never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def kept_period(start_on: date | None, end_on: date | None) -> tuple[date | None, date | None]:
    """The period as stored: an end before the start is dropped (the form shows why), the start kept."""
    if start_on is not None and end_on is not None and end_on < start_on:
        return start_on, None
    return start_on, end_on


def positions(mentor_ids: Sequence[int]) -> dict[int, int]:
    """Mentor 1, 2, 3 … in the order given, without gaps (after one is removed, the rest move up)."""
    return {mentor_id: position for position, mentor_id in enumerate(mentor_ids, start=1)}


def changed_fields(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """The names whose value differs, sorted: what an audit row of a saved section lists."""
    return sorted(name for name, value in after.items() if before.get(name) != value)
