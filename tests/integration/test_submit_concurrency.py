"""Submitting under load on PostgreSQL: double clicks, parallel dossiers, edits racing a submit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Application, Call, QueueTicket, Submission, User
from tests.conftest import csrf_token, make_user
from tests.factories import complete_draft, municipality, open_call
from tests.integration.conftest import PARALLEL, run_together, signed_in_browser

pytestmark = pytest.mark.postgres


def test_twenty_parallel_submits_of_one_draft_give_one_submission(live_app):
    with live_app.app_context():
        applicant = make_user("applicant")
        draft = complete_draft(applicant, open_call())
        db.session.commit()
        base = f"/mijn-dossiers/{draft.id}"
        browsers = [signed_in_browser(live_app, applicant) for _ in range(PARALLEL)]
        draft_id, call_id = draft.id, draft.call_id
        tickets_before = db.session.scalar(select(func.count()).select_from(QueueTicket))
        numbers_before = db.session.scalar(select(Call.last_reference_number).where(Call.id == call_id))
    tokens = [csrf_token(browser, f"{base}/controleren") for browser in browsers]

    responses = run_together(
        [
            lambda b=b, t=t: b.post(f"{base}/controleren", data={"csrf_token": t, "declaration": "y"})
            for b, t in zip(browsers, tokens, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [302] * PARALLEL
    assert {r.headers["Location"] for r in responses} == {f"{base}/bevestiging"}
    with live_app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Submission).where(Submission.application_id == draft_id))
            == 1
        )
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == tickets_before + 1
        assert db.session.scalar(select(Call.last_reference_number).where(Call.id == call_id)) == numbers_before + 1
        assert db.session.get(Application, draft_id).state == "submitted"


def test_parallel_dossiers_get_reference_numbers_and_queue_places_in_submission_order(live_app):
    with live_app.app_context():
        drafts, browsers = [], []
        for nis in ("11002", "12025", "24062", "34022", "71016", "71072", "44021", "45041", "37022", "11001"):
            applicant = make_user("applicant", organisation=municipality(nis))
            drafts.append(complete_draft(applicant, open_call(), receiving_nis="23088" if nis != "23088" else "11002"))
            browsers.append(signed_in_browser(live_app, applicant))
        db.session.commit()
        ids = [d.id for d in drafts]
    tokens = [csrf_token(b, f"/mijn-dossiers/{i}/controleren") for b, i in zip(browsers, ids, strict=True)]

    run_together(
        [
            lambda b=b, i=i, t=t: b.post(f"/mijn-dossiers/{i}/controleren", data={"csrf_token": t, "declaration": "y"})
            for b, i, t in zip(browsers, ids, tokens, strict=True)
        ]
    )

    with live_app.app_context():
        submitted = db.session.scalars(select(Application).where(Application.id.in_(ids))).all()
        by_moment = sorted(submitted, key=lambda a: (a.submitted_at, a.queue_number))
        references = [a.reference for a in by_moment]
        assert references == sorted(references)  # numbers follow the queue, without gaps or swaps
        places = [a.latest_submission.content["queue_position"] for a in by_moment]
        assert places == sorted(places) and len(set(places)) == len(places)


@pytest.mark.parametrize("round_", range(6))
def test_an_edit_racing_a_submit_never_changes_what_was_submitted(live_app, round_):
    with live_app.app_context():
        applicant = make_user("applicant")
        draft = complete_draft(applicant, open_call())
        db.session.commit()
        base = f"/mijn-dossiers/{draft.id}"
        submitter, editor = signed_in_browser(live_app, applicant), signed_in_browser(live_app, applicant)
        draft_id = draft.id
    submit_token = csrf_token(submitter, f"{base}/controleren")
    edit_token = csrf_token(editor, f"{base}/uitwisseling")
    edit = {
        "csrf_token": edit_token, "exchange_type": "stage", "themes": ["impactmeting"], "rights": ["05"],
        "approach": f"Gewijzigd in ronde {round_}", "need": "n", "goals": "g", "participation": "p", "embedding": "e", "save": "y",
    }  # fmt: skip

    run_together(
        [
            lambda: submitter.post(f"{base}/controleren", data={"csrf_token": submit_token, "declaration": "y"}),
            lambda: editor.post(f"{base}/uitwisseling", data=edit),
        ]
    )

    with live_app.app_context():
        application = db.session.get(Application, draft_id)
        assert application.state == "submitted"
        frozen = application.latest_submission.content["exchange"]
        # Either the edit came first and was submitted, or it came after and was refused: never in between.
        assert frozen["approach"] == application.approach
        assert frozen["themes"] == application.theme_codes


def test_the_queue_follows_the_database_not_a_web_servers_clock_running_behind(db_session):
    """Two web machines, the second one's clock an hour behind: its later submission still queues second,
    and the first dossier keeps the reservation its receipt showed."""
    import time_machine

    from portal.models import Reservation
    from portal.services import applications
    from portal.services.locks import database_now

    call = open_call("ARM-CLOCK", envelope_cents=6_000_00, cap_cents=6_000_00, shortfall_policy="wait")
    applicant = make_user("applicant")
    first, second = complete_draft(applicant, call), complete_draft(applicant, call, receiving_nis="11002")
    applications.submit(first.id, applicant, declared=True)
    assert db_session.get(Reservation, first.id).standing == "reserved"
    with time_machine.travel(database_now() - timedelta(hours=1), tick=True):
        applications.submit(second.id, applicant, declared=True)
    assert second.submitted_at > first.submitted_at and second.queue_number > first.queue_number
    assert applications.queue_position(first) == 1 and applications.queue_position(second) == 2
    assert db_session.get(Reservation, first.id).standing == "reserved"
    assert db_session.get(Reservation, second.id).standing == "waiting"


def _close_the_call_while_it_is_waited_for(engine: Any, call_id: int, action: Callable[[], Any]) -> Any:
    """Hold the call's row, start `action`, close the call once `action` waits for that row, and return
    what `action` returned."""
    answer: list[Any] = []
    with engine.connect() as officer, engine.connect() as observer:
        closing = officer.begin()
        officer.execute(text("SELECT id FROM call WHERE id = :id FOR UPDATE"), {"id": call_id})
        submitter = threading.Thread(target=lambda: answer.append(action()))
        submitter.start()
        deadline = time.monotonic() + 30
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        while not observer.execute(text(waiting)).scalar():
            assert time.monotonic() < deadline and submitter.is_alive(), "the submission never waited for the call"
            observer.rollback()
            time.sleep(0.02)
        officer.execute(
            text("UPDATE call SET closes_at = clock_timestamp() - interval '1 second' WHERE id = :id"), {"id": call_id}
        )
        closing.commit()
        submitter.join(timeout=60)
    return answer[0]


@pytest.mark.parametrize("way", ["page", "service whose caller commits"])
def test_a_call_closing_while_a_submission_waits_for_its_lock_leaves_nothing_of_that_submission(live_app, way):
    """The check before the call's lock passes; the call closes while the submission waits for that lock;
    under it the window is closed: the dossier stays a draft, and neither its eligibility rows, its
    e-mails, a queue ticket, a reservation nor an audit row remain, even when the caller commits after
    the refusal. On the page, the applicant reads why."""
    from portal.models import AuditEntry, EligibilityResult, Notification, Reservation
    from portal.services import applications
    from workflows.applications import SubmitProblem

    with live_app.app_context():
        applicant = make_user("applicant")
        draft = complete_draft(applicant, open_call("RACE-" + way.split()[0].upper()))
        db.session.commit()
        browser = signed_in_browser(live_app, applicant)
        draft_id, call_id, applicant_id = draft.id, draft.call_id, applicant.id
        tickets_before = db.session.scalar(select(func.count()).select_from(QueueTicket))
        engine = db.engine
    token = csrf_token(browser, f"/mijn-dossiers/{draft_id}/controleren")

    def through_the_service() -> Any:
        with live_app.app_context():
            result = applications.submit(draft_id, db.session.get(User, applicant_id), declared=True)
            db.session.commit()
            return result.check.problems

    if way == "page":
        response = _close_the_call_while_it_is_waited_for(
            engine,
            call_id,
            lambda: browser.post(
                f"/mijn-dossiers/{draft_id}/controleren", data={"csrf_token": token, "declaration": "y"}
            ),
        )
        assert response.status_code == 400
        assert "De oproep is afgesloten" in response.get_data(as_text=True)
    else:
        assert _close_the_call_while_it_is_waited_for(engine, call_id, through_the_service) == (
            SubmitProblem.CALL_CLOSED,
        )

    with live_app.app_context():
        application = db.session.get(Application, draft_id)
        assert (application.state, application.reference, application.submitted_at) == ("draft", None, None)
        for model, column in (
            (Submission, Submission.application_id),
            (EligibilityResult, EligibilityResult.application_id),
            (Notification, Notification.application_id),
            (Reservation, Reservation.application_id),
        ):
            assert db.session.scalar(select(func.count()).select_from(model).where(column == draft_id)) == 0, model
        assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == tickets_before
        assert not db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "application", AuditEntry.entity_id == str(draft_id))
            .where(AuditEntry.action.like("application.%submitted"))
        )


def test_another_governments_submit_is_a_404_that_neither_waits_for_nor_holds_up_the_dossier(live_app):
    """A POST to submit another government's dossier answers 404 at once, even while that dossier's own
    government holds it: the lock is only taken on a dossier of the user's government."""
    with live_app.app_context():
        owner = make_user("applicant")
        outsider = make_user("applicant", organisation=municipality("71016"))  # neither party of the draft
        call = open_call("OUTSIDER")
        draft, outsiders_own = complete_draft(owner, call), complete_draft(outsider, call, receiving_nis="11002")
        db.session.commit()
        browser = signed_in_browser(live_app, outsider)
        draft_id, outsiders_own_id, engine = draft.id, outsiders_own.id, db.engine
    token = csrf_token(browser, f"/mijn-dossiers/{outsiders_own_id}/controleren")

    answer: list[Any] = []
    with engine.connect() as owners_request:
        holding = owners_request.begin()
        owners_request.execute(text("SELECT id FROM application WHERE id = :id FOR UPDATE"), {"id": draft_id})
        outsider_post = threading.Thread(
            target=lambda: answer.append(
                browser.post(f"/mijn-dossiers/{draft_id}/controleren", data={"csrf_token": token, "declaration": "y"})
            )
        )
        outsider_post.start()
        outsider_post.join(timeout=15)
        waited = outsider_post.is_alive()
        holding.rollback()
    outsider_post.join(timeout=60)

    assert not waited, "the outsider's request waited for the lock on another government's dossier"
    assert answer[0].status_code == 404
    with live_app.app_context():
        assert db.session.get(Application, draft_id).state == "draft"
