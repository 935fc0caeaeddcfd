"""The operators' endpoints: health for a load balancer (no secrets in it), metrics behind a token."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_app


def _dispose(extra_app):
    """An app a test makes beside the fixture's closes its connections, rather than leave them to the GC."""
    from portal.extensions import db

    with extra_app.app_context():
        db.engine.dispose()


def test_health_answers_ok_when_the_database_answers_and_jobs_run_in_process(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "broker": "in-process"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_the_broker_does_not_answer_and_says_nothing_of_where_it_lives(app, smtp_sink):
    broken = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        smtp_sink,
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL="redis://:geheim@127.0.0.1:1/0",
    )
    response = broken.test_client().get("/health")
    _dispose(broken)
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    text = response.get_data(as_text=True)
    assert "geheim" not in text and "127.0.0.1" not in text and "postgresql" not in text and "sqlite" not in text


def test_health_is_503_when_the_database_does_not_answer(smtp_sink, tmp_path):
    gone = make_app("postgresql+psycopg://portal@127.0.0.1:1/none", smtp_sink)
    response = gone.test_client().get("/health")
    _dispose(gone)
    assert response.status_code == 503 and response.get_json()["database"] == "unavailable"


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer wrong-token", "Basic b3BzOm9wcw=="])
def test_metrics_do_not_exist_without_the_operators_token(app, client, monkeypatch, authorization):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "the-operators-token")
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/metrics", headers=headers).status_code == 404


def test_metrics_are_not_offered_at_all_without_a_configured_token(client):
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_give_requests_by_route_and_the_portals_figures(app, client, db_session, monkeypatch):
    from tests.factories import open_call, submitted_dossier

    monkeypatch.setitem(app.config, "METRICS_TOKEN", "the-operators-token")
    submitted_dossier(open_call("ARM-METRICS"))
    db_session.commit()
    client.get("/health")
    client.get("/oproepen/ARM-2022")
    response = client.get("/metrics", headers={"Authorization": "Bearer the-operators-token"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert re.search(r'portal_http_requests_total\{endpoint="ops.health",method="GET",status="200"\} [1-9]', text)
    assert 'portal_budget_cents{call="ARM-2022",figure="envelope"} 2.5e+07' in text
    assert 'portal_budget_cents{call="ARM-METRICS",figure="reserved"} 540000.0' in text
    assert 'portal_dossiers{call="ARM-METRICS",state="submitted"} 1.0' in text
    assert 'portal_submissions_total{call="ARM-METRICS"} 1.0' in text
    assert re.search(r'portal_notifications\{status="(pending|sent)"\} [1-9]', text)
    assert "portal_notifications_not_handed_over" in text
