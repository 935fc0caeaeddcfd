"""Submitting under load on PostgreSQL: double clicks, parallel dossiers, edits racing a submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, Call, QueueTicket, Submission
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
