"""Payouts on a real database: the schedule, the final report and its settlement, four-eyes approval,
payment, recovery, the database guards, withdrawal after a payout, and the payout reminders."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.models import AuditEntry, BudgetMovement, Notification, Reservation
from portal.models.payouts import ReportState
from portal.services import applications, payouts
from portal.services.payouts import PayoutRefused
from portal.services.refusal import NotAllowed
from portal.services.seed import sample_pdf, sample_report
from tests.conftest import make_user
from tests.factories import granted_dossier, municipality, open_call, payout_people, scored_dossier, to_bank
from workflows.applications import State
from workflows.budget import Standing
from workflows.calls import BRUSSELS
from workflows.payouts import PayoutKind, PayoutState

ASKED = 5_400_00  # half-time at EUR 5.400,00 a month from 1 September to 31 December 2026


@pytest.fixture
def people(db_session):
    return payout_people()


def test_the_default_schedule_pays_one_balance_after_the_final_report(people):
    dossier = granted_dossier(people)
    assert payouts.payouts_of(dossier) == []
    applicant = make_user("applicant")
    report = sample_report(dossier, applicant)
    settlement = payouts.settle_report(dossier.id, people["officer"])
    assert settlement.final_cents == ASKED and settlement.to_pay_cents == ASKED
    assert report.state == ReportState.SETTLED
    (balance,) = payouts.payouts_of(dossier)
    assert (balance.kind, balance.state, balance.amount_cents, balance.iban) == (
        "balance",
        "planned",
        ASKED,
        dossier.iban,
    )

    payouts.approve(balance.id, people["finance"])
    to_bank(people["finance2"])
    payouts.pay(balance.id, people["finance"], brussels_today(), "BNK-2026-001")
    reservation = db.session.get(Reservation, dossier.id)
    assert (reservation.committed_cents, reservation.paid_cents) == (ASKED, ASKED)
    assert dossier.call.paid_cents == ASKED
    assert dossier.state == State.CLOSED  # nothing left to pay: the portal closes it
    trail = payouts.trail_of(dossier, payouts.payouts_of(dossier))
    assert (trail.committed_cents, trail.paid_cents, trail.outstanding_cents) == (ASKED, ASKED, 0)
    actions = [
        a
        for (a,) in db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "payout", AuditEntry.entity_id == str(balance.id))
            .order_by(AuditEntry.id)
        )
    ]
    assert actions == ["payout.prepared", "payout.approved", "payout.in_file", "payout.paid"]
    events = {
        n.event for n in db.session.scalars(select(Notification).where(Notification.application_id == dossier.id))
    }
    assert {"payout_approved", "payout_paid"} <= events


def test_an_advance_at_grant_when_the_call_sets_one_and_the_balance_deducts_it(people):
    call = open_call("ARM-ADV", advance_percent=40)
    dossier = granted_dossier(people, call)
    (advance,) = payouts.payouts_of(dossier)
    assert (advance.kind, advance.amount_cents, advance.prepared_by_id) == ("advance", 2_160_00, people["officer"].id)
    payouts.approve(advance.id, people["finance"])
    to_bank(people["finance2"])
    payouts.pay(advance.id, people["finance2"], brussels_today(), "BNK-ADV")
    sample_report(dossier, make_user("applicant"))
    settlement = payouts.settle_report(dossier.id, people["officer"])
    assert settlement.to_pay_cents == ASKED - 2_160_00


def test_a_shorter_trajectory_returns_the_unused_commitment_to_the_first_waiting_dossier(people):
    # An envelope for less than two dossiers: the second waits until money comes back.
    call = open_call("ARM-TIGHT", envelope_cents=10_000_00, cap_cents=10_000_00, shortfall_policy="wait")
    dossier = granted_dossier(people, call)
    waiting = scored_dossier(call, people["officer"], people["reviewers"], receiving_nis="11002")
    assert db.session.get(Reservation, waiting.id).standing == Standing.WAITING
    sample_report(dossier, make_user("applicant"), end_on=date(2026, 10, 31))  # two of four months
    settlement = payouts.settle_report(dossier.id, people["officer"])
    assert settlement.final_cents == 2_700_00 and settlement.released_now_cents == 2_700_00
    assert call.committed_cents == 2_700_00
    assert db.session.get(Reservation, waiting.id).standing == Standing.RESERVED
    assert call.reserved_cents + call.committed_cents <= call.envelope_cents
    kinds = [
        m.kind
        for m in db.session.scalars(
            select(BudgetMovement).where(BudgetMovement.application_id == dossier.id).order_by(BudgetMovement.id)
        )
    ]
    assert kinds[-1] == "released"


def test_an_advance_above_the_final_compensation_is_recovered_and_paid_never_exceeds_committed(people):
    call = open_call("ARM-REC", advance_percent=50)
    dossier = granted_dossier(people, call)
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, people["finance"])
    to_bank(people["finance"])
    payouts.pay(advance.id, people["finance"], brussels_today(), "BNK-ADV")
    sample_report(dossier, make_user("applicant"), end_on=date(2026, 9, 30))  # one month: EUR 1.350,00
    settlement = payouts.settle_report(dossier.id, people["officer"])
    assert settlement.to_recover_cents == 2_700_00 - 1_350_00
    reservation = db.session.get(Reservation, dossier.id)
    assert (reservation.committed_cents, reservation.paid_cents) == (2_700_00, 2_700_00)  # held until it is paid back
    recovery = next(p for p in payouts.payouts_of(dossier) if p.kind == PayoutKind.RECOVERY)
    assert dossier.state == State.GRANTED
    payouts.approve(recovery.id, people["finance2"])
    payouts.pay(recovery.id, people["finance"], brussels_today(), "TERUG-1")
    assert (reservation.committed_cents, reservation.paid_cents) == (1_350_00, 1_350_00)
    assert (call.committed_cents, call.paid_cents) == (1_350_00, 1_350_00)
    assert dossier.state == State.CLOSED
    trail = payouts.trail_of(dossier, payouts.payouts_of(dossier))
    assert (trail.paid_cents, trail.recovered_cents, trail.net_paid_cents) == (2_700_00, 1_350_00, 1_350_00)


def test_nobody_approves_a_payout_they_prepared_and_the_database_agrees(people):
    call = open_call("ARM-4EYES", advance_percent=50)
    dossier = granted_dossier(people, call)
    (advance,) = payouts.payouts_of(dossier)
    with pytest.raises(PayoutRefused) as refused:
        payouts.approve(advance.id, people["officer"])  # an officer never approves
    assert refused.value.code == "not_allowed"
    payouts.approve(advance.id, people["finance"])
    to_bank(people["finance"])
    payouts.fail(advance.id, people["finance"], "Rekening afgesloten")
    payouts.replan(advance.id, people["finance"])  # prepared again by a finance user...
    with pytest.raises(PayoutRefused) as refused:
        payouts.approve(advance.id, people["finance"])  # ...who may then not approve it
    assert refused.value.code == "four_eyes"
    payouts.approve(advance.id, people["finance2"])
    assert advance.state == PayoutState.APPROVED
    with db.session.begin_nested(), pytest.raises(IntegrityError):
        advance.approved_by_id = advance.prepared_by_id
        db.session.flush()


def test_paid_never_exceeds_committed_even_when_the_code_would_try(people):
    dossier = granted_dossier(people)
    reservation = db.session.get(Reservation, dossier.id)
    with db.session.begin_nested(), pytest.raises(IntegrityError):
        reservation.paid_cents = reservation.committed_cents + 1
        db.session.flush()
    db.session.refresh(reservation)
    call = dossier.call
    with db.session.begin_nested(), pytest.raises(IntegrityError):
        call.paid_cents = call.committed_cents + 1
        db.session.flush()


def test_payment_refusals(people):
    call = open_call("ARM-PAY", advance_percent=50)
    dossier = granted_dossier(people, call)
    (advance,) = payouts.payouts_of(dossier)
    with pytest.raises(PayoutRefused) as refused:
        payouts.pay(advance.id, people["finance"], brussels_today(), "X")  # not approved yet
    assert refused.value.code == "not_allowed"
    payouts.approve(advance.id, people["finance"])
    with pytest.raises(PayoutRefused) as refused:
        payouts.pay(
            advance.id, people["finance"], brussels_today(), "X"
        )  # a transfer is paid only from its payment file
    assert refused.value.code == "not_in_file"
    to_bank(people["finance"])
    for when, reference, code in [
        (brussels_today() + timedelta(days=2), "X", "paid_on_future"),
        (brussels_today(), "  ", "bank_reference"),
        (brussels_today() - timedelta(days=30), "X", "paid_before_approval"),
    ]:
        with pytest.raises(PayoutRefused) as refused:
            payouts.pay(advance.id, people["finance"], when, reference)
        assert refused.value.code == code
    with pytest.raises(PayoutRefused):
        payouts.fail(advance.id, people["finance"], " ")
    assert advance.state == PayoutState.IN_FILE


def test_a_report_is_submitted_complete_and_settled_once_no_transfer_is_on_its_way(people):
    call = open_call("ARM-RPT", advance_percent=50)
    today = utcnow().astimezone(BRUSSELS).date()
    dossier = granted_dossier(people, call, start_on=today)  # running until four months from now
    applicant = make_user("applicant")
    report = payouts.start_report(dossier, applicant)
    with pytest.raises(PayoutRefused) as refused:
        payouts.submit_report(dossier.id, applicant)
    assert refused.value.code == "report_incomplete"
    assert set(payouts.report_problems(report)) == {"achievements", "documents"}
    payouts.save_achievements(report, "Verslag", applicant)
    payouts.add_document(report, "../../etc/fiche.pdf", sample_pdf(), applicant)
    assert report.documents[0].original_name == "fiche.pdf"
    with pytest.raises(PayoutRefused) as refused:
        payouts.submit_report(dossier.id, applicant)
    assert refused.value.code == "trajectory_not_ended"
    payouts.declare_early_end(dossier.id, applicant, today, "Het werk was af.")
    payouts.submit_report(dossier.id, applicant)
    with pytest.raises(PayoutRefused):
        payouts.save_achievements(report, "changed after submitting", applicant)
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, people["finance"])
    with pytest.raises(PayoutRefused) as refused:
        payouts.settle_report(dossier.id, people["officer"])
    assert refused.value.code == "payout_in_flight"
    to_bank(people["finance"])
    with pytest.raises(PayoutRefused) as refused:
        payouts.settle_report(dossier.id, people["officer"])
    assert refused.value.code == "payout_in_flight"  # in a payment file: still on its way
    payouts.fail(advance.id, people["finance"], "IBAN onbekend")
    settlement = payouts.settle_report(dossier.id, people["officer"])
    # The failed advance is folded into the balance.
    assert advance.state == PayoutState.CANCELLED and settlement.to_pay_cents == ASKED
    with pytest.raises(PayoutRefused):
        payouts.settle_report(dossier.id, people["officer"])


def test_a_report_sent_back_can_be_corrected_and_submitted_again(people):
    dossier = granted_dossier(people)
    applicant = make_user("applicant")
    report = sample_report(dossier, applicant)
    payouts.return_report(dossier.id, people["officer"], "Voeg de loonfiche van oktober toe.")
    assert report.state == ReportState.DRAFT
    payouts.add_document(report, "oktober.pdf", sample_pdf(), applicant)
    payouts.submit_report(dossier.id, applicant)
    assert report.state == ReportState.SUBMITTED


def test_a_dossier_is_withdrawn_only_before_a_payout(people):
    call = open_call("ARM-WD", advance_percent=50)
    first = granted_dossier(people, call)
    (advance,) = payouts.payouts_of(first)
    applicant = make_user("applicant")
    applications.withdraw(first.id, applicant, "Project gaat niet door")
    assert advance.state == PayoutState.CANCELLED and first.state == State.WITHDRAWN
    second = granted_dossier(people, call, receiving_nis="11002")
    (advance,) = payouts.payouts_of(second)
    payouts.approve(advance.id, people["finance"])
    with pytest.raises(NotAllowed):
        applications.withdraw(second.id, applicant, "Te laat")
    assert second.state == State.GRANTED


def test_reminders_for_reports_due_and_payouts_waiting_are_sent_once(people):
    call = open_call("ARM-REM", advance_percent=50)
    dossier = granted_dossier(people, call)
    later = utcnow().replace(year=2027, month=2)  # the trajectory ended on 31 December 2026
    assert payouts.remind_reports_due(utcnow()) == 0
    first = payouts.remind_reports_due(later)
    assert first >= 1 and payouts.remind_reports_due(later) == 0
    recipients = payouts.remind_payouts_awaiting_approval(later, timedelta(days=2))
    assert recipients == 2  # both finance users; the officer prepared it
    assert payouts.remind_payouts_awaiting_approval(later, timedelta(days=2)) == 0
    rows = db.session.scalars(select(Notification).where(Notification.event == "payout_awaiting_approval"))
    assert {r.user_id for r in rows} == {people["finance"].id, people["finance2"].id}
    assert municipality("44021").id == dossier.organisation_id
