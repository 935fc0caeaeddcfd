"""Notifications through the outbox, a real Celery worker on Redis and SMTP to a local sink
(SPEC section 7): the right e-mail to the right people, once, in their language, and the faults."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from portal import outbox
from portal.db import brussels_today
from portal.extensions import db
from portal.models import Notification
from portal.models.notifications import NotificationEvent
from portal.services import applications, decisions, delivery, eligibility, notifications
from tests.conftest import mail_body, make_user
from tests.factories import complete_draft, in_review, municipality, open_call, score_everything, to_bank
from tests.worker.conftest import (
    BROKER_DOWN_BOUND,
    delivered_exactly,
    last_notification_id,
    wait_for_final_state,
    wait_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _government(nis: str, *locales: str) -> list[Any]:
    return [make_user("applicant", organisation=municipality(nis), locale=locale) for locale in locales]


def _rows(application_id: int, event: NotificationEvent) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.application_id == application_id, Notification.event == event)
        )
    )


def _to(messages: list[EmailMessage]) -> Counter[str]:
    return Counter(str(m["To"]) for m in messages)


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]


def _made_since(app: Any) -> Any:
    """Selects the notification rows made from now on."""
    return Notification.id > last_notification_id(app)


def test_submitting_tells_both_governments_once_each_in_their_language_with_the_receipt(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker)
    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        giving_nl, giving_en = _government("11002", "nl", "en")
        (receiving,) = _government("12025", "nl")
        draft = complete_draft(giving_nl, open_call(), receiving_nis="12025")
        db.session.commit()
        applications.submit(draft.id, giving_nl, declared=True)
        db.session.commit()  # the relay hands the rows to Redis when this context ends
        reference, contact, draft_id = draft.reference, draft.receiving_contact_email, draft.id
        expected = {giving_nl.email, giving_en.email, receiving.email, contact}
        english = giving_en.email

    messages = delivered_exactly(controlled_sink, len(expected), outbox_app, made_now, outbox_broker)
    assert _to(messages) == Counter(expected)  # everyone once, no one twice
    for message in messages:
        if str(message["To"]) == english:
            assert message["Subject"] == f"Application {reference} received"
            assert "has submitted the application" in mail_body(message)
        else:
            assert message["Subject"] == f"Aanvraag {reference} ontvangen"
            assert "heeft de aanvraag ingediend" in mail_body(message)
        assert message.get_body(preferencelist=("html",)) is not None
        ((name, pdf),) = _attachments(message)
        assert name == f"ontvangstbewijs-{reference}.pdf" and pdf.startswith(b"%PDF")
        assert str(message["Message-ID"]).strip().startswith("<") and message["Auto-Submitted"] == "auto-generated"
    assert len({m["Message-ID"] for m in messages}) == len(expected)

    with outbox_app.app_context():
        rows = _rows(draft_id, NotificationEvent.APPLICATION_SUBMITTED)
        assert {(r.email, r.status, r.attempts) for r in rows} == {(e, "sent", 1) for e in expected}
        assert all(r.sent_at is not None for r in rows)


def test_being_found_ineligible_and_being_granted_send_the_decision_letter_to_both_governments(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    from portal.models import Application, User

    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker)
    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        officer_id = make_user("officer").id
        (giving_a,) = _government("11004", "en")
        (giving_b,) = _government("11005", "nl")
        refused = complete_draft(giving_a, open_call(), receiving_nis="12026")
        granted = complete_draft(giving_b, open_call(), receiving_nis="12029")
        db.session.commit()
        for draft, applicant in ((refused, giving_a), (granted, giving_b)):
            applications.submit(draft.id, applicant, declared=True)
        db.session.commit()
        refused_id, granted_id = refused.id, granted.id
        english_reader, dutch_reader = giving_a.email, giving_b.email
        receiving_contact = refused.receiving_contact_email
        submitted = len(_rows(refused_id, NotificationEvent.APPLICATION_SUBMITTED)) + len(
            _rows(granted_id, NotificationEvent.APPLICATION_SUBMITTED)
        )
    wait_for_final_state(outbox_app, made_now, outbox_broker, controlled_sink, submitted)
    controlled_sink.reset()

    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        officer = db.session.get(User, officer_id)
        eligibility.declare_ineligible(refused_id, officer, "De ontvangende partij is geen lokaal bestuur.")
        db.session.commit()
        reviewers = [make_user("reviewer"), make_user("reviewer")]
        in_review(db.session.get(Application, granted_id), officer, reviewers)
        db.session.commit()
        for reviewer in reviewers:
            score_everything(db.session.get(Application, granted_id), reviewer, 3)
        db.session.commit()
        decisions.grant(granted_id, officer, "Sterk dossier.")
        db.session.commit()
        ineligible_to = {r.email: r.recipient_locale for r in _rows(refused_id, NotificationEvent.DECLARED_INELIGIBLE)}
        granted_to = {r.email for r in _rows(granted_id, NotificationEvent.GRANTED)}
        eligible_to = {r.email for r in _rows(granted_id, NotificationEvent.DECLARED_ELIGIBLE)}
        assigned_to = {r.email for r in reviewers}
        refused_ref = db.session.get(Application, refused_id).reference
        granted_ref = db.session.get(Application, granted_id).reference
        amount = db.session.get(Application, granted_id).granted_cents

    # both governments: the giving user and contact, the receiving contact (that government has no users here)
    assert ineligible_to[english_reader] == "en" and ineligible_to[receiving_contact] == "nl"
    assert dutch_reader in granted_to
    total = len(ineligible_to) + len(eligible_to) + len(assigned_to) + len(granted_to)
    messages = delivered_exactly(controlled_sink, total, outbox_app, made_now, outbox_broker)
    by_subject: dict[str, list[EmailMessage]] = {}
    for message in messages:
        by_subject.setdefault(str(message["Subject"]), []).append(message)

    english = by_subject[f"Application {refused_ref} declared ineligible"]
    dutch = by_subject[f"Dossier {refused_ref} is onontvankelijk"]
    assert [str(m["To"]) for m in english] == [english_reader]
    assert {str(m["To"]) for m in dutch} == set(ineligible_to) - {english_reader}
    assert "De ontvangende partij is geen lokaal bestuur." in mail_body(english[0])
    assert "declared ineligible" in mail_body(english[0]) and "onontvankelijk verklaard" in mail_body(dutch[0])
    for message in english + dutch:
        ((name, pdf),) = _attachments(message)
        assert name == f"beslissing-{refused_ref}.pdf" and pdf.startswith(b"%PDF")
    # both governments get the one stored letter
    assert len({_attachments(m)[0][1] for m in english + dutch}) == 1

    grants = by_subject[f"Dossier {granted_ref}: subsidie toegekend"]
    assert _to(grants) == Counter(granted_to)
    assert f"{amount // 100:,}".replace(",", ".") + ",00" in mail_body(grants[0])
    assert all(_attachments(m)[0][0] == f"beslissing-{granted_ref}.pdf" for m in grants)
    assigned = by_subject[f"Nieuwe beoordeling: dossier {granted_ref}"]
    assert _to(assigned) == Counter(assigned_to)
    assert "/beoordeling/" in mail_body(assigned[0])
    assert _to(by_subject[f"Dossier {granted_ref} is ontvankelijk"]) == Counter(eligible_to)


def _one_notification(app: Any, email_address: str) -> int:
    """A single notification to one address, recorded and committed like any event."""
    with app.app_context():
        (giving,) = _government("11008", "nl")
        draft = complete_draft(giving, open_call(), receiving_nis="12040")
        db.session.flush()
        row = notifications.record(
            NotificationEvent.DECLARED_ELIGIBLE, [notifications.Recipient(email_address)], draft
        )[0]
        db.session.commit()
        return int(row.id)


def _status(app: Any, notification_id: int) -> Notification:
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        db.session.expunge(row)
        return row


def _wait_for_status(app: Any, notification_id: int, status: str, timeout: float = 30) -> Notification:
    deadline = time.monotonic() + timeout
    while (row := _status(app, notification_id)).status != status:
        assert time.monotonic() < deadline, f"still {row.status}, never {status}"
        time.sleep(0.2)
    return row


def test_a_task_run_twice_sends_the_e_mail_once(outbox_app, outbox_broker, controlled_sink, start_worker):
    from celery import Celery

    controlled_sink.reset()
    worker = start_worker(outbox_app, outbox_broker)
    notification_id = _one_notification(outbox_app, "twice@example.be")  # relayed once at commit
    client = Celery("probe", broker=outbox_broker)
    for _ in range(3):  # a duplicated message, a retried publish, a manual re-run
        client.send_task("portal.deliver_notification", args=(notification_id,))
    # final: the row sent, and all four messages taken and acknowledged (none still to run)
    (message,) = delivered_exactly(controlled_sink, 1, outbox_app, Notification.id == notification_id, outbox_broker)
    assert str(message["To"]) == "twice@example.be"
    worker.wait_for("'not claimed'")
    # every copy of the message ran: one sent it, the three others found the row claimed
    wait_until(lambda: worker.output().count("'not claimed'") == 3, lambda: worker.output(), timeout=10)
    assert worker.output().count("'sent'") == 1
    row = _status(outbox_app, notification_id)
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_batch_handed_over_again_sends_each_e_mail_once(outbox_app, outbox_broker, controlled_sink, start_worker):
    from celery import Celery

    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker)
    ids = [_one_notification(outbox_app, f"batch-{n}@example.be") for n in range(3)]  # each relayed at its commit
    client = Celery("probe", broker=outbox_broker)
    for _ in range(2):  # the same batch again, and once more with its rows in another order
        client.send_task("portal.deliver_notifications", args=(ids,))
        ids = ids[::-1]
    messages = delivered_exactly(controlled_sink, 3, outbox_app, Notification.id.in_(ids), outbox_broker)
    assert sorted(str(m["To"]) for m in messages) == [f"batch-{n}@example.be" for n in range(3)]
    assert {(_status(outbox_app, i).status, _status(outbox_app, i).attempts) for i in ids} == {("sent", 1)}


def test_two_runs_at_the_same_moment_claim_the_row_once(outbox_app):
    """Without the broker: two sessions race for the same row; the conditional UPDATE lets one win."""
    from concurrent.futures import ThreadPoolExecutor

    from portal.db import utcnow

    notification_id = _one_notification(outbox_app, "race@example.be")

    def claim() -> bool:
        with outbox_app.app_context():
            won = delivery.claim(notification_id, utcnow())
            time.sleep(0.2)  # hold the transaction open while the other one tries
            db.session.commit()
            return won

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: claim(), range(4)))
    assert results.count(True) == 1
    assert _status(outbox_app, notification_id).attempts == 1


def test_a_refusing_mail_server_is_retried_with_backoff_until_it_accepts(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    controlled_sink.reset()
    controlled_sink.refuse = 2
    worker = start_worker(outbox_app, outbox_broker, NOTIFICATION_FIRST_RETRY_SECONDS="1")
    started = time.monotonic()
    notification_id = _one_notification(outbox_app, "flaky@example.be")
    (message,) = delivered_exactly(controlled_sink, 1, outbox_app, Notification.id == notification_id, outbox_broker)
    # refused twice, then accepted after waiting 1 s and then 2 s (exponential backoff)
    assert controlled_sink.refused == 2
    assert time.monotonic() - started >= 3
    assert str(message["To"]) == "flaky@example.be"
    row = _status(outbox_app, notification_id)
    assert (row.status, row.attempts) == ("sent", 3)
    # refused in its batch: handed over again alone after 1 s; refused again: Celery's retry after 2 s
    output = worker.output()
    assert f"Retry in 1s: notification {notification_id}, alone" in output
    assert output.count("retry: Retry in") == 1


def test_when_the_retries_run_out_the_notification_is_failed_and_an_officer_can_resend_it(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    controlled_sink.reset()
    controlled_sink.refuse = 100
    start_worker(outbox_app, outbox_broker, NOTIFICATION_FIRST_RETRY_SECONDS="1", NOTIFICATION_ATTEMPT_LIMIT="2")
    notification_id = _one_notification(outbox_app, "gone@example.be")
    row = _wait_for_status(outbox_app, notification_id, "failed")
    assert row.attempts == 2 and "451" in row.last_error
    assert controlled_sink.refused == 2 and controlled_sink.messages == []

    controlled_sink.refuse = 0
    with outbox_app.app_context():
        officer = make_user("officer")
        db.session.commit()
        notifications.resend(notification_id, officer)
        db.session.commit()
    (message,) = delivered_exactly(controlled_sink, 1, outbox_app, Notification.id == notification_id, outbox_broker)
    assert str(message["To"]) == "gone@example.be"
    assert _status(outbox_app, notification_id).status == "sent"


def test_a_final_refusal_is_not_retried(outbox_app, outbox_broker, controlled_sink, start_worker):
    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker, NOTIFICATION_FIRST_RETRY_SECONDS="1")
    controlled_sink.unknown = {"nobody@example.be"}  # answered "550 no such mailbox": final
    notification_id = _one_notification(outbox_app, "nobody@example.be")
    row = _wait_for_status(outbox_app, notification_id, "failed")
    assert row.attempts == 1 and "550" in row.last_error


def test_a_worker_killed_after_sending_but_before_recording_never_sends_a_second_copy(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    from portal.db import utcnow

    controlled_sink.reset()
    controlled_sink.hold_seconds = 30  # the message is in; the "250 OK" is slow to come
    quick_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_SECONDS": "1"}
    first = start_worker(outbox_app, outbox_broker, **quick_redelivery)
    notification_id = _one_notification(outbox_app, "killed@example.be")
    controlled_sink.wait_for(1)
    first.kill()  # mid-task: sent, not recorded, not acknowledged
    assert _status(outbox_app, notification_id).status == "sending"

    controlled_sink.hold_seconds = 0
    second = start_worker(outbox_app, outbox_broker, **quick_redelivery)
    # The unacknowledged message comes back to the new worker, which finds the row claimed.
    second.wait_for("'not claimed'", timeout=60)
    time.sleep(2.5)  # past the sending timeout of 2 s
    with outbox_app.app_context():
        assert outbox.sweep(utcnow()) == []  # not handed out again
        db.session.commit()
    # final: the row uncertain, the redelivered message acknowledged by the second worker
    delivered_exactly(controlled_sink, 1, outbox_app, Notification.id == notification_id, outbox_broker)
    assert len(controlled_sink.messages) == 1
    row = _status(outbox_app, notification_id)
    assert row.status == "uncertain"  # shown to officers, who decide
    assert row.attempts == 1


def test_an_event_while_redis_is_down_is_saved_and_its_e_mail_goes_out_when_redis_is_back(
    outbox_app, controlled_sink, own_redis, start_worker, tmp_path
):
    from portal.models import Application
    from tests.conftest import make_app

    controlled_sink.reset()
    app = make_app(
        outbox_app.config["SQLALCHEMY_DATABASE_URI"],
        controlled_sink,
        FILES_PATH=outbox_app.config["FILES_PATH"],
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL=own_redis.url,
    )
    own_redis.stop()
    with app.app_context():
        (giving,) = _government("11009", "nl")
        draft = complete_draft(giving, open_call(), receiving_nis="12035")
        db.session.commit()
        draft_id = draft.id
        started = time.monotonic()
        applications.submit(draft_id, giving, declared=True)
        db.session.commit()
        expected = {r.email for r in _rows(draft_id, NotificationEvent.APPLICATION_SUBMITTED)}
    relay_took = time.monotonic() - started  # the context ended: the relay tried once and gave up
    assert relay_took < BROKER_DOWN_BOUND
    with app.app_context():
        assert db.session.get(Application, draft_id).state == "submitted"  # the event is saved
        rows = _rows(draft_id, NotificationEvent.APPLICATION_SUBMITTED)
        assert rows and all(r.status == "pending" and r.enqueued_at is None for r in rows)
    assert controlled_sink.messages == []

    own_redis.start()
    # beat's sweep (every second here) finds the rows the broker never got
    start_worker(app, own_redis.url, beat=True, OUTBOX_SWEEP_SECONDS="1")
    this_dossier = Notification.application_id == draft_id
    messages = delivered_exactly(controlled_sink, len(expected), app, this_dossier, own_redis.url)
    assert _to(messages) == Counter(expected)
    with app.app_context():
        assert {r.status for r in _rows(draft_id, NotificationEvent.APPLICATION_SUBMITTED)} == {"sent"}
        db.session.remove()
        db.engine.dispose()


def test_being_paid_tells_the_giving_government_once_in_its_language(
    outbox_app, outbox_broker, controlled_sink, start_worker
):

    from portal.models import Application, Payout, User
    from portal.services import payouts
    from portal.services.seed import sample_report

    controlled_sink.reset()
    start_worker(outbox_app, outbox_broker)
    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        officer, finance = make_user("officer"), make_user("finance")
        giving_nl, giving_en = _government("11008", "nl", "en")
        dossier = complete_draft(giving_nl, open_call(), receiving_nis="12035")
        db.session.commit()
        applications.submit(dossier.id, giving_nl, declared=True)
        reviewers = [make_user("reviewer"), make_user("reviewer")]
        in_review(dossier, officer, reviewers)
        for reviewer in reviewers:
            score_everything(dossier, reviewer, 3)
        decisions.grant(dossier.id, officer)
        sample_report(dossier, giving_nl)
        payouts.settle_report(dossier.id, officer)
        (balance,) = payouts.payouts_of(dossier)
        payouts.approve(balance.id, finance)
        db.session.commit()
        to_bank(finance)  # a transfer is paid from the payment file it went to the bank in
        db.session.commit()
        dossier_id, balance_id, finance_id = dossier.id, balance.id, finance.id
        dutch_reader, english_reader = giving_nl.email, giving_en.email
        before = len(db.session.scalars(select(Notification).where(Notification.application_id == dossier_id)).all())
    wait_for_final_state(outbox_app, made_now, outbox_broker, controlled_sink, before)
    controlled_sink.reset()

    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        payouts.pay(balance_id, db.session.get(User, finance_id), brussels_today(), "BNK-2026-42")
        db.session.commit()
        paid_to = {r.email: r.recipient_locale for r in _rows(dossier_id, NotificationEvent.PAYOUT_PAID)}
        reference = db.session.get(Application, dossier_id).reference
        end_to_end = db.session.get(Payout, balance_id).end_to_end_id
    assert paid_to[english_reader] == "en" and paid_to[dutch_reader] == "nl"
    messages = delivered_exactly(controlled_sink, len(paid_to), outbox_app, made_now, outbox_broker)
    assert _to(messages) == Counter(list(paid_to))  # the giving government, each address once
    for message in messages:
        if str(message["To"]) == english_reader:
            assert message["Subject"] == f"Application {reference}: EUR 5,400.00 paid"
            assert "BNK-2026-42" in mail_body(message) and end_to_end in mail_body(message)
        else:
            assert message["Subject"] == f"Dossier {reference}: EUR 5.400,00 betaald"
            assert "betaald aan uw bestuur" in mail_body(message)
    with outbox_app.app_context():
        assert {r.status for r in _rows(dossier_id, NotificationEvent.PAYOUT_PAID)} == {"sent"}


def test_a_worker_sends_one_event_to_many_over_one_connection_each_person_once(
    outbox_app, outbox_broker, controlled_sink, start_worker
):
    controlled_sink.reset()
    made_now = _made_since(outbox_app)
    with outbox_app.app_context():
        draft = complete_draft(
            make_user("applicant", organisation=municipality("11002")), open_call(), receiving_nis="12025"
        )
        db.session.commit()
        people = [notifications.Recipient(f"bestuur-{n}@example.be") for n in range(40)]
        notifications.record(
            NotificationEvent.CALL_CLOSING, people, draft, {"closes_at": "2026-12-31T22:59:59+00:00", "days_left": 3}
        )
        db.session.commit()
    start_worker(outbox_app, outbox_broker)  # solo pool: one process sends them one after another

    messages = delivered_exactly(controlled_sink, len(people), outbox_app, made_now, outbox_broker)
    assert _to(messages) == Counter(p.email for p in people)
    assert len(set(controlled_sink.peers)) == 1  # one SMTP connection for all forty, not one each
    assert len({mail_body(m) for m in messages}) == 1  # the same words for everyone (rendered once)


def test_an_e_mail_rendered_once_is_reused_only_for_the_same_words(outbox_app):
    with outbox_app.app_context():
        applicant = make_user("applicant", organisation=municipality("11002"), locale="nl")
        other = make_user("applicant", organisation=municipality("11002"), locale="nl")
        draft = complete_draft(applicant, open_call(), receiving_nis="12025")
        db.session.commit()
        details = {"closes_at": "2026-12-31T22:59:59+00:00", "days_left": 3}
        rows = notifications.record(
            NotificationEvent.CALL_CLOSING,
            [notifications.Recipient("a@example.be"), notifications.Recipient("b@example.be"), notifications.user_recipient(applicant),
             notifications.user_recipient(other), notifications.Recipient("c@example.be", None, "en")],
            draft, details,
        )  # fmt: skip
        rows += notifications.record(
            NotificationEvent.CALL_CLOSING,
            [notifications.Recipient("d@example.be")],
            draft,
            {**details, "closes_at": "2027-01-15T22:59:59+00:00"},
        )
        db.session.flush()
        first, second, named, other_named, english, later = (delivery.render(row) for row in rows)
        assert second is first  # same event, language, dossier and details: rendered once
        assert named is not first and other_named is not named  # each person's name in the greeting
        assert english.subject != first.subject  # in English
        assert later is not first and later.text != first.text  # other details, other words
        draft.approach = "Een andere aanpak"  # the dossier changed: its words may have too
        db.session.flush()
        assert delivery.render(rows[1]) is not first
        db.session.rollback()


def _draft_of_two_governments(app: Any) -> int:
    with app.app_context():
        draft_id = complete_draft(
            make_user("applicant", organisation=municipality("11002")), open_call(), receiving_nis="12025"
        ).id
        db.session.commit()
    return draft_id


def _record_twenty(draft_id: int, prefix: str) -> list[Notification]:
    return notifications.record(
        NotificationEvent.DECLARED_ELIGIBLE,
        [notifications.Recipient(f"{prefix}-{n}@example.be") for n in range(20)],
        db.session.get(applications.Application, draft_id),
    )


def test_rows_committed_at_once_are_written_marked_and_handed_over_in_slices_with_no_statement_after_the_commit(
    outbox_app, outbox_broker, monkeypatch
):
    import redis
    from sqlalchemy import event

    monkeypatch.setattr(outbox, "DELIVER_AT_ONCE", 6)  # a worker's message carries a few rows each
    draft_id = _draft_of_two_governments(outbox_app)
    redis.Redis.from_url(outbox_broker).flushdb()
    after_commit: list[str] = []
    with outbox_app.app_context():
        rows = _record_twenty(draft_id, "sl")
        db.session.flush()
        assert None not in {row.enqueued_at for row in rows}  # in the INSERT itself
        db.session.commit()
        ids = [r.id for r in rows]  # handed over when this context ends
        engine = db.engine

        def count(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
            after_commit.append(statement)

        event.listen(engine, "before_cursor_execute", count)
    event.remove(engine, "before_cursor_execute", count)
    assert after_commit == []  # the hand-over wrote nothing: no UPDATE, no second commit
    with outbox_app.app_context():
        marked = db.session.scalars(select(Notification.enqueued_at).where(Notification.id.in_(ids))).all()
    assert len(marked) == 20 and None not in marked
    queued = redis.Redis.from_url(outbox_broker).lrange("celery", 0, -1)
    carried = [json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0] for raw in queued]
    assert sorted(len(batch) for batch in carried) == [2, 6, 6, 6]
    assert sorted(sum(carried, [])) == sorted(ids)


def test_a_failed_hand_over_clears_every_mark_in_slices_and_the_sweep_takes_the_rows_at_once(
    outbox_app, outbox_broker, monkeypatch
):
    monkeypatch.setattr(outbox, "MARK_AT_ONCE", 7)  # PostgreSQL takes at most 65,535 parameters a statement
    monkeypatch.setattr(outbox, "_broker_paused_until", {})  # the pause this failure starts ends with the test
    draft_id = _draft_of_two_governments(outbox_app)
    monkeypatch.setitem(outbox_app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    with outbox_app.app_context():
        rows = _record_twenty(draft_id, "cl")
        db.session.commit()
        ids = [r.id for r in rows]
    monkeypatch.undo()
    with outbox_app.app_context():
        kept = db.session.execute(
            select(Notification.status, Notification.enqueued_at).where(Notification.id.in_(ids))
        ).all()
        assert len(kept) == 20 and set(kept) == {("pending", None)}
        swept = outbox.sweep(outbox.utcnow(), limit=1_000_000)
        assert set(ids) <= set(swept)  # at once, not NOTIFICATION_REQUEUE_AFTER_SECONDS after a mark
        db.session.rollback()
