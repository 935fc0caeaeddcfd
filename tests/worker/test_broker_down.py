"""A page that records notifications while the broker is down answers in its normal time: the rows
are saved and wait, this process leaves the broker alone for a while, and the sweep hands them over
once the broker is back (real Redis of the test's own, a real Celery worker, SMTP to a local sink)."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Notification
from portal.models.notifications import NotificationEvent
from tests.conftest import app_on_own_database, csrf_token, make_user, sign_in
from tests.factories import open_call
from tests.worker.conftest import BROKER_DOWN_BOUND, delivered_exactly, submission_page

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory, controlled_sink: Any) -> Iterator[Flask]:
    """An app as a production web process: on its own database, handing notifications to a broker
    that each test points somewhere (nothing listens at port 1 until it does)."""
    with app_on_own_database(
        tmp_path_factory.mktemp("broker-down"),
        controlled_sink,
        FILES_PATH=str(tmp_path_factory.mktemp("broker-down-files")),
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    ) as app:
        yield app


@pytest.fixture
def silent_broker_url() -> Iterator[str]:
    """An address that never answers: a listener whose accept queue is full, so the kernel drops
    every new connection request (as a firewall or a vanished host does) instead of refusing it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    while True:
        probe = socket.socket()
        probe.settimeout(0.2)
        try:
            probe.connect(("127.0.0.1", port))
        except TimeoutError:
            probe.close()
            break
        fillers.append(probe)
        assert len(fillers) < 20, "the listener's queue does not fill up"
    yield f"redis://127.0.0.1:{port}/0"
    for filler in fillers:
        filler.close()
    listener.close()


def _submit(browser: Any, path: str) -> float:
    """Post the submission as the browser does; the seconds until the whole answer was back."""
    token = csrf_token(browser, path)
    started = time.monotonic()
    response = browser.post(path, data={"csrf_token": token, "declaration": "y"})
    took = time.monotonic() - started
    assert response.status_code == 302 and response.headers["Location"].endswith("/bevestiging")
    return took


def _rows(app: Flask, draft_id: int) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification).where(
                    Notification.application_id == draft_id,
                    Notification.event == NotificationEvent.APPLICATION_SUBMITTED,
                )
            )
        )
        db.session.expunge_all()
        return rows


def _waiting_rows(app: Flask) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification).where(Notification.status == "pending", Notification.enqueued_at.is_(None))
            )
        )
        db.session.expunge_all()
        return rows


def _saved_and_waiting(app: Flask, draft_id: int) -> list[Notification]:
    with app.app_context():
        assert db.session.get(Application, draft_id).state == "submitted"
    rows = _rows(app, draft_id)
    assert rows and all(r.status == "pending" and r.enqueued_at is None for r in rows)
    return rows


def _queued_messages(broker: str) -> int:
    return int(redis.Redis.from_url(broker).llen("celery"))


def _queued_ids(broker: str) -> list[int]:
    """The notification ids the messages waiting in the broker carry (the relay hands rows over in batches)."""
    ids: list[int] = []
    for raw in redis.Redis.from_url(broker).lrange("celery", 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == "portal.deliver_notifications"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids += args[0]
    return sorted(ids)


def _settled(app: Flask, broker: str, sink: Any, rows: list[Notification]) -> Counter[str]:
    """Who got an e-mail, once these rows are final and the broker holds nothing more (see delivered_exactly)."""
    which = Notification.id.in_([r.id for r in rows])
    return Counter(str(m["To"]) for m in delivered_exactly(sink, len(rows), app, which, broker))


def _wait_until_sent(app: Flask, draft_ids: list[int], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while {r.status for draft_id in draft_ids for r in _rows(app, draft_id)} != {"sent"}:
        assert time.monotonic() < deadline, "not every notification was sent"
        time.sleep(0.2)


@pytest.mark.redis
def test_a_submission_while_redis_refuses_connections_answers_at_once_and_beat_delivers_when_it_is_back(
    web_app, controlled_sink, own_redis, start_worker
):
    controlled_sink.reset()
    own_redis.stop()  # nothing listens on its port: connections are refused
    web_app.config["CELERY_BROKER_URL"] = own_redis.url
    browser, path, draft_id = submission_page(web_app, "11002")

    assert _submit(browser, path) < BROKER_DOWN_BOUND
    saved = _saved_and_waiting(web_app, draft_id)
    expected = Counter(r.email for r in saved)
    assert controlled_sink.messages == []

    own_redis.start()
    # beat's sweep (every second here) hands over what the web process could not
    start_worker(web_app, own_redis.url, beat=True, OUTBOX_SWEEP_SECONDS="1")
    assert _settled(web_app, own_redis.url, controlled_sink, saved) == expected  # each person once
    _wait_until_sent(web_app, [draft_id])


def test_a_submission_while_the_broker_does_not_answer_at_all_answers_in_time(web_app, silent_broker_url):
    web_app.config["CELERY_BROKER_URL"] = silent_broker_url
    browser, path, draft_id = submission_page(web_app, "11004")

    assert _submit(browser, path) < BROKER_DOWN_BOUND
    _saved_and_waiting(web_app, draft_id)


@pytest.mark.redis
def test_after_a_failed_hand_over_pages_leave_the_broker_alone_but_the_sweep_does_not(
    web_app, controlled_sink, own_redis, start_worker
):
    from portal.outbox import sweep_and_relay

    controlled_sink.reset()
    own_redis.stop()
    web_app.config["CELERY_BROKER_URL"] = own_redis.url
    browser, path, during_outage = submission_page(web_app, "11008")
    assert _submit(browser, path) < BROKER_DOWN_BOUND
    _saved_and_waiting(web_app, during_outage)

    own_redis.start()
    # Redis is back, but this process paused its hand-overs after the failure (30 s by default):
    # the next page neither waits for nor reaches the broker, and its rows wait as well.
    browser, path, within_pause = submission_page(web_app, "11009")
    assert _submit(browser, path) < BROKER_DOWN_BOUND
    _saved_and_waiting(web_app, within_pause)
    assert _queued_messages(own_redis.url) == 0

    waiting = _waiting_rows(web_app)  # these two submissions' rows, and any an earlier test left waiting
    assert {r.application_id for r in waiting} >= {during_outage, within_pause}
    with web_app.app_context():
        found, handed = sweep_and_relay()  # what beat runs, here in the web process that paused
    assert found == handed == len(waiting)
    assert _queued_ids(own_redis.url) == sorted(r.id for r in waiting)

    start_worker(web_app, own_redis.url)
    assert _settled(web_app, own_redis.url, controlled_sink, waiting) == Counter(r.email for r in waiting)
    _wait_until_sent(web_app, list({r.application_id for r in waiting}))

    # The sweep reached the broker, so the pause is over: the next page hands its rows over itself.
    controlled_sink.reset()
    browser, path, after_sweep = submission_page(web_app, "12025")
    assert _submit(browser, path) < BROKER_DOWN_BOUND
    handed = _rows(web_app, after_sweep)
    assert _settled(web_app, own_redis.url, controlled_sink, handed) == Counter(r.email for r in handed)
    _wait_until_sent(web_app, [after_sweep])


@pytest.mark.redis
def test_a_decision_while_redis_is_down_answers_at_once_and_its_e_mails_go_out_once_it_is_back(
    web_app, controlled_sink, own_redis, start_worker
):
    from portal import outbox
    from tests.factories import scored_dossier

    outbox._broker_paused_until.clear()  # no pause left by an earlier test: this page really tries the broker
    controlled_sink.reset()
    own_redis.stop()
    web_app.config["CELERY_BROKER_URL"] = own_redis.url
    with web_app.app_context():
        officer = make_user("officer")
        dossier = scored_dossier(
            open_call(), officer, [make_user("reviewer"), make_user("reviewer")], receiving_nis="12035"
        )
        db.session.commit()
        officer_browser = web_app.test_client()
        sign_in(officer_browser, officer)
        db.session.commit()
        dossier_id, reference = dossier.id, dossier.reference
    token = csrf_token(officer_browser, f"/behandeling/dossiers/{dossier_id}")
    controlled_sink.reset()

    started = time.monotonic()
    response = officer_browser.post(
        f"/behandeling/dossiers/{dossier_id}/toekennen/bevestigen", data={"csrf_token": token, "acknowledged": "y"}
    )
    took = time.monotonic() - started
    assert response.status_code == 302 and took < BROKER_DOWN_BOUND, took
    with web_app.app_context():
        assert db.session.get(Application, dossier_id).state == "granted"
        rows = list(
            db.session.scalars(
                select(Notification).where(
                    Notification.application_id == dossier_id, Notification.event == NotificationEvent.GRANTED
                )
            )
        )
        assert rows and all(r.status == "pending" and r.enqueued_at is None for r in rows)
        decision_to = Counter(r.email for r in rows)
        db.session.expunge_all()
    # The dossier's earlier events (submitted, eligible, reviewers) were recorded with Redis down too.
    waiting = _waiting_rows(web_app)

    own_redis.start()
    start_worker(web_app, own_redis.url, beat=True, OUTBOX_SWEEP_SECONDS="1")
    # each row once
    assert _settled(web_app, own_redis.url, controlled_sink, waiting) == Counter(r.email for r in waiting)
    with_letter = Counter(
        str(m["To"])
        for m in controlled_sink.messages
        if any(part.get_filename() == f"beslissing-{reference}.pdf" for part in m.iter_attachments())
    )
    assert with_letter == decision_to  # the decision, with its letter, once per address


@pytest.mark.redis
def test_health_follows_redis_down_and_up_again(web_app, own_redis):
    web_app.config["CELERY_BROKER_URL"] = own_redis.url
    client = web_app.test_client()
    assert client.get("/health").status_code == 200
    own_redis.stop()
    started = time.monotonic()
    response = client.get("/health")
    assert response.status_code == 503 and response.get_json()["broker"] == "unavailable"
    assert time.monotonic() - started < BROKER_DOWN_BOUND  # a load balancer's check never hangs on the broker
    own_redis.start()
    assert client.get("/health").status_code == 200


@pytest.mark.redis
def test_hand_overs_keep_one_connection_and_a_restarted_redis_gets_the_next_page_at_once(web_app, own_redis):
    web_app.config["CELERY_BROKER_URL"] = own_redis.url
    clients = redis.Redis.from_url(own_redis.url)
    first = submission_page(web_app, "11023")
    second = submission_page(web_app, "11024")

    _submit(first[0], first[1])
    connected = int(clients.info("stats")["total_connections_received"])
    _submit(second[0], second[1])
    # The second page's rows went over the connection the first page opened: no new connection.
    assert int(clients.info("stats")["total_connections_received"]) == connected
    # One message a page, carrying its rows.
    assert _queued_messages(own_redis.url) == 2
    assert _queued_ids(own_redis.url) == sorted(r.id for r in _rows(web_app, first[2]) + _rows(web_app, second[2]))

    own_redis.stop()
    own_redis.start()  # the kept connection died with the old server; the next page notices at once
    browser, path, after_restart = submission_page(web_app, "11025")
    assert _submit(browser, path) < BROKER_DOWN_BOUND
    assert {r.enqueued_at is not None for r in _rows(web_app, after_restart)} == {
        True
    }  # handed over, not left for the sweep
    assert _queued_ids(own_redis.url) == sorted(r.id for r in _rows(web_app, after_restart))
