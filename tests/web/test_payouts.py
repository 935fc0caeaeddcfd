"""The final report and the payouts through the pages: the applicant reports, the officer accepts, a
second user approves, finance records the payment; the money trail is right at every step; every
refusal is shown in Dutch and nothing typed is lost."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.models import AuditEntry
from portal.services import payouts
from portal.services.seed import sample_report
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import granted_dossier, municipality, open_call, payout_people, pdf_bytes, scored_dossier, to_bank
from workflows.calls import BRUSSELS

ASKED = "EUR\u00a05.400,00"


@pytest.fixture
def staff(db_session):
    return payout_people()


def browser(app, user):
    signed_in = app.test_client()
    sign_in(signed_in, user)
    return signed_in


def after(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def brussels_today():
    return utcnow().astimezone(BRUSSELS).date()


def figure(html, key):
    match = re.search(rf'data-figure="{key}">([^<]+)<', html)
    assert match, key
    return match.group(1)


def granted_with_applicant(staff, call=None, **kwargs):
    applicant = make_user("applicant", organisation=municipality("44021"))
    return granted_dossier(staff, call, applicant=applicant, **kwargs), applicant


def test_a_granted_dossier_goes_through_report_approval_by_a_second_user_and_payment(app, db_session, staff):
    # A trajectory planned from the first of this month: still running, whatever the day the test runs.
    dossier, applicant = granted_with_applicant(staff, start_on=brussels_today())
    gov = browser(app, applicant)
    report_url = f"/mijn-dossiers/{dossier.id}/eindrapport"
    assert "Eindrapport en betalingen" in gov.get(f"/mijn-dossiers/{dossier.id}").get_data(as_text=True)
    page = gov.get(report_url).get_data(as_text=True)
    assert figure(page, "committed") == ASKED and figure(page, "paid") == "EUR\u00a00,00"
    token = csrf_token(gov, report_url)

    # Nothing typed is lost on an error: an empty report is refused with the Dutch message.
    response = gov.post(report_url, data={"csrf_token": token, "achievements": ""})
    assert response.status_code == 400 and "Beschrijf wat het project heeft bereikt" in response.get_data(as_text=True)
    after(gov, gov.post(report_url, data={"csrf_token": token, "achievements": "De regierol is verankerd."}))

    # Three of the four months: the actual end date of the mentor moves forward.
    mentor = dossier.mentors[0]
    cost_url = f"{report_url}/mentoren/{mentor.id}"
    assert "5.400,00" in gov.get(cost_url).get_data(as_text=True)  # the planned cost, to correct
    refused = gov.post(
        cost_url,
        data={
            "csrf_token": token,
            "monthly_wage": "5.400,00",
            "time_share": "50",
            "start_on": ["1", "9", "2026"],
            "end_on": ["31", "8", "2026"],
        },
    )
    assert refused.status_code == 400 and "De einddatum valt voor de begindatum" in refused.get_data(as_text=True)
    assert 'value="5.400,00"' in refused.get_data(as_text=True)
    after(
        gov,
        gov.post(
            cost_url,
            data={
                "csrf_token": token,
                "monthly_wage": "5.400,00",
                "time_share": "50",
                "start_on": ["1", "9", "2026"],
                "end_on": ["30", "11", "2026"],
            },
        ),
    )

    # The evidence: a text file posing as a PDF is refused, a real PDF is kept.
    upload = f"{report_url}/bewijsstukken"
    refused = gov.post(
        upload,
        data={"csrf_token": token, "upload": "1", "document": (io.BytesIO(b"not a pdf at all"), "fiche.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "Het bestand is geen PDF" in refused.get_data(as_text=True)
    page = after(
        gov,
        gov.post(
            upload,
            data={"csrf_token": token, "upload": "1", "document": (io.BytesIO(pdf_bytes()), "loonfiches.pdf")},
            content_type="multipart/form-data",
        ),
    )
    assert "loonfiches.pdf" in page
    assert re.search(r'data-settlement="final">EUR\u00a04\.050,00<', page)  # 3 months at half-time, 50%
    # The trajectory runs until its planned end: the report waits, the page says from when and until when.
    assert "Uiterlijk in te dienen op" in page and "data-report-closed" in page
    page = after(gov, gov.post(f"{report_url}/indienen", data={"csrf_token": token}))
    assert "Het traject is nog niet afgelopen" in page and "Uw eindrapport is ingediend" not in page
    # The government declares that it ended today, and submits.
    today = brussels_today()
    page = after(
        gov,
        gov.post(
            f"{report_url}/einde-traject",
            data={
                "csrf_token": token,
                "ended_on": [str(today.day), str(today.month), str(today.year)],
                "reason": "De mentor rondde het werk vroeger af.",
            },
        ),
    )
    assert "U kunt het eindrapport nu indienen" in page
    page = after(gov, gov.post(f"{report_url}/indienen", data={"csrf_token": token}))
    assert "Uw eindrapport is ingediend" in page

    # The officer accepts: the balance is prepared, the unused commitment returns to the envelope.
    officer = browser(app, staff["officer"])
    trail_url = f"/behandeling/dossiers/{dossier.id}/geld"
    page = officer.get(trail_url).get_data(as_text=True)
    assert "De regierol is verankerd." in page and "Eindrapport aanvaarden en saldo voorbereiden" in page
    page = after(
        officer,
        officer.post(
            f"/behandeling/dossiers/{dossier.id}/eindrapport/aanvaarden",
            data={"csrf_token": csrf_token(officer, trail_url)},
        ),
    )
    assert "Het saldo van EUR\u00a04.050,00 wacht op goedkeuring" in page
    assert figure(page, "committed") == "EUR\u00a04.050,00" and figure(page, "outstanding") == "EUR\u00a04.050,00"
    db_session.refresh(dossier.call)
    assert dossier.call.committed_cents == 4_050_00

    # A finance user approves (the officer prepared it), and records the payment.
    (balance,) = payouts.payouts_of(dossier)
    finance = browser(app, staff["finance"])
    token = csrf_token(finance, "/financien/")
    page = after(finance, finance.post(f"/financien/uitbetalingen/{balance.id}/goedkeuren", data={"csrf_token": token}))
    assert "is goedgekeurd" in page
    today, tomorrow = brussels_today(), brussels_today() + timedelta(days=1)
    paid = {
        f"p{balance.id}-csrf_token": token,
        f"p{balance.id}-bank_reference": "BNK-77",
        f"p{balance.id}-paid_on": [str(today.day), str(today.month), str(today.year)],
    }
    # A transfer is recorded as paid only once it went to the bank in a payment file.
    page = after(finance, finance.post(f"/financien/uitbetalingen/{balance.id}/betaald", data=paid))
    assert "Een overschrijving gaat naar de bank in een betaalbestand." in page
    assert 'data-table="ready"' in page
    page = after(
        finance,
        finance.post(
            "/financien/betaalbestanden",
            data={"csrf_token": token, "execution_on": [str(today.day), str(today.month), str(today.year)]},
        ),
    )
    assert "Download pain001-" in page and f'data-awaiting="{balance.id}"' in page
    refused = finance.post(
        f"/financien/uitbetalingen/{balance.id}/betaald",
        data={**paid, f"p{balance.id}-paid_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]},
    )
    assert refused.status_code == 400 and "De datum van de betaling ligt in de toekomst." in refused.get_data(
        as_text=True
    )
    assert 'value="BNK-77"' in refused.get_data(as_text=True)
    refused = finance.post(
        f"/financien/uitbetalingen/{balance.id}/betaald", data={**paid, f"p{balance.id}-bank_reference": ""}
    )
    assert refused.status_code == 400 and "Vul de referentie van de bank in" in refused.get_data(as_text=True)
    page = after(finance, finance.post(f"/financien/uitbetalingen/{balance.id}/betaald", data=paid))
    assert "is geregistreerd als betaald" in page and "Betaalbestand" in page  # back on the payment file's page
    assert f'data-awaiting="{balance.id}"' not in page

    page = officer.get(trail_url).get_data(as_text=True)
    assert figure(page, "paid") == "EUR\u00a04.050,00" and figure(page, "outstanding") == "EUR\u00a00,00"
    assert 'data-state="closed"' in page and "BNK-77" in page
    # Who did what, in words: the steps as sentences and the states by their names, no codes.
    history = re.search(r'data-table="history"(.*?)</table>', page, re.S).group(1)
    assert "Betaling goedgekeurd" in history and "Betaling uitgevoerd" in history and "Toegekend" in history
    assert "Goedgekeurd → In een betaalbestand" in history and "In een betaalbestand → Betaald" in history
    assert "payout.paid" not in re.sub(r'data-action="[^"]*"', "", history) and "in_file" not in re.sub(
        r'data-action="[^"]*"', "", history
    )
    db_session.refresh(dossier.call)
    assert dossier.call.paid_cents == 4_050_00
    page = gov.get(report_url).get_data(as_text=True)
    assert figure(page, "paid") == "EUR\u00a04.050,00" and 'data-report-state="settled"' in page


def eur_text(cents):
    euros, rest = divmod(cents, 100)
    return f"EUR\u00a0{euros:,}".replace(",", ".") + f",{rest:02d}"


def test_a_finance_user_never_approves_a_payout_they_prepared(app, db_session, staff):
    dossier, _ = granted_with_applicant(staff, open_call("ARM-ADV", advance_percent=50))
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, staff["finance2"])
    to_bank(staff["finance2"])
    payouts.fail(advance.id, staff["finance2"], "Rekening afgesloten")
    finance = browser(app, staff["finance"])
    token = csrf_token(finance, "/financien/")
    after(
        finance,
        finance.post(f"/behandeling/uitbetalingen/{advance.id}/opnieuw-voorbereiden", data={"csrf_token": token}),
    )
    page = finance.get("/financien/").get_data(as_text=True)
    assert f'data-own="{advance.id}"' in page  # no approve button for one's own
    # The home page starts from the work: one payout to approve, with its amount, linked to its section.
    work = re.search(r'data-task="te-keuren"(.*?)</div>', page, re.S).group(1)
    assert "data-count>1<" in work and eur_text(advance.amount_cents) in work and 'href="#te-keuren"' in work
    assert "data-count>0<" in re.search(r'data-task="mislukt"(.*?)</div>', page, re.S).group(1)
    page = after(finance, finance.post(f"/financien/uitbetalingen/{advance.id}/goedkeuren", data={"csrf_token": token}))
    assert "U hebt deze betaling zelf voorbereid" in page
    db_session.refresh(advance)
    assert advance.state == "planned" and advance.prepared_by_id == staff["finance"].id
    assert db_session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "payout.planned", AuditEntry.entity_id == str(advance.id))
    )


def test_a_failed_payment_needs_a_reason(app, db_session, staff):
    dossier, _ = granted_with_applicant(staff, open_call("ARM-ADV", advance_percent=50))
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, staff["finance2"])
    to_bank(staff["finance2"])
    finance = browser(app, staff["finance"])
    token = csrf_token(finance, "/financien/")
    refused = finance.post(
        f"/financien/uitbetalingen/{advance.id}/mislukt",
        data={f"f{advance.id}-csrf_token": token, f"f{advance.id}-reason": " "},
    )
    assert refused.status_code == 400 and "Schrijf waarom de betaling mislukt is" in refused.get_data(as_text=True)
    page = after(
        finance,
        finance.post(
            f"/financien/uitbetalingen/{advance.id}/mislukt",
            data={f"f{advance.id}-csrf_token": token, f"f{advance.id}-reason": "IBAN onbekend"},
        ),
    )
    assert "geregistreerd als mislukt" in page


def test_an_incomplete_report_is_not_submitted_and_other_governments_see_nothing(app, db_session, staff):
    dossier, applicant = granted_with_applicant(staff)
    gov = browser(app, applicant)
    report_url = f"/mijn-dossiers/{dossier.id}/eindrapport"
    token = csrf_token(gov, report_url)
    page = after(gov, gov.post(f"{report_url}/indienen", data={"csrf_token": token}))
    assert "Het eindrapport is nog niet volledig" in page
    # The receiving government (Ronse) and a third one get a 404; so does a dossier not granted.
    for nis in ("45041", "11002"):
        other = browser(app, make_user("applicant", organisation=municipality(nis)))
        assert other.get(report_url).status_code == 404
    not_granted = scored_dossier(
        open_call(), staff["officer"], staff["reviewers"], receiving_nis="11002", applicant=applicant
    )
    assert gov.get(f"/mijn-dossiers/{not_granted.id}/eindrapport").status_code == 404


def test_the_officer_returns_a_report_with_a_question(app, db_session, staff):
    dossier, applicant = granted_with_applicant(staff)
    sample_report(dossier, applicant)
    officer = browser(app, staff["officer"])
    trail_url = f"/behandeling/dossiers/{dossier.id}/geld"
    token = csrf_token(officer, trail_url)
    refused = officer.post(
        f"/behandeling/dossiers/{dossier.id}/eindrapport/terugsturen", data={"csrf_token": token, "question": ""}
    )
    assert refused.status_code == 400 and "Schrijf wat het bestuur moet aanvullen of verbeteren" in refused.get_data(
        as_text=True
    )
    page = after(
        officer,
        officer.post(
            f"/behandeling/dossiers/{dossier.id}/eindrapport/terugsturen",
            data={"csrf_token": token, "question": "De loonfiche van oktober ontbreekt."},
        ),
    )
    assert "teruggestuurd" in page and 'data-report-state="draft"' in page
    # The government reads the question in its inbox and can change the report again.
    gov = browser(app, applicant)
    assert f"Dossier {dossier.reference}: uw eindrapport aanvullen" in gov.get("/account/berichten").get_data(
        as_text=True
    )
    assert f'action="/mijn-dossiers/{dossier.id}/eindrapport"' in gov.get(
        f"/mijn-dossiers/{dossier.id}/eindrapport"
    ).get_data(as_text=True)
