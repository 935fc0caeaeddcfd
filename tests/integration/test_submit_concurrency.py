"""Twenty parallel submits of one draft (double clicks, retries, tabs) give exactly one submission."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, Call, QueueTicket, Submission
from portal.services import reference
from tests.conftest import IsolatedClient, csrf_token, make_app, make_user, sign_in
from tests.factories import complete_draft, open_call
from tests.services import throwaway_database

PARALLEL = 20


@pytest.mark.postgres
def test_twenty_parallel_submits_of_one_draft_give_one_submission(tmp_path, smtp_sink):
    with throwaway_database(tmp_path) as url:
        app = make_app(url, smtp_sink, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PARALLEL, "max_overflow": 5})
        app.test_client_class = IsolatedClient
        try:
            with app.app_context():
                upgrade()
                reference.load_reference_data()
                applicant = make_user("applicant")
                draft = complete_draft(applicant, open_call())
                db.session.commit()
                draft_id, base = draft.id, f"/mijn-dossiers/{draft.id}"
                browsers = []
                for _ in range(PARALLEL):
                    browser = app.test_client()
                    sign_in(browser, applicant)
                    db.session.commit()
                    browsers.append(browser)
            tokens = [csrf_token(browser, f"{base}/controleren") for browser in browsers]

            start = threading.Barrier(PARALLEL)
            responses: list[object] = [None] * PARALLEL

            def press_submit(index: int) -> None:
                start.wait()
                responses[index] = browsers[index].post(
                    f"{base}/controleren", data={"csrf_token": tokens[index], "declaration": "y"}
                )

            threads = [threading.Thread(target=press_submit, args=(i,)) for i in range(PARALLEL)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)

            assert all(r is not None and r.status_code == 302 for r in responses), [getattr(r, "status_code", None) for r in responses]
            assert {r.headers["Location"] for r in responses} == {f"{base}/bevestiging"}
            with app.app_context():
                assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
                assert db.session.scalar(select(func.count()).select_from(QueueTicket)) == 1
                application = db.session.get(Application, draft_id)
                assert application.state == "submitted"
                assert application.reference.endswith("-0001")
                assert db.session.scalar(select(Call.last_reference_number).where(Call.id == application.call_id)) == 1
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
