"""The reports make a fixed number of queries: the same for ten dossiers as for five thousand.

The dossiers are inserted in bulk (SQLAlchemy Core through the session), with their reservations,
mentors, final reports, reviews and payouts, every row valid under the tables' CHECK constraints;
`Dossiers` also keeps the figures they must give, computed here in Python, apart from the SQL.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import event, insert, select

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.models import (
    Application,
    Call,
    FinalReport,
    Mentor,
    Organisation,
    OrganisationKind,
    Payout,
    Reservation,
    Review,
)
from portal.models.payouts import ReportState
from portal.services import reports
from portal.services.reference import THEMES
from tests.conftest import make_user, sign_in
from tests.factories import open_call
from workflows.applications import State
from workflows.budget import Standing
from workflows.payouts import PayoutKind, PayoutState

# One dossier in ten of each; the pattern repeats (a count of 5,000 gives 500 of each).
PATTERN = (
    State.SUBMITTED,
    State.ELIGIBLE,
    State.IN_REVIEW,
    State.SCORED,
    State.GRANTED,
    State.CLOSED,
    State.REJECTED,
    State.INELIGIBLE,
    State.WITHDRAWN,
    State.CORRECTION_REQUESTED,
)
IN_QUEUE = (State.SUBMITTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED)
THEME_CODES = [code for code, _nl, _en in THEMES]
ENVELOPE_CENTS = 100_000_000_00  # large enough for 5,000 dossiers: these tests are about counting
QUEUE_NUMBER_BASE = 900_000_000  # far above the queue tickets the real submissions draw

# The most statements a page may send, whatever the number of dossiers. Measured on PostgreSQL:
# 15 for the dashboard and 6 for the list (session, user, calls, the figures or the count and the
# page, unread messages), plus the test transaction's SAVEPOINT and ROLLBACK TO SAVEPOINT.
DASHBOARD_QUERY_BOUND = 20
LIST_QUERY_BOUND = 10


@dataclass
class Expected:
    """The figures the inserted dossiers must give, kept while inserting."""

    states: Counter[str] = field(default_factory=Counter)
    themes: Counter[str] = field(default_factory=Counter)
    provinces: Counter[str | None] = field(default_factory=Counter)
    exchange_types: Counter[str] = field(default_factory=Counter)
    requested_cents: int = 0
    reserved_cents: int = 0
    committed_cents: int = 0
    paid_cents: int = 0
    waiting: int = 0
    reviews_outstanding: int = 0
    reviews_overdue: int = 0
    payouts: dict[str, list[int]] = field(default_factory=lambda: {s.value: [0, 0, 0] for s in reports.DUE_STATES})
    giving: set[int] = field(default_factory=set)
    receiving: set[int] = field(default_factory=set)
    started: int = 0
    completed: int = 0

    @property
    def total(self) -> int:
        return sum(self.states.values())


class Dossiers:
    """Submitted dossiers of one call, inserted in bulk, `add(n)` at a time."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.applicant = make_user("applicant")
        self.officer = make_user("officer")
        self.finance = make_user("finance")
        self.reviewers = [make_user("reviewer") for _ in range(3)]
        self.municipalities = db.session.execute(
            select(Organisation.id, Organisation.province_code)
            .where(Organisation.kind == OrganisationKind.MUNICIPALITY)
            .order_by(Organisation.nis_code)
        ).all()
        self.province = {organisation_id: province for organisation_id, province in self.municipalities}
        self.expected = Expected()
        self.count = 0

    def reference(self, number: int) -> str:
        return f"{self.call.reference_prefix}-T{self.call.id}-{number:05d}"

    def add(self, count: int) -> None:
        now = utcnow()
        day = brussels_today()
        first = self.count
        rows = [self._application(first + i, now) for i in range(count)]
        ids = list(
            db.session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True), rows)
        )
        reservations, mentors, final_reports, reviews, payouts = [], [], [], [], []
        for number, application_id, row in zip(range(first, first + count), ids, rows, strict=True):
            state = row["state"]
            cycle = number // len(PATTERN)  # varies the dossiers of one state
            requested = row["requested_cents"]
            giving, receiving = row["organisation_id"], row["receiving_organisation_id"]
            expected = self.expected
            expected.states[state] += 1
            expected.themes.update(row["theme_codes"])
            expected.provinces[self.province[giving]] += 1
            expected.exchange_types[row["exchange_type"]] += 1
            expected.requested_cents += requested
            reservation = {
                "application_id": application_id,
                "call_id": self.call.id,
                "standing": None,
                "reserved_cents": 0,
                "committed_cents": 0,
                "paid_cents": 0,
                "waiting_place": None,
            }
            if state in IN_QUEUE:
                if number % 4 == 3:  # every fourth in the queue waits for money
                    expected.waiting += 1
                    reservation.update(standing=Standing.WAITING, waiting_place=expected.waiting)
                else:
                    reservation.update(standing=Standing.RESERVED, reserved_cents=requested)
                    expected.reserved_cents += requested
            if state in (State.GRANTED, State.CLOSED):
                paid = requested if state == State.CLOSED else (requested // 2 if cycle % 3 == 0 else 0)
                reservation.update(committed_cents=requested, paid_cents=paid)
                expected.committed_cents += requested
                expected.paid_cents += paid
                expected.giving.add(giving)
                expected.receiving.add(receiving)
                start = day - timedelta(days=30) if cycle % 2 == 0 else day + timedelta(days=30)
                mentors.append(
                    {
                        "application_id": application_id,
                        "position": 1,
                        "full_name": "Mentor",
                        "theme_codes": [],
                        "start_on": start,
                        "end_on": start + timedelta(days=120),
                    }
                )
                # A second mentor starting later never changes when the trajectory started.
                mentors.append(
                    {
                        "application_id": application_id,
                        "position": 2,
                        "full_name": "Mentor 2",
                        "theme_codes": [],
                        "start_on": start + timedelta(days=60),
                        "end_on": start + timedelta(days=120),
                    }
                )
                expected.started += start <= day
                report_state = ReportState.SUBMITTED if cycle % 4 == 0 else ReportState.DRAFT
                has_report = state == State.GRANTED and cycle % 2 == 0
                if has_report:
                    final_reports.append(
                        {
                            "application_id": application_id,
                            "state": report_state,
                            "submitted_at": now if report_state != ReportState.DRAFT else None,
                            "submitted_by_id": self.applicant.id if report_state != ReportState.DRAFT else None,
                        }
                    )
                expected.completed += state == State.CLOSED or (has_report and report_state == ReportState.SUBMITTED)
                if state == State.GRANTED:
                    payouts += self._payouts(application_id, cycle, now)
            if state != State.CORRECTION_REQUESTED:  # sent back: it keeps no reservation row here
                reservations.append(reservation)
            if state == State.IN_REVIEW:
                reviews += self._reviews(application_id, cycle, now, day)
        db.session.execute(insert(Reservation), reservations)
        if mentors:
            db.session.execute(insert(Mentor), mentors)
        if final_reports:
            db.session.execute(insert(FinalReport), final_reports)
        if reviews:
            db.session.execute(insert(Review), reviews)
        if payouts:
            db.session.execute(insert(Payout), payouts)
        # The call's budget row, as the budget service would have kept it.
        self.call.reserved_cents = self.expected.reserved_cents
        self.call.committed_cents = self.expected.committed_cents
        self.call.paid_cents = self.expected.paid_cents
        db.session.flush()
        self.count += count

    def _application(self, number: int, now: Any) -> dict[str, Any]:
        state = PATTERN[number % len(PATTERN)]
        giving = self.municipalities[number % len(self.municipalities)][0]
        receiving = self.municipalities[(number * 7 + 3) % len(self.municipalities)][0]
        if receiving == giving:
            receiving = self.municipalities[(number * 7 + 4) % len(self.municipalities)][0]
        themes = [THEME_CODES[number % 8]] + ([THEME_CODES[(number + 3) % 8]] if number % 2 else [])
        requested = 1_000_00 + (number % 7) * 250_00
        row: dict[str, Any] = {
            "call_id": self.call.id,
            "organisation_id": giving,
            "receiving_organisation_id": receiving,
            "state": state.value,
            "reference": self.reference(number),
            "created_by_id": self.applicant.id,
            "created_at": now,
            "updated_at": now,
            "exchange_type": "mentoring" if number % 3 else "stage",
            "theme_codes": themes,
            "right_codes": ["01"],
            "iban": "BE68539007547034",
            "requested_cents": requested,
            # One second apart, so that "newest first" and the queue order are plain to test.
            "submitted_at": now - timedelta(days=30) + timedelta(seconds=number),
            "queue_number": QUEUE_NUMBER_BASE + self.call.id * 100_000 + number,
            "decided_at": None,
            "granted_cents": None,
            "decision_motivation": None,
            "withdrawn_at": None,
            "withdrawal_reason": None,
        }
        if state in (State.GRANTED, State.CLOSED):
            row.update(granted_cents=requested, decided_at=now)
        if state in (State.REJECTED, State.INELIGIBLE):
            row.update(decision_motivation="Motivering", decided_at=now)
        if state == State.WITHDRAWN:
            row.update(withdrawn_at=now, withdrawal_reason="")
        return row

    def _reviews(self, application_id: int, cycle: int, now: Any, day: Any) -> list[dict[str, Any]]:
        open_review, conflict, submitted = self.reviewers
        due = day - timedelta(days=1) if cycle % 3 == 0 else day + timedelta(days=5)
        self.expected.reviews_outstanding += 1
        self.expected.reviews_overdue += due < day
        base = {"application_id": application_id, "assigned_by_id": self.officer.id, "assigned_at": now, "comment": ""}
        return [
            {**base, "reviewer_id": open_review.id, "due_on": due},
            # Neither a declared conflict nor a submitted review is outstanding, overdue or not.
            {
                **base,
                "reviewer_id": conflict.id,
                "due_on": day - timedelta(days=3),
                "conflict_declared_at": now,
                "conflict_reason": "Buur",
            },
            {**base, "reviewer_id": submitted.id, "due_on": day - timedelta(days=3), "submitted_at": now},
        ]

    def _payouts(self, application_id: int, cycle: int, now: Any) -> list[dict[str, Any]]:
        base = {
            "application_id": application_id,
            "call_id": self.call.id,
            "iban": "BE68539007547034",
            "prepared_by_id": self.officer.id,
            "prepared_at": now,
        }
        state = (
            PayoutState.PLANNED,
            PayoutState.APPROVED,
            PayoutState.FAILED,
            PayoutState.PAID,
            PayoutState.CANCELLED,
        )[cycle % 5]
        extra: dict[str, Any] = {}
        if state in (PayoutState.APPROVED, PayoutState.PAID):
            extra = {"approved_by_id": self.finance.id, "approved_at": now}
        if state == PayoutState.PAID:
            extra |= {"paid_on": now.date(), "bank_reference": "BANK", "paid_at": now}
        if state == PayoutState.FAILED:
            extra = {"failure_reason": "Rekening afgesloten", "failed_at": now}
        if state == PayoutState.CANCELLED:
            extra = {"cancelled_at": now}
        rows = [{**base, **extra, "kind": PayoutKind.ADVANCE, "state": state, "amount_cents": 300_00}]
        if cycle % 4 == 1:
            rows.append({**base, "kind": PayoutKind.RECOVERY, "state": PayoutState.PLANNED, "amount_cents": 50_00})
        for row in rows:
            if row["state"] in self.expected.payouts:
                figures = self.expected.payouts[row["state"]]
                figures[0] += 1
                figures[1 if row["kind"] != PayoutKind.RECOVERY else 2] += row["amount_cents"]
        return rows


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs (the test's connection, shared by its requests)."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append(statement)

    target = db.engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


def report_call(code: str = "ARM-RAPPORT") -> Call:
    return open_call(code, envelope_cents=ENVELOPE_CENTS, cap_cents=50_000_00)


PAGES = {
    "dashboard": "/behandeling/rapportering?oproep={call}",
    "list": "/behandeling/dossiers?oproep={call}",
    "list_filtered": "/behandeling/dossiers?oproep={call}&status=granted&zoek=T&pagina=3",
    "list_last_page": "/behandeling/dossiers?oproep={call}&volgorde=wachtrij&pagina=9999",
}


def _count_pages(client: Any, call: Call) -> dict[str, int]:
    counts = {}
    for name, path in PAGES.items():
        with counted_statements() as statements:
            response = client.get(path.format(call=call.id))
        assert response.status_code == 200, name
        counts[name] = len(statements)
    return counts


def test_the_reports_make_as_many_queries_for_5000_dossiers_as_for_10(app, client, db_session):
    call = report_call()
    dossiers = Dossiers(call)
    officer = make_user("officer")
    sign_in(client, officer)
    dossiers.add(10)
    for path in PAGES.values():  # the first request of a session does its own bookkeeping
        client.get(path.format(call=call.id))

    few = _count_pages(client, call)
    dossiers.add(4_990)
    many = _count_pages(client, call)

    assert few == many, (few, many)
    assert many["dashboard"] <= DASHBOARD_QUERY_BOUND, many
    assert max(many["list"], many["list_filtered"], many["list_last_page"]) <= LIST_QUERY_BOUND, many

    html = client.get(PAGES["list"].format(call=call.id)).get_data(as_text=True)
    assert 'data-total="5000"' in html
    assert len(re.findall(r'<tr class="govuk-table__row" data-dossier=', html)) == reports.PER_PAGE


def test_the_figures_of_5000_dossiers_add_up(app, db_session):
    call = report_call()
    dossiers = Dossiers(call)
    dossiers.add(5_000)
    expected = dossiers.expected

    report = reports.call_report(call, brussels_today())

    states = dict(report.states)
    assert set(states) == set(State)  # every state, zero included
    assert states[State.DRAFT] == 0
    assert {state.value: count for state, count in states.items() if count} == dict(expected.states)
    assert report.submitted_count == 5_000 == expected.total
    assert sum(count for _state, count in report.states) == 5_000
    assert all(count == 500 for state, count in report.states if state is not State.DRAFT)

    envelope = report.envelope
    assert (envelope.envelope_cents, envelope.reserved_cents, envelope.committed_cents, envelope.paid_cents) == (
        ENVELOPE_CENTS,
        expected.reserved_cents,
        expected.committed_cents,
        expected.paid_cents,
    )
    assert envelope.remaining_cents == ENVELOPE_CENTS - expected.reserved_cents - expected.committed_cents
    assert envelope.waiting_count == expected.waiting > 0

    assert {theme.code: theme.count for theme in report.themes if theme.count} == dict(expected.themes)
    assert [theme.code for theme in report.themes] == THEME_CODES  # the call's themes, in their order
    assert sum(theme.count for theme in report.themes) == 5_000 + 2_500  # one theme each, a second for half

    assert {p.code: p.count for p in report.provinces if p.count} == dict(expected.provinces)
    assert sum(p.count for p in report.provinces) == 5_000
    assert len(report.provinces) == 5  # the five Flemish provinces, each with dossiers here
    assert {kind.value: count for kind, count in report.exchange_types} == dict(expected.exchange_types)

    assert (report.reviews.outstanding, report.reviews.overdue) == (
        expected.reviews_outstanding,
        expected.reviews_overdue,
    )
    assert report.reviews.outstanding == 500 and 0 < report.reviews.overdue < 500

    due = {d.state.value: [d.count, d.to_pay_cents, d.to_recover_cents] for d in report.payouts_due}
    assert due == expected.payouts
    assert due["planned"][2] > 0  # recoveries are counted apart from what is paid out

    monitoring = report.monitoring
    assert (monitoring.giving_governments, monitoring.receiving_governments) == (
        len(expected.giving),
        len(expected.receiving),
    )
    assert monitoring.governments == len(expected.giving | expected.receiving)
    assert (monitoring.started, monitoring.completed) == (expected.started, expected.completed)
    assert 0 < monitoring.started < 1_000 and 500 < monitoring.completed < 1_000

    first = reports.dossier_page(reports.DossierFilter(call_id=call.id), 1)
    assert first.total == 5_000 and first.pages == 100 and len(first.rows) == 50
    assert first.rows[0].reference == dossiers.reference(4_999)  # newest first
    granted = reports.dossier_page(reports.DossierFilter(call_id=call.id, state=State.GRANTED), 1, per_page=1_000)
    assert granted.total == 500
    assert sum(row.committed_cents for row in granted.rows) == sum(row.requested_cents for row in granted.rows)
    every = reports.dossier_page(reports.DossierFilter(call_id=call.id), 1, per_page=5_000).rows
    assert sum(row.requested_cents for row in every) == expected.requested_cents
    assert sum(row.committed_cents for row in every) == expected.committed_cents
    assert sum(row.paid_cents for row in every) == expected.paid_cents
    assert sum(row.reserved_cents for row in every) == expected.reserved_cents
