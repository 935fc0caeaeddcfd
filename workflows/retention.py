"""Retention of personal data (GDPR art. 5(1)(e)): pure rule, stdlib only.

Given a dossier's state, the moment its purpose ended and the call's periods, and today: is the
dossier due for anonymisation? A dossier still in progress (or granted and not yet closed) is never due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RetentionPeriods:
    """Months personal data are kept after the purpose ended (per call)."""

    granted_months: int  # after a granted dossier was closed
    refused_months: int  # after a refusal (ineligible, rejected), a withdrawal, or the call closed on a draft
    listing_months: int  # after a matchmaking offer or need was last changed or withdrawn


@dataclass(frozen=True)
class DossierFacts:
    state: str
    closed_on: date | None  # when a granted dossier was closed
    decided_on: date | None  # ineligible or rejected
    withdrawn_on: date | None
    call_closes_on: date  # a draft can no longer be submitted after this day


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dossier_ends_on(facts: DossierFacts, periods: RetentionPeriods) -> date | None:
    """The first day the dossier's personal data are no longer kept (None: the purpose has not ended)."""
    if facts.state == "closed" and facts.closed_on is not None:
        return add_months(facts.closed_on, periods.granted_months)
    if facts.state in ("ineligible", "rejected") and facts.decided_on is not None:
        return add_months(facts.decided_on, periods.refused_months)
    if facts.state == "withdrawn" and facts.withdrawn_on is not None:
        return add_months(facts.withdrawn_on, periods.refused_months)
    if facts.state == "draft":
        return add_months(facts.call_closes_on, periods.refused_months)
    return None


def dossier_is_due(facts: DossierFacts, periods: RetentionPeriods, today: date) -> bool:
    """Due on the day the period has fully passed: kept `months` after the end, gone the day after that."""
    ends_on = dossier_ends_on(facts, periods)
    return ends_on is not None and today > ends_on


def listing_is_due(last_changed_on: date, periods: RetentionPeriods, today: date) -> bool:
    """An offer or need (open, matched or withdrawn) no longer changed for the listing period."""
    return today > add_months(last_changed_on, periods.listing_months)
