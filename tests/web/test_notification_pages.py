"""The inbox of every signed-in user, and the officer's page of undelivered notifications."""

from __future__ import annotations

from portal.models import Notification
from portal.models.notifications import NotificationEvent
from portal.services import notifications
from tests.conftest import csrf_token, mail_body, make_user, sign_in
from tests.factories import in_review, open_call, submitted_dossier
from workflows.outbox import DeliveryStatus


def _assigned(officer, *reviewers):
    return in_review(submitted_dossier(open_call()), officer, list(reviewers))


def test_the_inbox_shows_ones_own_messages_in_ones_language_and_counts_the_unread(app, client, db_session):
    officer = make_user("officer")
    reader, other = make_user("reviewer", locale="en"), make_user("reviewer")
    dossier = _assigned(officer, reader, other)
    sign_in(client, reader)

    page = client.get("/account/berichten?lang=en").get_data(as_text=True)
    assert f"New review: application {dossier.reference}" in page
    assert 'data-unread="1"' in page and "Messages (1 new)" in page
    (mine,) = notifications.inbox_of(reader)
    (theirs,) = notifications.inbox_of(other)

    message = client.get(f"/account/berichten/{mine.id}")
    assert message.status_code == 200
    text = message.get_data(as_text=True)
    assert "You have been assigned to review the application" in text
    assert f"/beoordeling/{mine.details['review_id']}" in text
    db_session.refresh(mine)
    assert mine.read_at is None  # reading is a GET, which writes nothing
    token = csrf_token(client, f"/account/berichten/{mine.id}")
    assert client.post(f"/account/berichten/{mine.id}/gelezen").status_code == 400  # no CSRF token
    assert client.post(f"/account/berichten/{mine.id}/gelezen", data={"csrf_token": token}).status_code == 302
    db_session.refresh(mine)
    assert mine.read_at is not None
    assert 'data-unread="0"' in client.get("/account/berichten").get_data(as_text=True)

    # someone else's message is not found, cannot be marked, and stays unread
    assert client.get(f"/account/berichten/{theirs.id}").status_code == 404
    assert client.post(f"/account/berichten/{theirs.id}/gelezen", data={"csrf_token": token}).status_code == 404
    db_session.refresh(theirs)
    assert theirs.read_at is None


def test_marking_everything_read_needs_the_form_and_says_how_many(app, client, db_session):
    officer = make_user("officer")
    reader = make_user("reviewer")
    _assigned(officer, reader, make_user("reviewer"))
    notifications.record(NotificationEvent.REVIEW_OVERDUE, [notifications.user_recipient(reader)], None)
    sign_in(client, reader)
    assert client.post("/account/berichten/gelezen").status_code == 400  # no CSRF token
    token = csrf_token(client, "/account/berichten")
    response = client.post("/account/berichten/gelezen", data={"csrf_token": token})
    assert response.status_code == 302
    assert "2 berichten als gelezen gemarkeerd." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert notifications.unread_count(reader) == 0


def test_a_message_for_a_recipient_without_a_dossier_still_opens(app, client, db_session):
    reader = make_user("applicant")
    dossier = submitted_dossier(open_call(), applicant=reader)
    (row,) = [r for r in notifications.inbox_of(reader) if r.event == NotificationEvent.APPLICATION_SUBMITTED]
    sign_in(client, reader)
    page = client.get(f"/account/berichten/{row.id}").get_data(as_text=True)
    assert f"Aanvraag {dossier.reference} ontvangen" in page and "heeft de aanvraag ingediend" in page


def test_submitting_through_the_portal_e_mails_both_governments_in_this_process(app, client, db_session, smtp_sink):
    from tests.factories import complete_draft

    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    sign_in(client, applicant)
    token = csrf_token(client, f"/mijn-dossiers/{draft.id}/controleren")
    response = client.post(f"/mijn-dossiers/{draft.id}/controleren", data={"csrf_token": token, "declaration": "y"})
    assert response.status_code == 302
    db_session.refresh(draft)
    (giving,) = smtp_sink.to(applicant.email)
    (receiving,) = smtp_sink.to(draft.receiving_contact_email)
    for message in (giving, receiving):
        assert message["Subject"] == f"Aanvraag {draft.reference} ontvangen"
        assert [part.get_filename() for part in message.iter_attachments()] == [
            f"ontvangstbewijs-{draft.reference}.pdf"
        ]
    assert "Het dossier bekijken: http://portal.test/mijn-dossiers/" in mail_body(giving)


def test_officers_see_undelivered_notifications_and_send_them_again(app, client, db_session, smtp_sink):
    officer = make_user("officer")
    dossier = submitted_dossier(open_call())
    failed, uncertain = notifications.record(
        NotificationEvent.DECLARED_ELIGIBLE,
        [notifications.Recipient("failed@example.be"), notifications.Recipient("uncertain@example.be")],
        dossier,
    )
    failed.status, failed.attempts, failed.last_error = DeliveryStatus.FAILED, 6, "SMTPDataError: 451 try later"
    uncertain.status, uncertain.attempts = DeliveryStatus.UNCERTAIN, 1
    db_session.flush()
    sign_in(client, officer)

    dashboard = client.get("/behandeling/").get_data(as_text=True)
    assert "berichten konden niet worden bezorgd" in dashboard
    page = client.get("/behandeling/berichten").get_data(as_text=True)
    assert "failed@example.be" in page and "451 try later" in page and "Na 6 pogingen." in page
    assert "uncertain@example.be" in page and "misschien toch aangekomen" in page

    token = csrf_token(client, "/behandeling/berichten")
    response = client.post(f"/behandeling/berichten/{failed.id}/opnieuw", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Het bericht aan failed@example.be wordt opnieuw verstuurd." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    (message,) = smtp_sink.to("failed@example.be")  # delivered in-process after the commit
    assert message["Subject"] == f"Dossier {dossier.reference} is ontvankelijk"
    db_session.refresh(failed)
    assert (failed.status, failed.attempts) == (DeliveryStatus.SENT, 1)

    # a sent message is not sent again
    again = client.post(f"/behandeling/berichten/{failed.id}/opnieuw", data={"csrf_token": token})
    assert "kan niet opnieuw worden verstuurd" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(smtp_sink.to("failed@example.be")) == 1
    assert client.post(f"/behandeling/berichten/{uncertain.id}/opnieuw").status_code == 400  # no CSRF token
    assert db_session.get(Notification, uncertain.id).status == DeliveryStatus.UNCERTAIN
