"""A call's window and budget meter, from its settings (SPEC sections 4 and 8). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


class CallPhase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def opening_moment(opening_day: date) -> datetime:
    """A call opens at 00:00:00 Brussels time on its opening day (returned in UTC)."""
    return datetime.combine(opening_day, time(0, 0, 0), BRUSSELS).astimezone(UTC)


def closing_moment(closing_day: date) -> datetime:
    """The closing day counts until 23:59:59 Brussels time (returned in UTC)."""
    return datetime.combine(closing_day, time(23, 59, 59), BRUSSELS).astimezone(UTC)


@dataclass(frozen=True)
class CallWindow:
    opens_at: datetime
    closes_at: datetime

    def __post_init__(self) -> None:
        if self.opens_at.tzinfo is None or self.closes_at.tzinfo is None:
            raise ValueError("call window moments must be timezone-aware")
        if self.closes_at <= self.opens_at:
            raise ValueError("a call must close after it opens")

    def phase(self, now: datetime) -> CallPhase:
        # The closing moment itself (23:59:59) still counts; the next second does not.
        if now < self.opens_at:
            return CallPhase.UPCOMING
        if now < self.closes_at + timedelta(seconds=1):
            return CallPhase.OPEN
        return CallPhase.CLOSED

    def is_open(self, now: datetime) -> bool:
        return self.phase(now) is CallPhase.OPEN

    def closes_within(self, now: datetime, period: timedelta) -> bool:
        return self.is_open(now) and self.closes_at - now <= period

    def days_left(self, now: datetime) -> int | None:
        """Calendar days in Brussels after today on which one can still apply (0: today is the last day);
        None when the call is not open."""
        if not self.is_open(now):
            return None
        return (self.closes_at.astimezone(BRUSSELS).date() - now.astimezone(BRUSSELS).date()).days


@dataclass(frozen=True)
class BudgetMeter:
    """The live figures of a call's envelope, in cents. The invariant: reserved + committed <= envelope."""

    envelope_cents: int
    reserved_cents: int = 0
    committed_cents: int = 0
    waiting_count: int = 0

    def __post_init__(self) -> None:
        if min(self.envelope_cents, self.reserved_cents, self.committed_cents, self.waiting_count) < 0:
            raise ValueError("budget figures are never negative")
        if self.reserved_cents + self.committed_cents > self.envelope_cents:
            raise ValueError("reserved + committed may never exceed the envelope")

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.reserved_cents - self.committed_cents

    def share_percent(self, part_cents: int) -> float:
        """Width of a part of the meter bar, for display only."""
        if self.envelope_cents == 0:
            return 0.0
        return 100.0 * part_cents / self.envelope_cents
