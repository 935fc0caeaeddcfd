"""Payouts and the final report (SPEC section 9): from commitment to payment, every euro accounted for.

The order of locks is the one every dossier change keeps: the dossier first, the call's budget row
second. The amounts paid live on the dossier's reservation row and on the call row, where CHECK
constraints keep them within the commitment; the rules (advance, settlement, who may do what) are
in workflows/payouts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select

from portal.db import COST_BASIS_FIELDS, brussels_today, utcnow, values_of
from portal.extensions import db
from portal.models import (
    ActualCost,
    Application,
    AuditEntry,
    BatchOutcome,
    BudgetMovement,
    FinalReport,
    PaymentBatchItem,
    Payout,
    ReportDocument,
    Reservation,
    User,
)
from portal.models.budget import MovementKind
from portal.models.notifications import NotificationEvent
from portal.models.payouts import ReportState
from portal.services import audit, budget, files, notifications
from portal.services.dossiers import move
from portal.services.locks import lock_call, lock_calls, lock_dossier, lock_dossier_and_call, lock_dossiers
from portal.services.refusal import Refused
from workflows.applications import Action, State
from workflows.calls import BRUSSELS
from workflows.compensation import MentorCost
from workflows.payouts import (
    OPEN_STATES,
    PREPARERS,
    TRANSFERS,
    UNDER_WAY_STATES,
    MoneyTrail,
    PayoutAction,
    PayoutFacts,
    PayoutKind,
    PayoutState,
    Settlement,
    advance_cents,
    four_eyes_allow,
    may,
    money_trail,
    payout_transition,
    settle,
)
from workflows.roles import Role
from workflows.trajectory import (
    ReportWindow,
    early_end_refusal,
    may_declare_early_end,
    planned_end,
    report_window,
)


class PayoutRefused(Refused):
    """A payout step the rules do not allow; `code` says why (shown in Dutch or English)."""


# --- the schedule ------------------------------------------------------------------------------


def schedule_at_grant(application: Application, actor: User) -> Payout | None:
    """The advance the call's payout schedule gives at grant (none by default: one balance at the end)."""
    amount = advance_cents(application.granted_cents or 0, application.call.advance_percent)
    if amount <= 0:
        return None
    return _prepare(application, PayoutKind.ADVANCE, amount, actor, "grant")


def _prepare(application: Application, kind: PayoutKind, amount: int, actor: User, reason: str) -> Payout:
    payout = Payout(
        application_id=application.id,
        call_id=application.call_id,
        kind=kind,
        state=PayoutState.PLANNED,
        amount_cents=amount,
        iban=application.iban or "",
        prepared_by_id=actor.id,
        prepared_at=utcnow(),
    )
    audit.record_added(
        actor,
        "payout.prepared",
        payout,
        reason=reason,
        details={"application_id": application.id, "kind": kind.value, "amount_cents": amount},
    )
    return payout


def payouts_of(application: Application) -> list[Payout]:
    return list(db.session.scalars(select(Payout).where(Payout.application_id == application.id).order_by(Payout.id)))


def trail_of(application: Application, payouts: list[Payout]) -> MoneyTrail:
    """The dossier's figures; `payouts` are its payouts, as the page that shows them loaded them."""
    reservation = budget.standing_of(application)
    return money_trail(
        application.requested_cents or 0,
        reservation.reserved_cents if reservation else 0,
        reservation.committed_cents if reservation else 0,
        [PayoutFacts(PayoutKind(p.kind), PayoutState(p.state), p.amount_cents) for p in payouts],
    )


# --- the final report --------------------------------------------------------------------------


def report_of(application: Application) -> FinalReport | None:
    return db.session.scalar(select(FinalReport).where(FinalReport.application_id == application.id))


def may_report(application: Application) -> bool:
    return application.state_enum is State.GRANTED


def report_window_of(application: Application) -> ReportWindow | None:
    """When the final report opens and is due: from the trajectory's end (its last mentor period, or the
    early end the government declared); None while a period has no end."""
    return report_window((m.end_on for m in application.mentors), application.early_end_on)


def report_open(application: Application, today: date | None = None) -> bool:
    window = report_window_of(application)
    return window is not None and window.is_open(today or brussels_today())


def trajectory_start(application: Application) -> date | None:
    starts = [m.start_on for m in application.mentors if m.start_on is not None]
    return min(starts) if starts else None


def may_declare_end(application: Application, today: date | None = None) -> bool:
    """Whether the giving government can declare now that the trajectory ended early."""
    report = report_of(application)
    submitted = report is not None and report.state_enum is not ReportState.DRAFT
    return may_report(application) and may_declare_early_end(
        planned_end(m.end_on for m in application.mentors), today or brussels_today(), submitted
    )


class EarlyEndRefused(Refused):
    """The declared early end refused; `code` is an EarlyEndRefusal (workflows/trajectory.py)."""


def declare_early_end(
    application_id: int, actor: User, ended_on: date, reason: str, today: date | None = None
) -> Application:
    """The giving government declares that the trajectory ended before its planned end, on `ended_on`
    (not in the future, not before its first day): the final report can be submitted from then on."""
    application = lock_dossier(application_id)
    if not may_report(application):
        raise PayoutRefused("not_granted")
    report = report_of(application)
    reason = reason.strip()
    refused = early_end_refusal(
        ended_on, reason, today or brussels_today(), trajectory_start(application),
        planned_end(m.end_on for m in application.mentors), report is not None and report.state_enum is not ReportState.DRAFT,
    )  # fmt: skip
    if refused is not None:
        raise EarlyEndRefused(refused)
    before = application.early_end_on
    application.early_end_on = ended_on
    application.early_end_reason = reason
    application.early_end_declared_at = utcnow()
    application.early_end_declared_by_id = actor.id
    db.session.flush()
    audit.record_row(
        actor,
        "application.early_end_declared",
        application,
        reason=reason,
        details={"ended_on": ended_on.isoformat(), "before": before.isoformat() if before else None},
    )
    return application


def start_report(application: Application, actor: User) -> FinalReport:
    """The report of a granted dossier, its lines filled with the planned costs to correct. Locks the
    dossier: two first saves in parallel start one report."""
    lock_dossier(application.id)
    report = report_of(application)
    if report is not None:
        return report
    if not may_report(application):
        raise PayoutRefused("not_granted")
    report = FinalReport(application_id=application.id, state=ReportState.DRAFT, achievements="")
    for mentor in application.mentors:
        report.lines.append(
            ActualCost(mentor_id=mentor.id, position=mentor.position, **values_of(mentor, COST_BASIS_FIELDS))
        )
    db.session.add(report)
    db.session.flush()  # the audit row names the new report
    audit.record_row(actor, "final_report.started", application, details={"report_id": report.id})
    return report


def _editable(report: FinalReport) -> None:
    """Every change of a report holds its dossier's lock and sees the report's state as it is now,
    so that no change slips in after the report was submitted from another tab."""
    lock_dossier(report.application_id)
    db.session.refresh(report, ["state"])
    if report.state_enum is not ReportState.DRAFT or not may_report(report.application):
        raise PayoutRefused("report_not_editable")


@dataclass(frozen=True)
class CostInput:
    monthly_wage_cents: int
    time_share_bp: int
    start_on: date
    end_on: date


def save_actual_cost_of(report: FinalReport, mentor_id: int, cost: CostInput, actor: User) -> None:
    """The actual cost of one mentor of the report (LookupError for a mentor not in it)."""
    line = next((line for line in report.lines if line.mentor_id == mentor_id), None)
    if line is None:
        raise LookupError(mentor_id)
    save_actual_cost(report, line, cost, actor)


def save_actual_cost(report: FinalReport, line: ActualCost, cost: CostInput, actor: User) -> None:
    _editable(report)
    line.monthly_wage_cents = cost.monthly_wage_cents
    line.time_share_bp = cost.time_share_bp
    line.start_on = cost.start_on
    line.end_on = cost.end_on
    db.session.flush()
    audit.record(
        actor, "final_report.cost_saved", "application", report.application_id, details={"mentor_id": line.mentor_id}
    )


def save_achievements(report: FinalReport, text: str, actor: User) -> None:
    _editable(report)
    report.achievements = text.strip()
    db.session.flush()


def add_document(report: FinalReport, original_name: str, pdf: files.CheckedPdf, actor: User) -> ReportDocument:
    _editable(report)
    document = ReportDocument(
        report=report,
        original_name=(original_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "bewijsstuk.pdf")[:255],
        stored_name=files.write_file(pdf.data),
        size_bytes=len(pdf.data),
        sha256=pdf.sha256,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        actor,
        "final_report.document_added",
        "application",
        report.application_id,
        details={"document_id": document.id, "sha256": pdf.sha256},
    )
    return document


def remove_document(report: FinalReport, document: ReportDocument, actor: User) -> None:
    _editable(report)
    stored = document.stored_name
    report.documents.remove(document)
    db.session.flush()
    files.delete_file(stored)
    audit.record(
        actor,
        "final_report.document_removed",
        "application",
        report.application_id,
        details={"document_id": document.id},
    )


def actual_costs(report: FinalReport) -> list[MentorCost]:
    return [
        MentorCost(line.monthly_wage_cents, line.time_share_bp, line.start_on, line.end_on)  # type: ignore[arg-type]
        for line in report.lines
        if line.is_complete
    ]


def report_problems(report: FinalReport) -> list[str]:
    """What still stands in the way of submitting the report, as codes for the page."""
    problems = []
    if not report.achievements.strip():
        problems.append("achievements")
    if not report.lines or not all(line.is_complete for line in report.lines):
        problems.append("costs")
    if not report.documents:
        problems.append("documents")
    return problems


def settlement_of(report: FinalReport) -> Settlement | None:
    """The settlement as it stands now (before acceptance), or None while costs are missing."""
    costs = actual_costs(report)
    if not costs or len(costs) != len(report.lines):
        return None
    reservation = budget.standing_of(report.application)
    committed = reservation.committed_cents if reservation else 0
    paid = reservation.paid_cents if reservation else 0
    return settle(committed, paid, costs, report.application.call.compensation_rate_percent)


def submit_report(application_id: int, actor: User) -> FinalReport:
    application = lock_dossier(application_id)
    report = report_of(application)
    if report is None:
        raise PayoutRefused("report_missing")
    _editable(report)
    if report_problems(report):
        raise PayoutRefused("report_incomplete")
    if not report_open(application):
        # The report tells what happened: not before the trajectory's last day (workflows/trajectory.py).
        raise PayoutRefused("trajectory_not_ended")
    report.state = ReportState.SUBMITTED
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    db.session.flush()
    audit.record_row(
        actor, "final_report.submitted", application, from_state=ReportState.DRAFT, to_state=ReportState.SUBMITTED
    )
    return report


def return_report(application_id: int, actor: User, question: str) -> FinalReport:
    """The officer sends a submitted report back with a question; the government corrects and resubmits."""
    if actor.role_enum not in PREPARERS:
        raise PayoutRefused("not_allowed")
    if not question.strip():
        raise PayoutRefused("question")
    application = lock_dossier(application_id)
    report = report_of(application)
    if report is None or report.state_enum is not ReportState.SUBMITTED:
        raise PayoutRefused("report_not_submitted")
    report.state = ReportState.DRAFT
    db.session.flush()
    audit.record_row(
        actor,
        "final_report.returned",
        application,
        from_state=ReportState.SUBMITTED,
        to_state=ReportState.DRAFT,
        reason=question.strip(),
    )
    notifications.record(
        NotificationEvent.REPORT_DUE,
        notifications.giving_government(application),
        application,
        {"question": question.strip()},
    )
    return report


def settle_report(application_id: int, actor: User) -> Settlement:
    """Accept the final report: the final compensation, the unused commitment back to the envelope (and
    the waiting list), and the balance or the recovery prepared for approval."""
    if actor.role_enum not in PREPARERS:
        raise PayoutRefused("not_allowed")
    application, call = lock_dossier_and_call(application_id)
    report = report_of(application)
    if report is None or report.state_enum is not ReportState.SUBMITTED or application.state_enum is not State.GRANTED:
        raise PayoutRefused("report_not_submitted")
    payouts = payouts_of(application)
    if any(p.state_enum in (PayoutState.APPROVED, PayoutState.IN_FILE) for p in payouts):
        # A transfer may be on its way: settle once it is paid or has failed.
        raise PayoutRefused("payout_in_flight")
    for payout in payouts:
        if payout.kind_enum is PayoutKind.ADVANCE and payout.state_enum in (PayoutState.PLANNED, PayoutState.FAILED):
            # An advance never paid is folded into the balance.
            _cancel(payout, actor, "settled")
    settlement = settlement_of(report)
    assert settlement is not None  # a submitted report has every cost
    reservation = db.session.get(Reservation, application.id)
    assert reservation is not None
    released = settlement.released_now_cents
    if released:
        reservation.committed_cents -= released
        call.committed_cents -= released
        budget.record_movement(call, application, actor, MovementKind.RELEASED, -released, "final_report")
    report.state = ReportState.SETTLED
    report.settled_at = utcnow()
    report.settled_by_id = actor.id
    report.final_cents = settlement.final_cents
    report.balance_cents = settlement.balance_cents
    report.released_cents = released
    db.session.flush()
    audit.record_row(
        actor,
        "final_report.settled",
        application,
        from_state=ReportState.SUBMITTED,
        to_state=ReportState.SETTLED,
        details={
            "final_cents": settlement.final_cents,
            "balance_cents": settlement.balance_cents,
            "released_cents": released,
        },
    )
    if settlement.to_pay_cents:
        _prepare(application, PayoutKind.BALANCE, settlement.to_pay_cents, actor, "final_report")
    if settlement.to_recover_cents:
        _prepare(application, PayoutKind.RECOVERY, settlement.to_recover_cents, actor, "final_report")
    if released:
        budget.rebalance(call, actor, "final_report")
    close_if_done(application)
    return settlement


# --- the payout's states -----------------------------------------------------------------------


def _lock_payout(payout_id: int) -> tuple[Payout, Application]:
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        raise LookupError(payout_id)
    application = lock_dossier(payout.application_id)
    db.session.refresh(payout)
    return payout, application


def _step(payout: Payout, action: PayoutAction, actor: User, reason: str | None = None) -> None:
    if not may(actor.role_enum, payout.state_enum, action, payout.kind_enum):
        if (
            payout.kind_enum in TRANSFERS
            and payout.state_enum is PayoutState.APPROVED
            and action in (PayoutAction.PAY, PayoutAction.FAIL)
        ):
            raise PayoutRefused("not_in_file")
        raise PayoutRefused("not_allowed")
    found = payout_transition(payout.state_enum, action)
    assert found is not None
    audit.record_move(
        actor,
        f"payout.{found.target.value}",
        payout,
        found.target,
        reason=reason,
        details={"application_id": payout.application_id, "kind": payout.kind, "amount_cents": payout.amount_cents},
    )


def approve(payout_id: int, actor: User) -> Payout:
    payout, application = _lock_payout(payout_id)
    if may(actor.role_enum, payout.state_enum, PayoutAction.APPROVE) and not four_eyes_allow(
        actor.id, payout.prepared_by_id
    ):
        raise PayoutRefused("four_eyes")
    _step(payout, PayoutAction.APPROVE, actor)
    payout.approved_by_id = actor.id
    payout.approved_at = utcnow()
    db.session.flush()
    if payout.kind_enum is not PayoutKind.RECOVERY:
        notifications.record(
            NotificationEvent.PAYOUT_APPROVED,
            notifications.giving_government(application),
            application,
            _details(payout),
        )
    return payout


def approval_refusal(payout: Payout, actor: User) -> str | None:
    """Why `actor` cannot approve the payout as it is now (a refusal code), or None."""
    if payout.state_enum is not PayoutState.PLANNED:
        return "not_planned"
    if not may(actor.role_enum, payout.state_enum, PayoutAction.APPROVE):
        return "not_allowed"
    if not four_eyes_allow(actor.id, payout.prepared_by_id):
        return "four_eyes"
    return None


@dataclass(frozen=True)
class ApprovalFacts:
    """What a finance user sees before approving a payout: the dossier's money and, for a balance or a
    recovery, the settlement of the accepted final report it comes from."""

    payout: Payout
    application: Application
    granted_cents: int
    advance_percent: int
    advance_paid_cents: int  # advances paid to the government so far
    net_paid_cents: int  # everything paid so far, net of what was paid back
    report: FinalReport | None
    settlement: Settlement | None  # the final report's settlement as it was accepted
    refusal: str | None  # why the reader cannot approve it now, or None


def accepted_settlement(report: FinalReport) -> Settlement | None:
    """The settlement of an accepted report, computed again by the same rule from what was stored at its
    acceptance (the payments made since do not change it)."""
    if report.state_enum is not ReportState.SETTLED or report.final_cents is None or report.balance_cents is None:
        return None
    costs = actual_costs(report)
    if not costs:
        return None
    paid_before = report.final_cents - report.balance_cents
    commitment = (report.released_cents or 0) + max(report.final_cents, paid_before)
    return settle(commitment, paid_before, costs, report.application.call.compensation_rate_percent)


def approval_facts(payout: Payout, actor: User) -> ApprovalFacts:
    application = payout.application
    report = report_of(application)
    reservation = budget.standing_of(application)
    return ApprovalFacts(
        payout=payout,
        application=application,
        granted_cents=application.granted_cents or 0,
        advance_percent=application.call.advance_percent,
        advance_paid_cents=sum(
            p.amount_cents
            for p in payouts_of(application)
            if p.kind_enum is PayoutKind.ADVANCE and p.state_enum is PayoutState.PAID
        ),
        net_paid_cents=reservation.paid_cents if reservation else 0,
        report=report,
        settlement=accepted_settlement(report)
        if report is not None and payout.kind_enum is not PayoutKind.ADVANCE
        else None,
        refusal=approval_refusal(payout, actor),
    )


# --- several payouts at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Blocked:
    """A chosen payout that cannot take the step, and why (a refusal code)."""

    payout_id: int
    reference: str
    code: str


class SelectionRefused(PayoutRefused):
    """One or more of the chosen payouts cannot take the step: nothing was done. `blocked` says which."""

    def __init__(self, blocked: list[Blocked]) -> None:
        super().__init__("selection_blocked")
        self.blocked = blocked


def _lock_selection(payout_ids: list[int]) -> tuple[list[Payout], list[Blocked]]:
    """The chosen payouts, read again under the locks of their dossiers (by id) and then their calls, so
    that every step after this takes no lock out of order. Ids that name no payout come back blocked."""
    wanted = sorted(set(payout_ids))
    if not wanted:
        raise PayoutRefused("nothing_selected")
    found = db.session.execute(
        select(Payout.id, Payout.application_id, Payout.call_id).where(Payout.id.in_(wanted))
    ).all()
    lock_dossiers(application_id for _, application_id, _ in found)
    lock_calls(call_id for _, _, call_id in found)
    payouts = list(
        db.session.scalars(
            select(Payout).where(Payout.id.in_(wanted)).order_by(Payout.id).execution_options(populate_existing=True)
        )
    )
    present = {p.id for p in payouts}
    return payouts, [Blocked(payout_id, "", "gone") for payout_id in wanted if payout_id not in present]


def approve_many(payout_ids: list[int], actor: User, expected_total_cents: int | None = None) -> list[Payout]:
    """Approve the chosen payouts, all or none, each through `approve` (its audit row and its message).

    Refused as a whole (SelectionRefused, naming each) when one of them may not be approved now, by this
    user; and when their total is no longer the one the confirmation page showed (`selection_changed`).
    """
    payouts, blocked = _lock_selection(payout_ids)
    blocked += [
        Blocked(p.id, p.end_to_end_id, code) for p in payouts if (code := approval_refusal(p, actor)) is not None
    ]
    if blocked:
        raise SelectionRefused(blocked)
    if expected_total_cents is not None and sum(p.amount_cents for p in payouts) != expected_total_cents:
        raise PayoutRefused("selection_changed")
    return [approve(p.id, actor) for p in payouts]


def answer_refusal(
    payout: Payout, batch_id: int, outcome: BatchOutcome, paid_on: date | None, today: date | None = None
) -> str | None:
    """Why the bank's answer cannot be recorded for this payout of payment file `batch_id` (a code), or None."""
    pending = db.session.scalar(
        select(PaymentBatchItem.batch_id).where(
            PaymentBatchItem.payout_id == payout.id, PaymentBatchItem.outcome == BatchOutcome.PENDING
        )
    )
    if pending != batch_id:
        return "not_in_this_file"
    if payout.state_enum is not PayoutState.IN_FILE:
        return "not_allowed"
    if outcome is BatchOutcome.PAID and paid_on is not None:
        return refused_payment_date(payout, paid_on, today)
    return None


def record_answers(
    batch_id: int,
    payout_ids: list[int],
    actor: User,
    outcome: BatchOutcome,
    *,
    paid_on: date | None = None,
    bank_reference: str = "",
    reason: str = "",
    expected_total_cents: int | None = None,
    today: date | None = None,
) -> list[Payout]:
    """The bank's answer for several payouts of one payment file, all or none, each through `pay` or `fail`."""
    if outcome is BatchOutcome.PAID and (paid_on is None or not bank_reference.strip()):
        raise PayoutRefused("bank_reference" if paid_on is not None else "paid_on")
    if outcome is BatchOutcome.FAILED and not reason.strip():
        raise PayoutRefused("reason")
    if outcome is BatchOutcome.PENDING:
        raise PayoutRefused("not_allowed")
    payouts, blocked = _lock_selection(payout_ids)
    blocked += [
        Blocked(p.id, p.end_to_end_id, code)
        for p in payouts
        if (code := answer_refusal(p, batch_id, outcome, paid_on, today)) is not None
    ]
    if blocked:
        raise SelectionRefused(blocked)
    if expected_total_cents is not None and sum(p.amount_cents for p in payouts) != expected_total_cents:
        raise PayoutRefused("selection_changed")
    if outcome is BatchOutcome.PAID:
        assert paid_on is not None
        return [pay(p.id, actor, paid_on, bank_reference, today) for p in payouts]
    return [fail(p.id, actor, reason) for p in payouts]


def refused_payment_date(payout: Payout, paid_on: date, today: date | None = None) -> str | None:
    """Why the bank's payment date cannot be right (a refusal code), or None."""
    if paid_on > (today or brussels_today()):
        return "paid_on_future"
    if payout.approved_at is not None and paid_on < payout.approved_at.astimezone(BRUSSELS).date():
        return "paid_before_approval"
    return None


def pay(payout_id: int, actor: User, paid_on: date, bank_reference: str, today: date | None = None) -> Payout:
    """The transfer is made (or, for a recovery, the money came in): the amounts paid move with it."""
    payout, application = _lock_payout(payout_id)
    call = lock_call(application.call_id)
    if not bank_reference.strip():
        raise PayoutRefused("bank_reference")
    if (refused := refused_payment_date(payout, paid_on, today)) is not None:
        raise PayoutRefused(refused)
    from_file = payout.state_enum is PayoutState.IN_FILE
    _step(payout, PayoutAction.PAY, actor)
    payout.paid_on = paid_on
    payout.bank_reference = bank_reference.strip()
    payout.paid_by_id = actor.id
    payout.paid_at = utcnow()
    if from_file:
        _record_bank_answer(payout, BatchOutcome.PAID)
    reservation = db.session.get(Reservation, application.id)
    assert reservation is not None
    if payout.kind_enum is PayoutKind.RECOVERY:
        # Paid back: the net payment goes down and the money returns to the envelope with it.
        reservation.paid_cents -= payout.amount_cents
        reservation.committed_cents -= payout.amount_cents
        call.paid_cents -= payout.amount_cents
        call.committed_cents -= payout.amount_cents
        budget.record_movement(call, application, actor, MovementKind.RELEASED, -payout.amount_cents, "recovery")
    else:
        reservation.paid_cents += payout.amount_cents
        call.paid_cents += payout.amount_cents
    db.session.flush()  # the CHECKs on both rows: paid never exceeds committed
    notifications.record(
        NotificationEvent.PAYOUT_PAID, notifications.giving_government(application), application, _details(payout)
    )
    if payout.kind_enum is PayoutKind.RECOVERY:
        budget.rebalance(call, actor, "recovery")
    close_if_done(application)
    return payout


def fail(payout_id: int, actor: User, reason: str) -> Payout:
    if not reason.strip():
        raise PayoutRefused("reason")
    payout, _application = _lock_payout(payout_id)
    from_file = payout.state_enum is PayoutState.IN_FILE
    _step(payout, PayoutAction.FAIL, actor, reason.strip())
    payout.failure_reason = reason.strip()
    payout.failed_at = utcnow()
    if from_file:
        _record_bank_answer(payout, BatchOutcome.FAILED)
    db.session.flush()
    return payout


def put_in_file(payout: Payout, actor: User, message_id: str) -> None:
    """The transfer goes to the bank in payment file `message_id`; the caller holds the dossier's lock."""
    _step(payout, PayoutAction.ADD_TO_FILE, actor, f"pain.001 {message_id}")


def _record_bank_answer(payout: Payout, outcome: BatchOutcome) -> None:
    """The outcome on the payment file the payout went to the bank in (the one still pending)."""
    item = db.session.scalar(
        select(PaymentBatchItem).where(
            PaymentBatchItem.payout_id == payout.id, PaymentBatchItem.outcome == BatchOutcome.PENDING
        )
    )
    assert item is not None, f"payout {payout.id} is in a file without a pending line"
    item.outcome = outcome


def replan(payout_id: int, actor: User) -> Payout:
    """Prepared again after a failure, by the one who does so now: it needs a new approval."""
    payout, application = _lock_payout(payout_id)
    _step(payout, PayoutAction.REPLAN, actor)
    payout.prepared_by_id = actor.id
    payout.prepared_at = utcnow()
    payout.approved_by_id = None
    payout.approved_at = None
    payout.iban = application.iban or payout.iban
    db.session.flush()
    return payout


def _cancel(payout: Payout, actor: User, reason: str) -> None:
    payout.cancelled_at = utcnow()
    audit.record_move(actor, "payout.cancelled", payout, PayoutState.CANCELLED, reason=reason)


def cancel_open_payouts(application: Application, actor: User, reason: str) -> None:
    """A withdrawn dossier's planned payouts lapse. The caller made sure none is approved or paid."""
    for payout in payouts_of(application):
        if payout.state_enum in (PayoutState.PLANNED, PayoutState.FAILED):
            _cancel(payout, actor, reason)


def payout_under_way(application: Application) -> bool:
    """An approved, sent or paid payout: from then on the dossier can no longer be withdrawn (SPEC 6)."""
    return any(p.state_enum in UNDER_WAY_STATES for p in payouts_of(application))


def close_if_done(application: Application) -> bool:
    """A settled dossier with nothing left to pay or recover is closed, by the portal itself."""
    report = report_of(application)
    if report is None or report.state_enum is not ReportState.SETTLED or application.state_enum is not State.GRANTED:
        return False
    if any(p.state_enum in OPEN_STATES for p in payouts_of(application)):
        return False
    move(application, Action.CLOSE, None, "application.closed", "settled")
    db.session.flush()
    return True


def _details(payout: Payout) -> dict[str, object]:
    return {
        "payout_id": payout.id,
        "kind": payout.kind,
        "amount_cents": payout.amount_cents,
        "paid_on": payout.paid_on.isoformat() if payout.paid_on else None,
        "bank_reference": payout.bank_reference,
        "end_to_end_id": payout.end_to_end_id,
    }


# --- lists for finance and officers ------------------------------------------------------------


def payouts_in(states: tuple[PayoutState, ...]) -> list[Payout]:
    return list(
        db.session.scalars(select(Payout).where(Payout.state.in_(states)).order_by(Payout.prepared_at, Payout.id))
    )


def find_payout(payout_id: int) -> Payout | None:
    return db.session.get(Payout, payout_id)


def payouts_by_id(payout_ids: list[int]) -> list[Payout]:
    """The payouts of these ids that exist, by id (for the confirmation pages: read only, no lock)."""
    return list(db.session.scalars(select(Payout).where(Payout.id.in_(sorted(set(payout_ids)))).order_by(Payout.id)))


# --- reminders (beat) --------------------------------------------------------------------------


def remind_reports_due(now: datetime) -> int:
    """The giving government of a granted dossier whose trajectory ended without a submitted report."""
    today = now.astimezone(BRUSSELS).date()
    count = 0
    granted = db.session.scalars(select(Application).where(Application.state == State.GRANTED).order_by(Application.id))
    for application in granted:
        window = report_window_of(application)
        if window is None or window.ends_on >= today:
            continue
        report = report_of(application)
        if report is not None and report.state_enum is not ReportState.DRAFT:
            continue
        rows = notifications.record(
            NotificationEvent.REPORT_DUE,
            notifications.giving_government(application),
            application,
            {"ended_on": window.ends_on.isoformat(), "due_on": window.due_on.isoformat()},
            occasion=f"application{application.id}-ended{window.ends_on.isoformat()}",
        )
        count += len(rows)
    return count


def remind_payouts_awaiting_approval(now: datetime, after: timedelta) -> int:
    """The finance users (but the preparer) of a payout planned for longer than `after`."""
    waiting = db.session.scalars(
        select(Payout).where(Payout.state == PayoutState.PLANNED, Payout.prepared_at <= now - after).order_by(Payout.id)
    )
    finance = list(
        db.session.scalars(select(User).where(User.role == Role.FINANCE, User.is_active.is_(True)).order_by(User.id))
    )
    count = 0
    for payout in waiting:
        recipients = [notifications.user_recipient(user) for user in finance if user.id != payout.prepared_by_id]
        rows = notifications.record(
            NotificationEvent.PAYOUT_AWAITING_APPROVAL,
            recipients,
            payout.application,
            _details(payout),
            occasion=f"payout{payout.id}-prepared{payout.prepared_at.strftime('%Y%m%dT%H%M%S')}",
        )
        count += len(rows)
    return count


# --- the money trail page ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrailEntry:
    occurred_at: datetime
    actor: User | None
    entity_type: str  # application or payout: whose states from_state and to_state are
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    details: dict[str, object]


def history_of(application: Application, payouts: list[Payout]) -> list[TrailEntry]:
    """Who did what and when, for the dossier and its payouts (from the append-only audit log)."""
    payout_ids = [str(p.id) for p in payouts]
    rows = db.session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(
            or_(
                and_(AuditEntry.entity_type == "application", AuditEntry.entity_id == str(application.id)),
                and_(AuditEntry.entity_type == "payout", AuditEntry.entity_id.in_(payout_ids)),
            )
        )
        .order_by(AuditEntry.occurred_at, AuditEntry.id)
    ).all()
    return [
        TrailEntry(
            entry.occurred_at,
            actor,
            entry.entity_type,
            entry.action,
            entry.from_state,
            entry.to_state,
            entry.reason,
            entry.details or {},
        )
        for entry, actor in rows
    ]


def movements_of(application: Application) -> list[tuple[BudgetMovement, User | None]]:
    """The dossier's lines of the envelope's history: reserved, released, committed, with the actor."""
    rows = db.session.execute(
        select(BudgetMovement, User)
        .outerjoin(User, User.id == BudgetMovement.actor_id)
        .where(BudgetMovement.application_id == application.id)
        .order_by(BudgetMovement.id)
    ).all()
    return [(movement, actor) for movement, actor in rows]
