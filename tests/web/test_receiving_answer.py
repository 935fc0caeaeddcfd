"""The receiving government declines with a reason (or confirms, also after a decline), and the final report
waits for the trajectory's end or a declared early end; every refusal says why, in Dutch, and stores nothing."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.models import Application, AuditEntry, Notification
from portal.services import applications, partner, payouts
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import granted_dossier, municipality, open_call, payout_people, submitted_dossier
from workflows.calls import BRUSSELS

REASON = "Onze coördinator armoedebeleid vertrekt; we kunnen nu geen mentor ontvangen."


def browser(app, user):
    signed_in = app.test_client()
    sign_in(signed_in, user)
    return signed_in


def text(response):
    return html.unescape(response.get_data(as_text=True))


def follow(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return text(client.get(response.headers["Location"]))


@pytest.fixture
def parties(app, db_session):
    giver = make_user("applicant")  # Gent
    officer = make_user("officer")
    dossier = submitted_dossier(open_call(), applicant=giver)  # to Ronse, with a contact person there
    db_session.commit()
    receiver = make_user("applicant", organisation=municipality("45041"))
    return dossier, giver, receiver, officer


def decline_url(dossier):
    return f"/mijn-dossiers/{dossier.id}/deelname-weigeren"


def test_declining_asks_for_a_reason_on_a_page_that_says_what_it_means(app, db_session, parties):
    dossier, giver, receiver, officer = parties
    ronse = browser(app, receiver)
    page = text(ronse.get(f"/mijn-dossiers/{dossier.id}"))
    assert "Ons bestuur neemt niet deel" in page and "Deelname van ons bestuur bevestigen" in page
    page = text(ronse.get(decline_url(dossier)))
    assert "kan de aanvraag niet worden toegekend zolang uw bestuur niet bevestigt" in page
    assert "ziet de dossierbehandelaar" in page and "U kunt later alsnog bevestigen" in page
    token = csrf_token(ronse, decline_url(dossier))

    for reason, message in [
        ("", "Schrijf waarom uw bestuur niet deelneemt"),
        ("   \n ", "Schrijf waarom uw bestuur niet deelneemt"),
        ("x" * 2001, "Gebruik maximaal 2000 tekens"),
    ]:
        refused = ronse.post(decline_url(dossier), data={"csrf_token": token, "reason": reason})
        assert refused.status_code == 400 and message in text(refused) and "govuk-error-summary" in text(refused)
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).receiving_declined_at is None
    assert db_session.scalar(select(Notification).where(Notification.event == "participation_declined")) is None

    page = follow(ronse, ronse.post(decline_url(dossier), data={"csrf_token": token, "reason": REASON}))
    assert "U hebt laten weten dat uw bestuur niet deelneemt" in page
    assert "Neemt niet deel (gemeld op" in page and REASON in page and "bevestig dan hieronder" in page
    db_session.expire_all()
    stored = db_session.get(Application, dossier.id)
    assert stored.receiving_declined_by_id == receiver.id and stored.receiving_decline_reason == REASON
    assert partner.receiving_answer(stored) == "declined"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.participation_declined"))
    assert entry is not None and entry.reason == REASON and entry.actor_id == receiver.id

    # The giving government (its users and its contact person) and the officers are told.
    told = {
        row.email: row
        for row in db_session.scalars(select(Notification).where(Notification.event == "participation_declined"))
    }
    assert giver.email in told and officer.email in told and receiver.email not in told
    assert told[officer.email].details == {"reason": REASON}

    # The giving government's page says it, with the reason and what it can do.
    gent = browser(app, giver)
    page = text(gent.get(f"/mijn-dossiers/{dossier.id}"))
    assert 'data-participation="declined"' in page and REASON in page
    assert "Ronse neemt niet deel" in page and "het kan later alsnog bevestigen" in page
    assert f"/mijn-dossiers/{dossier.id}/intrekken" in page
    # The officer's inbox holds the message, with the reason.
    message = told[officer.email]
    inbox = browser(app, officer)
    assert REASON in text(inbox.get(f"/account/berichten/{message.id}"))


def test_a_partner_that_declined_confirms_afterwards_and_the_decline_is_cleared(app, db_session, parties):
    dossier, giver, receiver, _officer = parties
    applications.decline_participation(dossier.id, receiver, REASON, utcnow())
    db_session.commit()
    ronse = browser(app, receiver)
    token = csrf_token(ronse, f"/mijn-dossiers/{dossier.id}")
    page = follow(ronse, ronse.post(f"/mijn-dossiers/{dossier.id}/deelname-bevestigen", data={"csrf_token": token}))
    assert "De deelname van uw bestuur is bevestigd." in page and "Bevestigd op" in page
    db_session.expire_all()
    stored = db_session.get(Application, dossier.id)
    assert (
        stored.receiving_declined_at is None
        and stored.receiving_decline_reason is None
        and stored.receiving_confirmed_at is not None
    )
    assert partner.receiving_answer(stored) == "confirmed"
    confirmed = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.participation_confirmed"))
    assert confirmed.details and "declined_at" in confirmed.details

    # A confirmation is final: declining now is refused and changes nothing.
    assert "Ons bestuur neemt niet deel" not in text(ronse.get(f"/mijn-dossiers/{dossier.id}"))
    page = follow(ronse, ronse.get(decline_url(dossier)))
    assert "Uw bestuur heeft zijn deelname al bevestigd" in page
    page = follow(ronse, ronse.post(decline_url(dossier), data={"csrf_token": token, "reason": REASON}))
    assert "Uw bestuur heeft zijn deelname al bevestigd" in page
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).receiving_declined_at is None


def test_only_the_receiving_government_can_decline(app, db_session, parties):
    dossier, giver, _receiver, _officer = parties
    outsider = make_user("applicant", organisation=municipality("37022"))  # Tielt: no party
    for user in (giver, outsider):
        other = browser(app, user)
        token = csrf_token(other, "/account/")
        assert other.get(decline_url(dossier)).status_code == 404
        assert other.post(decline_url(dossier), data={"csrf_token": token, "reason": REASON}).status_code == 404
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).receiving_declined_at is None


def test_a_decision_taken_ends_the_time_to_decline(app, db_session):
    people = payout_people()
    dossier = granted_dossier(people)
    db_session.commit()
    ronse = browser(app, make_user("applicant", organisation=municipality("45041")))
    assert "Ons bestuur neemt niet deel" not in text(ronse.get(f"/mijn-dossiers/{dossier.id}"))
    token = csrf_token(ronse, "/account/")
    page = follow(ronse, ronse.post(decline_url(dossier), data={"csrf_token": token, "reason": REASON}))
    assert "Antwoorden op deze aanvraag kan niet meer in deze fase." in page
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).receiving_declined_at is None


# --- the final report and the trajectory's end ------------------------------------------------------


def brussels_today():
    return utcnow().astimezone(BRUSSELS).date()


def parts(day):
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def running(app, db_session):
    """A granted dossier whose trajectory started on the first of this month and runs four months."""
    people = payout_people()
    applicant = make_user("applicant")
    dossier = granted_dossier(people, applicant=applicant, start_on=brussels_today())
    db_session.commit()
    return dossier, applicant


def test_the_report_waits_for_the_trajectorys_end_and_shows_the_deadline(app, db_session, running):
    dossier, applicant = running
    window = payouts.report_window_of(dossier)
    assert window.opens_on > brussels_today()
    gent = browser(app, applicant)
    page = text(gent.get(f"/mijn-dossiers/{dossier.id}"))
    assert "Uiterlijk in te dienen op" in page and "data-report-deadline" in page
    assert "U kunt het eindrapport indienen vanaf" in page  # Wat nu?
    report_url = f"/mijn-dossiers/{dossier.id}/eindrapport"
    page = text(gent.get(report_url))
    assert 'data-report-window="not-yet"' in page and "Eindrapport indienen" not in page
    assert "Meld dat het traject vroeger eindigde" in page
    # A complete report, submitted too early, is refused with the reason, and stays a draft.
    from portal.services.seed import sample_pdf

    report = payouts.start_report(dossier, applicant)
    payouts.save_achievements(report, "Verslag", applicant)
    payouts.add_document(report, "fiche.pdf", sample_pdf(), applicant)
    db_session.commit()
    token = csrf_token(gent, report_url)
    page = follow(gent, gent.post(f"{report_url}/indienen", data={"csrf_token": token}))
    assert "Het traject is nog niet afgelopen" in page and "data-report-closed" in page
    db_session.expire_all()
    assert payouts.report_of(dossier).state == "draft"


@pytest.mark.parametrize(
    ("ended_on", "reason", "message"),
    [
        (lambda start, today: today + timedelta(days=1), "Werk af", "kan niet in de toekomst liggen"),
        (lambda start, today: start - timedelta(days=1), "Werk af", "Het traject kan niet eindigen voor het begon"),
        (lambda start, today: today, "", "Schrijf kort waarom het traject vroeger eindigde"),
        (lambda start, today: today, "x" * 1001, "Gebruik maximaal 1000 tekens"),
        (lambda start, today: None, "Werk af", "Vul de dag in waarop het traject eindigde"),
    ],
    ids=["future", "before-start", "no-reason", "long-reason", "no-day"],
)
def test_an_early_end_in_the_future_or_before_the_start_is_refused(app, db_session, running, ended_on, reason, message):
    dossier, applicant = running
    gent = browser(app, applicant)
    url = f"/mijn-dossiers/{dossier.id}/eindrapport/einde-traject"
    token = csrf_token(gent, url)
    day = ended_on(payouts.trajectory_start(dossier), brussels_today())
    refused = gent.post(
        url, data={"csrf_token": token, "ended_on": parts(day) if day else ["", "", ""], "reason": reason}
    )
    assert refused.status_code == 400 and message in text(refused) and "govuk-error-summary" in text(refused)
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).early_end_on is None
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.early_end_declared")) is None


def test_a_declared_early_end_opens_the_report_and_is_audited(app, db_session, running):
    dossier, applicant = running
    gent = browser(app, applicant)
    url = f"/mijn-dossiers/{dossier.id}/eindrapport/einde-traject"
    token = csrf_token(gent, url)
    today = brussels_today()
    page = follow(
        gent, gent.post(url, data={"csrf_token": token, "ended_on": parts(today), "reason": "De mentor vertrok."})
    )
    assert "U kunt het eindrapport nu indienen" in page and 'data-report-window="open"' in page
    assert "U meldde dat het traject vroeger eindigde" in page
    db_session.expire_all()
    stored = db_session.get(Application, dossier.id)
    assert stored.early_end_on == today and stored.early_end_declared_by_id == applicant.id
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.early_end_declared"))
    assert entry.reason == "De mentor vertrok." and entry.details["ended_on"] == today.isoformat()
    dossier_page = text(gent.get(f"/mijn-dossiers/{dossier.id}"))
    assert "Het traject eindigde vroeger" in dossier_page and "Dien het eindrapport in, uiterlijk op" in dossier_page


def test_another_government_cannot_declare_an_end(app, db_session, running):
    dossier, _applicant = running
    for organisation in ("45041", "37022"):  # the receiving government, and one that is no party
        other = browser(app, make_user("applicant", organisation=municipality(organisation)))
        token = csrf_token(other, "/account/")
        url = f"/mijn-dossiers/{dossier.id}/eindrapport/einde-traject"
        assert other.get(url).status_code == 404
        assert (
            other.post(url, data={"csrf_token": token, "ended_on": parts(brussels_today()), "reason": "x"}).status_code
            == 404
        )


def test_the_officer_reads_the_decline_and_its_reason_on_the_dossier(app, db_session, parties):
    dossier, _giver, receiver, officer = parties
    applications.decline_participation(dossier.id, receiver, REASON, utcnow())
    db_session.commit()
    page = text(browser(app, officer).get(f"/behandeling/dossiers/{dossier.id}"))
    assert "Neemt niet deel (gemeld op" in page and REASON in page
