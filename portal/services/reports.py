"""Reports (SPEC 11): the figures of a call's dashboard and the list of every dossier. Read only.

Each figure is one aggregate query (GROUP BY, COUNT, SUM), and the list is one query for the page
and one count: a page makes the same number of queries for ten dossiers as for five thousand.
Only submitted dossiers count (`submitted_at` set; a dossier sent back for correction keeps it),
with one exception: the draft row of the states counts the drafts not yet submitted, shown apart.
Nothing here writes or commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from math import ceil
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select, true, union
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Application,
    Call,
    FinalReport,
    Mentor,
    Organisation,
    Payout,
    Reservation,
    Review,
    Submission,
    Theme,
    call_themes,
)
from portal.models.calls import ExchangeType
from portal.models.payouts import ReportState
from portal.services import budget
from workflows.applications import State
from workflows.payouts import PayoutKind, PayoutState
from workflows.scoring import is_overdue

PER_PAGE = 50
# Dossiers that reached a local government: the action's monitoring indicators count these.
REACHED = (State.GRANTED, State.CLOSED)
# Payouts still to be made or received, in the order finance handles them.
DUE_STATES = (PayoutState.PLANNED, PayoutState.APPROVED, PayoutState.IN_FILE, PayoutState.FAILED)

E = TypeVar("E", bound=StrEnum)


# --- the calls to choose from ----------------------------------------------------------------


@dataclass(frozen=True)
class CallChoice:
    id: int
    code: str
    title_nl: str
    title_en: str

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_nl


def list_calls() -> list[CallChoice]:
    """Every call, the most recent (latest opening) first."""
    rows = db.session.execute(
        select(Call.id, Call.code, Call.title_nl, Call.title_en).order_by(Call.opens_at.desc(), Call.id.desc())
    ).all()
    return [CallChoice(*row) for row in rows]


# --- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """The call's budget row; paid is part of committed (net of recoveries)."""

    envelope_cents: int
    reserved_cents: int
    committed_cents: int
    paid_cents: int
    waiting_count: int

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.reserved_cents - self.committed_cents

    @property
    def committed_unpaid_cents(self) -> int:
        return self.committed_cents - self.paid_cents


@dataclass(frozen=True)
class ThemeCount:
    code: str
    name_nl: str
    name_en: str
    count: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


@dataclass(frozen=True)
class ProvinceCount:
    code: str | None  # None: a giving government without a province (not a municipality)
    name: str | None
    count: int


@dataclass(frozen=True)
class ReviewFigures:
    outstanding: int  # assigned, not submitted, no conflict declared, on a dossier in review
    overdue: int


@dataclass(frozen=True)
class PayoutsDue:
    state: PayoutState
    count: int
    to_pay_cents: int  # advances and balances to the giving governments
    to_recover_cents: int  # recoveries: money the governments pay back


@dataclass(frozen=True)
class Monitoring:
    """The action's indicators: local governments reached, trajectories started and completed."""

    giving_governments: int
    receiving_governments: int
    governments: int  # distinct, whichever side
    started: int
    completed: int


@dataclass(frozen=True)
class CallReport:
    call_id: int
    envelope: Envelope
    states: tuple[tuple[State, int], ...]  # every state, zero included; DRAFT = drafts not yet submitted
    themes: tuple[ThemeCount, ...]  # a dossier counts once for each theme it chose
    provinces: tuple[ProvinceCount, ...]
    exchange_types: tuple[tuple[ExchangeType, int], ...]
    reviews: ReviewFigures
    payouts_due: tuple[PayoutsDue, ...]
    monitoring: Monitoring

    @property
    def submitted_count(self) -> int:
        return sum(count for state, count in self.states if state is not State.DRAFT)

    @property
    def draft_count(self) -> int:
        return dict(self.states)[State.DRAFT]


def _submitted(call_id: int) -> ColumnElement[bool]:
    return and_(Application.call_id == call_id, Application.submitted_at.is_not(None))


def call_report(call: Call, today: date) -> CallReport:
    """Every figure of the dashboard for one call; `today` (Brussels) decides started and overdue."""
    return CallReport(
        call_id=call.id,
        envelope=Envelope(
            call.envelope_cents, call.reserved_cents, call.committed_cents, call.paid_cents, budget.waiting_count(call)
        ),
        states=_states(call.id),
        themes=_themes(call.id),
        provinces=_provinces(call.id),
        exchange_types=_exchange_types(call.id),
        reviews=_reviews(call.id, today),
        payouts_due=_payouts_due(call.id),
        monitoring=_monitoring(call.id, today),
    )


def _fill(members: Iterable[E], counts: dict[str | None, int]) -> tuple[tuple[E, int], ...]:
    return tuple((member, counts.get(member.value, 0)) for member in members)


def _states(call_id: int) -> tuple[tuple[State, int], ...]:
    rows = db.session.execute(
        select(Application.state, func.count())
        .where(
            Application.call_id == call_id, or_(Application.submitted_at.is_not(None), Application.state == State.DRAFT)
        )
        .group_by(Application.state)
    ).all()
    return _fill(State, {state: count for state, count in rows})


def _theme_codes_counted(call_id: int) -> dict[str, int]:
    """Each chosen theme once per dossier, counted by the database from the JSON list."""
    if db.session.get_bind().dialect.name == "postgresql":
        codes = func.json_array_elements_text(Application.theme_codes).table_valued("value").lateral()
        is_list = func.json_typeof(Application.theme_codes) == "array"
    else:
        codes = func.json_each(Application.theme_codes).table_valued("value")
        is_list = func.json_type(Application.theme_codes) == "array"
    rows = db.session.execute(
        select(codes.c.value, func.count())
        .select_from(Application)
        .join(codes, true())
        .where(_submitted(call_id), is_list)
        .group_by(codes.c.value)
    ).all()
    return {str(code): count for code, count in rows}


def _themes(call_id: int) -> tuple[ThemeCount, ...]:
    counts = _theme_codes_counted(call_id)
    themes = db.session.execute(
        select(Theme.code, Theme.name_nl, Theme.name_en, call_themes.c.call_id.is_not(None))
        .outerjoin(call_themes, and_(call_themes.c.theme_code == Theme.code, call_themes.c.call_id == call_id))
        .order_by(Theme.position, Theme.code)
    ).all()
    # The call's themes (zero included), then any other theme a dossier chose (an unknown code as is).
    found = [
        ThemeCount(code, nl, en, counts.get(code, 0)) for code, nl, en, in_call in themes if in_call or counts.get(code)
    ]
    known = {code for code, _nl, _en, _in_call in themes}
    found += [ThemeCount(code, code, code, count) for code, count in sorted(counts.items()) if code not in known]
    return tuple(found)


def _provinces(call_id: int) -> tuple[ProvinceCount, ...]:
    """Per province of the giving government; every province of the reference data, zero included."""
    rows = db.session.execute(
        select(Organisation.province_code, Organisation.province_name, func.count(Application.id))
        .select_from(Organisation)
        .outerjoin(Application, and_(Application.organisation_id == Organisation.id, _submitted(call_id)))
        .where(or_(Organisation.province_code.is_not(None), Application.id.is_not(None)))
        .group_by(Organisation.province_code, Organisation.province_name)
    ).all()
    provinces = [ProvinceCount(code, name, count) for code, name, count in rows]
    return tuple(sorted(provinces, key=lambda p: (p.code is None, p.name or "")))


def _exchange_types(call_id: int) -> tuple[tuple[ExchangeType, int], ...]:
    rows = db.session.execute(
        select(Application.exchange_type, func.count()).where(_submitted(call_id)).group_by(Application.exchange_type)
    ).all()
    return _fill(ExchangeType, {kind: count for kind, count in rows})


def _reviews(call_id: int, today: date) -> ReviewFigures:
    # Counted per due date, so that "overdue" stays the one rule of workflows/scoring.py.
    rows = db.session.execute(
        select(Review.due_on, func.count())
        .join(Application, Application.id == Review.application_id)
        .where(
            Application.call_id == call_id,
            Application.state == State.IN_REVIEW,
            Review.submitted_at.is_(None),
            Review.conflict_declared_at.is_(None),
        )
        .group_by(Review.due_on)
    ).all()
    return ReviewFigures(
        outstanding=sum(count for _due, count in rows),
        overdue=sum(count for due, count in rows if is_overdue(due, today, submitted=False)),
    )


def _payouts_due(call_id: int) -> tuple[PayoutsDue, ...]:
    rows = db.session.execute(
        select(Payout.state, Payout.kind, func.count(), func.sum(Payout.amount_cents))
        .where(Payout.call_id == call_id, Payout.state.in_(DUE_STATES))
        .group_by(Payout.state, Payout.kind)
    ).all()
    due = []
    for state in DUE_STATES:
        mine = [(kind, count, int(total or 0)) for s, kind, count, total in rows if s == state]
        due.append(
            PayoutsDue(
                state=state,
                count=sum(count for _kind, count, _total in mine),
                to_pay_cents=sum(total for kind, _count, total in mine if kind != PayoutKind.RECOVERY),
                to_recover_cents=sum(total for kind, _count, total in mine if kind == PayoutKind.RECOVERY),
            )
        )
    return tuple(due)


def _monitoring(call_id: int, today: date) -> Monitoring:
    reached = and_(Application.call_id == call_id, Application.state.in_(REACHED))
    # A trajectory starts with its first mentor; it is completed once closed or reported on.
    first_start = (
        select(Mentor.application_id, func.min(Mentor.start_on).label("first_on"))
        .group_by(Mentor.application_id)
        .subquery()
    )
    reported = FinalReport.state.in_((ReportState.SUBMITTED, ReportState.SETTLED))
    giving, receiving, started, completed = db.session.execute(
        select(
            func.count(distinct(Application.organisation_id)),
            func.count(distinct(Application.receiving_organisation_id)),
            func.coalesce(func.sum(case((first_start.c.first_on <= today, 1), else_=0)), 0),
            func.coalesce(func.sum(case((or_(Application.state == State.CLOSED, reported), 1), else_=0)), 0),
        )
        .select_from(Application)
        .outerjoin(first_start, first_start.c.application_id == Application.id)
        .outerjoin(FinalReport, FinalReport.application_id == Application.id)
        .where(reached)
    ).one()
    either_side = union(
        select(Application.organisation_id.label("organisation_id")).where(reached),
        select(Application.receiving_organisation_id).where(
            reached, Application.receiving_organisation_id.is_not(None)
        ),
    ).subquery()
    governments = db.session.scalar(select(func.count()).select_from(either_side)) or 0
    return Monitoring(int(giving), int(receiving), int(governments), int(started), int(completed))


# --- the list of every dossier ----------------------------------------------------------------


class Order(StrEnum):
    NEWEST = "nieuwste"  # the value travels in the URL, in the users' language
    QUEUE = "wachtrij"


@dataclass(frozen=True)
class DossierFilter:
    call_id: int | None = None
    state: State | None = None
    search: str = ""
    order: Order = Order.NEWEST
    task: Task | None = None


class Task(StrEnum):
    """The officer's work, by what a dossier waits for (the home page counts them, the list filters on them)."""

    CHECK = "nakijken"  # submitted for the first time: eligibility to check
    CORRECTED = "aangevuld"  # sent back for a correction and submitted again
    UNCONFIRMED = "niet-bevestigd"  # under way while the receiving government has not confirmed
    REVIEWERS = "beoordelaars"  # eligible: reviewers to assign
    DECIDE = "beslissen"  # every review in: a decision to take
    REPORT = "eindrapport"  # a final report submitted: to settle


_UNDER_WAY = (State.SUBMITTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED)


def _task_condition(task: Task) -> ColumnElement[bool]:
    resubmitted = (
        select(Submission.id).where(Submission.application_id == Application.id, Submission.version > 1).exists()
    )
    return {
        Task.CHECK: and_(Application.state == State.SUBMITTED, ~resubmitted),
        Task.CORRECTED: and_(Application.state == State.SUBMITTED, resubmitted),
        Task.UNCONFIRMED: and_(Application.state.in_(_UNDER_WAY), Application.receiving_confirmed_at.is_(None)),
        Task.REVIEWERS: Application.state == State.ELIGIBLE,
        Task.DECIDE: Application.state == State.SCORED,
        Task.REPORT: select(FinalReport.id)
        .where(FinalReport.application_id == Application.id, FinalReport.state == ReportState.SUBMITTED)
        .exists(),
    }[task]


def task_counts(call_id: int | None = None) -> dict[Task, int]:
    """How many submitted dossiers wait for each task, in one query."""
    scope = [Application.submitted_at.is_not(None), *([Application.call_id == call_id] if call_id is not None else [])]
    counts = db.session.execute(
        select(*(func.count(case((_task_condition(task), 1))) for task in Task)).where(*scope)
    ).one()
    return dict(zip(Task, (int(count) for count in counts), strict=True))


@dataclass(frozen=True)
class DossierRow:
    id: int
    reference: str
    state: State
    giving_name: str
    receiving_name: str | None
    submitted_at: datetime
    requested_cents: int
    reserved_cents: int
    committed_cents: int
    paid_cents: int


@dataclass(frozen=True)
class DossierPage:
    rows: tuple[DossierRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0


def dossier_page(filters: DossierFilter, page: int, per_page: int = PER_PAGE) -> DossierPage:
    """One page of submitted dossiers: one count and one query, whatever their number.

    A page past the last one shows the last page.
    """
    giving = aliased(Organisation, name="giving")
    receiving = aliased(Organisation, name="receiving")

    def filtered(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        query = (
            query.join(giving, giving.id == Application.organisation_id)
            .outerjoin(receiving, receiving.id == Application.receiving_organisation_id)
            .where(Application.submitted_at.is_not(None))
        )
        if filters.call_id is not None:
            query = query.where(Application.call_id == filters.call_id)
        if filters.state is not None:
            query = query.where(Application.state == filters.state)
        if filters.task is not None:
            query = query.where(_task_condition(filters.task))
        term = filters.search.strip()
        if term:
            query = query.where(
                or_(
                    Application.reference.icontains(term, autoescape=True),
                    giving.name.icontains(term, autoescape=True),
                    receiving.name.icontains(term, autoescape=True),
                )
            )
        return query

    total = db.session.scalar(filtered(select(func.count()).select_from(Application))) or 0
    page = min(max(page, 1), max(1, ceil(total / per_page)))
    order = (Application.queue_number,) if filters.order is Order.QUEUE else (Application.queue_number.desc(),)
    rows = db.session.execute(
        filtered(
            select(
                Application.id,
                Application.reference,
                Application.state,
                giving.name,
                receiving.name,
                Application.submitted_at,
                func.coalesce(Application.requested_cents, 0),
                func.coalesce(Reservation.reserved_cents, 0),
                func.coalesce(Reservation.committed_cents, 0),
                func.coalesce(Reservation.paid_cents, 0),
            ).select_from(Application)
        )
        .outerjoin(Reservation, Reservation.application_id == Application.id)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return DossierPage(
        rows=tuple(_dossier_row(*row) for row in rows),
        total=total,
        page=page,
        per_page=per_page,
    )


def _dossier_row(
    id_: int,
    reference: str | None,
    state: str,
    giving_name: str,
    receiving_name: str | None,
    submitted_at: datetime | None,
    requested: int,
    reserved: int,
    committed: int,
    paid: int,
) -> DossierRow:
    # A submitted dossier always has its reference and moment (the CHECK "submitted_has_reference").
    assert reference is not None and submitted_at is not None
    return DossierRow(
        id_,
        reference,
        State(state),
        giving_name,
        receiving_name,
        submitted_at,
        int(requested),
        int(reserved),
        int(committed),
        int(paid),
    )
