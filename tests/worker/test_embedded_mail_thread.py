"""The embedded default sends e-mail from a background thread of the web process: a page never waits
for mail or a PDF, each e-mail still goes out once (the same claim and record as a worker's), and
several governments submitting at once on its SQLite file all get their answer."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification
from tests.conftest import app_on_own_database, csrf_token
from tests.integration.conftest import run_together
from tests.worker.conftest import delivered_exactly, submission_page

SMTP_ANSWERS_AFTER = 2.0  # seconds the mail server takes per message here


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory: pytest.TempPathFactory, controlled_sink: Any) -> Iterator[Flask]:
    """The embedded default's set-up: a SQLite file, jobs in this process, in their background thread."""
    with app_on_own_database(
        tmp_path_factory.mktemp("embedded"), controlled_sink, sqlite=True,
        FILES_PATH=str(tmp_path_factory.mktemp("embedded-files")), OUTBOX_IN_PROCESS_THREAD=True,
    ) as app:  # fmt: skip
        yield app


def _submit(browser: Any, path: str) -> Any:
    return browser.post(path, data={"csrf_token": csrf_token(browser, path), "declaration": "y"})


def _rows(app: Flask, draft_ids: list[int]) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).where(Notification.application_id.in_(draft_ids))))
        db.session.expunge_all()
        return rows


def _all_sent(app: Flask, draft_ids: list[int], timeout: float = 180) -> list[Notification]:
    # One thread sends them one by one, each answered after SMTP_ANSWERS_AFTER: on a busy machine a dozen
    # with their receipts take well over a minute. The wait ends as soon as all are sent.
    deadline = time.monotonic() + timeout
    while True:
        rows = _rows(app, draft_ids)
        if rows and {r.status for r in rows} == {"sent"}:
            return rows
        assert time.monotonic() < deadline, Counter(r.status for r in rows)
        time.sleep(0.1)


def test_a_submission_answers_before_its_e_mails_and_receipt_are_sent_and_each_goes_out_once(
    embedded_app, controlled_sink
):
    controlled_sink.reset()
    controlled_sink.hold_seconds = SMTP_ANSWERS_AFTER
    browser, path, draft_id = submission_page(embedded_app, "11002")

    started = time.monotonic()
    response = _submit(browser, path)
    took = time.monotonic() - started
    assert response.status_code == 302 and response.headers["Location"].endswith("/bevestiging")
    rows = _rows(embedded_app, [draft_id])
    assert len(rows) >= 2  # both governments are told
    assert took < SMTP_ANSWERS_AFTER, took  # in the request, one message alone would take longer
    assert {r.status for r in rows} <= {"pending", "sending"}  # not sent while the page answered

    sent = _all_sent(embedded_app, [draft_id])
    # a second copy would be in the sink within one answer's time: the pause before counting again
    this_dossier = Notification.application_id == draft_id
    messages = delivered_exactly(controlled_sink, len(sent), embedded_app, this_dossier, settle=SMTP_ANSWERS_AFTER)
    assert Counter(str(m["To"]) for m in messages) == Counter(r.email for r in sent)  # each address once
    assert all(
        any(p.get_filename() or "" for p in m.iter_attachments()) for m in controlled_sink.messages
    )  # with the receipt


def test_governments_submitting_at_once_on_the_sqlite_file_all_get_their_answer(embedded_app, controlled_sink):
    controlled_sink.reset()
    pages = [submission_page(embedded_app, nis) for nis in ("11004", "11005", "11008", "11009", "11016", "11021")]
    tokens = [csrf_token(browser, path) for browser, path, _ in pages]
    responses = run_together([
        (lambda b=browser, p=path, t=token: b.post(p, data={"csrf_token": t, "declaration": "y"}))
        for (browser, path, _), token in zip(pages, tokens, strict=True)
    ])  # fmt: skip
    assert [r.status_code for r in responses] == [302] * len(pages)  # never "database is locked"
    draft_ids = [draft_id for _, _, draft_id in pages]
    rows = _all_sent(embedded_app, draft_ids)
    messages = delivered_exactly(controlled_sink, len(rows), embedded_app, Notification.application_id.in_(draft_ids))
    assert Counter(str(m["To"]) for m in messages) == Counter(r.email for r in rows)
