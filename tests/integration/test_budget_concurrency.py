"""Two hundred submissions from parallel connections, with withdrawals, rejections and grants in
between, on PostgreSQL: the envelope is never exceeded and the reservations follow the submission
order exactly."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, AuditEntry, BudgetMovement, Call, Notification, Reservation
from tests.conftest import csrf_token, make_user
from tests.factories import complete_draft, open_call, scored_dossier
from tests.integration.conftest import PARALLEL, signed_in_browser
from workflows.budget import Claim, ShortfallPolicy, allocate

pytestmark = pytest.mark.postgres
SUBMISSIONS = 200
WITHDRAWALS = 30
SCORED = 20  # dossiers ahead in the queue, decided while the submissions pour in: half rejected, half granted


def test_two_hundred_parallel_submissions_never_overspend_and_keep_queue_order(live_app):
    rng = random.Random(20221031)  # the same run every time
    with live_app.app_context():
        call = open_call("ARM-LOAD", allows_repeat_pair=True)
        applicant = make_user("applicant")
        officer = make_user("officer")
        reviewers = [make_user("reviewer"), make_user("reviewer")]
        # EUR 4.000 each (50% of EUR 4.000 a month, half-time, 4 months): EUR 80.000 is reserved first.
        scored = []
        for _ in range(SCORED):  # each one a transaction of its own, as the requests that made it would be
            scored.append(scored_dossier(call, officer, reviewers, applicant=applicant, wage_cents=4_000_00).id)
            db.session.commit()
        browser = signed_in_browser(live_app, applicant)
        # Wages from EUR 1.000 to EUR 9.000 a month: requests from EUR 1.000 to EUR 9.000 (half-time, 4 months).
        drafts = [
            complete_draft(applicant, call, wage_cents=rng.randrange(1_000_00, 9_000_00, 100))
            for _ in range(SUBMISSIONS)
        ]
        db.session.commit()
        call_id, ids = call.id, [d.id for d in drafts]
        browsers = [signed_in_browser(live_app, applicant) for _ in range(PARALLEL)]
        officer_browser = signed_in_browser(live_app, officer)
    token = csrf_token(browser, "/mijn-dossiers/")
    tokens = [csrf_token(b, "/mijn-dossiers/") for b in browsers]
    officer_token = csrf_token(officer_browser, "/behandeling/")

    def submit(index: int) -> int:
        b, t = browsers[index % PARALLEL], tokens[index % PARALLEL]
        return b.post(
            f"/mijn-dossiers/{ids[index]}/controleren", data={"csrf_token": t, "declaration": "y"}
        ).status_code

    withdrawal_answers: dict[int, str] = {}  # dossier index: where its withdrawal sent the browser

    def withdraw(index: int) -> int:
        b, t = browsers[index % PARALLEL], tokens[index % PARALLEL]
        response = b.post(f"/mijn-dossiers/{ids[index]}/intrekken", data={"csrf_token": t, "confirm": "y"})
        withdrawal_answers[index] = response.headers.get("Location", "")
        return response.status_code

    def reject(index: int) -> int:
        data = {"csrf_token": officer_token, "motivation": "Haalt de minimumscores niet.", "acknowledged": "y"}
        return officer_browser.post(f"/behandeling/dossiers/{scored[index]}/afwijzen/bevestigen", data=data).status_code

    def grant(index: int) -> int:
        return officer_browser.post(
            f"/behandeling/dossiers/{scored[index]}/toekennen/bevestigen",
            data={"csrf_token": officer_token, "acknowledged": "y"},
        ).status_code

    jobs = [(submit, i) for i in range(SUBMISSIONS)]
    withdrawn = rng.sample(range(SUBMISSIONS // 2), WITHDRAWALS)
    for position, index in enumerate(withdrawn):  # each withdrawal comes some time after its submission
        jobs.insert(min(len(jobs), index + 20 + position * 3), (withdraw, index))
    for index in range(SCORED):  # decisions spread over the whole run
        jobs.insert(rng.randrange(len(jobs)), (reject if index % 2 else grant, index))
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = list(pool.map(lambda job: job[0](job[1]), jobs))
    assert all(status == 302 for status in statuses), sorted(set(statuses))
    assert token
    # A refused withdrawal answers 302 as well, back to the dossier; only a done one goes to the dashboard.
    refused = {index: ids[index] for index, location in withdrawal_answers.items() if location != "/mijn-dossiers/"}
    assert sorted(withdrawal_answers) == sorted(withdrawn) and refused == {}, refused

    with live_app.app_context():
        call = db.session.get(Call, call_id)
        queue = db.session.scalars(
            select(Application)
            .where(Application.call_id == call_id, Application.state.in_(("submitted", "scored")))
            .order_by(Application.queue_number)
        ).all()
        reservations = {
            r.application_id: r for r in db.session.scalars(select(Reservation).where(Reservation.call_id == call_id))
        }
        reserved_total = sum(r.reserved_cents for r in reservations.values())

        # Never overspent, and the call's totals agree with the rows.
        assert call.reserved_cents + call.committed_cents <= call.envelope_cents
        assert call.reserved_cents == reserved_total
        assert call.committed_cents == sum(r.committed_cents for r in reservations.values()) == (SCORED // 2) * 4_000_00
        # Every decision was taken: rejected dossiers hold nothing, granted ones only their commitment.
        decided = {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(scored)))}
        assert sorted(a.state for a in decided.values()) == ["granted"] * (SCORED // 2) + ["rejected"] * (SCORED // 2)
        for application in decided.values():
            held = reservations[application.id]
            assert held.reserved_cents == 0 and held.standing is None
            assert held.committed_cents == (4_000_00 if application.state == "granted" else 0)
        # Every withdrawal was done, after its submission, and its dossier holds nothing and left the queue.
        for index in withdrawn:
            application = db.session.get(Application, ids[index])
            assert application.state == "withdrawn", (index, application.state)
            assert application.submitted_at is not None and application.withdrawn_at >= application.submitted_at
            held = reservations.get(ids[index])
            assert held is None or (held.standing, held.reserved_cents, held.committed_cents) == (None, 0, 0)
            assert application not in queue
        withdrawal_audit = db.session.execute(
            select(AuditEntry.entity_id, AuditEntry.from_state, AuditEntry.to_state).where(
                AuditEntry.action == "application.withdrawn",
                AuditEntry.entity_type == "application",
                AuditEntry.entity_id.in_([str(i) for i in ids]),
            )
        ).all()
        # one audit row each, from the state the dossier was in
        assert sorted(withdrawal_audit) == sorted((str(ids[index]), "submitted", "withdrawn") for index in withdrawn)
        # The reservations follow the submission order exactly: the same as the pure rule on the final queue.
        expected = allocate(
            call.envelope_cents,
            call.committed_cents,
            [Claim(a.id, a.requested_cents) for a in queue],
            ShortfallPolicy(call.shortfall_policy),
        )
        for application in queue:
            position = expected.position_of(application.id)
            stored = reservations[application.id]
            assert (stored.standing, stored.reserved_cents, stored.waiting_place) == (
                position.standing,
                position.reserved_cents,
                position.waiting_place,
            )
        assert (
            len(expected.waiting) > 0 and expected.reserved_cents + call.committed_cents > 240_000_00
        )  # the load reached the limit
        # The history adds up to what each dossier holds now.
        sums = dict(
            db.session.execute(
                select(BudgetMovement.application_id, func.sum(BudgetMovement.amount_cents))
                .where(BudgetMovement.call_id == call_id)
                .group_by(BudgetMovement.application_id)
            ).all()
        )
        for application_id, reservation in reservations.items():
            assert sums.get(application_id, 0) == reservation.reserved_cents + reservation.committed_cents
        # Every submission told both governments, and each row was handed to the broker after its commit.
        submitted_rows = db.session.scalars(
            select(Notification)
            .join(Application, Application.id == Notification.application_id)
            .where(Application.call_id == call_id, Notification.event == "application_submitted")
        ).all()
        assert {row.application_id for row in submitted_rows} >= {ids[index] for index in range(SUBMISSIONS)}
        assert all(row.enqueued_at is not None and row.status == "pending" for row in submitted_rows)
