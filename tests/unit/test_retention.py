"""The retention rule: when a dossier's or a listing's personal data are due for anonymisation."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.retention import DossierFacts, RetentionPeriods, add_months, dossier_is_due, listing_is_due

PERIODS = RetentionPeriods(granted_months=120, refused_months=24, listing_months=12)
CLOSES = date(2026, 3, 31)


def facts(state: str, **days: date | None) -> DossierFacts:
    return DossierFacts(
        state=state,
        closed_on=days.get("closed_on"),
        decided_on=days.get("decided_on"),
        withdrawn_on=days.get("withdrawn_on"),
        call_closes_on=CLOSES,
    )


def test_months_are_added_to_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 5, 15), 24) == date(2028, 5, 15)


def test_a_closed_dossier_is_kept_the_granted_period_and_due_the_day_after() -> None:
    closed = facts("closed", closed_on=date(2027, 6, 30), decided_on=date(2026, 5, 1))
    assert not dossier_is_due(closed, PERIODS, date(2037, 6, 30))
    assert dossier_is_due(closed, PERIODS, date(2037, 7, 1))


@pytest.mark.parametrize("state", ["ineligible", "rejected"])
def test_a_refused_dossier_counts_from_its_decision(state: str) -> None:
    refused = facts(state, decided_on=date(2026, 5, 10))
    assert not dossier_is_due(refused, PERIODS, date(2028, 5, 10))
    assert dossier_is_due(refused, PERIODS, date(2028, 5, 11))


def test_a_withdrawn_dossier_counts_from_its_withdrawal() -> None:
    withdrawn = facts("withdrawn", withdrawn_on=date(2026, 2, 1))
    assert not dossier_is_due(withdrawn, PERIODS, date(2028, 2, 1))
    assert dossier_is_due(withdrawn, PERIODS, date(2028, 2, 2))


def test_a_never_submitted_draft_counts_from_the_calls_closing() -> None:
    draft = facts("draft")
    assert not dossier_is_due(draft, PERIODS, date(2028, 3, 31))
    assert dossier_is_due(draft, PERIODS, date(2028, 4, 1))


@pytest.mark.parametrize("state", ["submitted", "eligible", "correction_requested", "in_review", "scored", "granted"])
def test_a_dossier_in_progress_or_granted_and_not_closed_is_never_due(state: str) -> None:
    ongoing = facts(state, decided_on=date(2000, 1, 1))
    assert not dossier_is_due(ongoing, PERIODS, date(2200, 1, 1))


def test_a_closed_dossier_without_its_closing_day_is_kept() -> None:
    assert not dossier_is_due(facts("closed"), PERIODS, date(2200, 1, 1))


def test_a_period_of_zero_months_ends_the_day_after() -> None:
    none_kept = RetentionPeriods(granted_months=0, refused_months=0, listing_months=0)
    assert not dossier_is_due(facts("rejected", decided_on=date(2026, 5, 10)), none_kept, date(2026, 5, 10))
    assert dossier_is_due(facts("rejected", decided_on=date(2026, 5, 10)), none_kept, date(2026, 5, 11))


def test_a_listing_is_due_after_its_period_without_change() -> None:
    assert not listing_is_due(date(2026, 4, 1), PERIODS, date(2027, 4, 1))
    assert listing_is_due(date(2026, 4, 1), PERIODS, date(2027, 4, 2))
