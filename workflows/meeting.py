"""The committee's meeting (pure): the table of scored dossiers in queue order, what each would take of the
envelope, the running total, and where the money runs out. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MeetingState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MeetingDecisionKind(StrEnum):
    GRANT = "grant"
    REJECT = "reject"


@dataclass(frozen=True)
class Candidate:
    """A scored dossier on the table, in queue order, with what it holds or asks (cents)."""

    application_id: int
    amount_cents: int

    def __post_init__(self) -> None:
        if self.amount_cents < 0:
            raise ValueError("an amount is never negative")


@dataclass(frozen=True)
class TableRow:
    application_id: int
    would_take_cents: int
    running_total_cents: int
    fits: bool  # the running total stays within what the envelope still has for decisions


@dataclass(frozen=True)
class MeetingTable:
    rows: tuple[TableRow, ...]
    available_cents: int
    runs_out_at: int | None  # the application id of the first dossier that no longer fits; None: all fit

    @property
    def total_cents(self) -> int:
        return self.rows[-1].running_total_cents if self.rows else 0


def meeting_table(candidates: list[Candidate], available_cents: int) -> MeetingTable:
    """`available_cents`: the envelope minus what is already committed (reservations are the dossiers'
    own claims, so they count in the running total, not against it)."""
    rows = []
    running = 0
    runs_out_at: int | None = None
    for candidate in candidates:
        running += candidate.amount_cents
        fits = running <= available_cents
        if not fits and runs_out_at is None:
            runs_out_at = candidate.application_id
        rows.append(TableRow(candidate.application_id, candidate.amount_cents, running, fits))
    return MeetingTable(tuple(rows), available_cents, runs_out_at)


def open_refusal(member_ids: list[int], eligible_ids: set[int], has_open_meeting: bool) -> str | None:
    """Why a meeting may not be opened, as a refusal code; None when it may."""
    if has_open_meeting:
        return "meeting_open"
    if not member_ids:
        return "no_members"
    if not set(member_ids) <= eligible_ids:
        return "not_a_reviewer"
    return None


def close_refusal(state: MeetingState) -> str | None:
    return None if state is MeetingState.OPEN else "meeting_closed"
