"""The privacy statement from settings and the calls' periods; 'download my data' for the user and, on a letter,
for the officer; the retention periods in the call form."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.models import AuditEntry
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, open_call
from tests.web.test_calls import call_form


def test_the_privacy_statement_names_the_controller_the_authority_and_each_calls_periods(app, client, db_session):
    open_call("ARM-PRIV", retention_granted_months=84, retention_refused_months=18, retention_listing_months=30)
    app.config["PRIVACY_DPO_EMAIL"] = "privacy@test.example"
    try:
        page = client.get("/privacy").get_data(as_text=True)
    finally:
        app.config["PRIVACY_DPO_EMAIL"] = "dpo.binnenland@vlaanderen.be"
    assert "Agentschap Binnenlands Bestuur" in page and "mailto:privacy@test.example" in page
    assert "Vlaamse Toezichtcommissie" in page and app.config["PRIVACY_AUTHORITY_URL"] in page
    assert "84 maanden" in page and "18 maanden" in page
    assert "30 maanden na de laatste wijziging" in page
    assert "/account/mijn-gegevens.json" in page
    for heading in ("Waarom en op welke grond", "Welke gegevens", "Wie ontvangt ze", "Hoe lang", "Uw rechten"):
        assert heading in page


def test_the_privacy_statement_reads_in_english(client, db_session):
    open_call("ARM-PRIV")
    with client.session_transaction() as session:
        session["language"] = "en"
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Privacy statement" in page and "Your rights" in page and "120 months" in page


def test_a_user_downloads_their_own_data_and_nobody_elses(client, db_session):
    call = open_call("ARM-PRIV")
    mine, other = make_user("applicant"), make_user("applicant")
    my_draft = complete_draft(mine, call)
    my_draft.giving_contact_email = mine.email
    other_draft = complete_draft(other, call)
    other_draft.giving_contact_name = "Iemand Anders"
    db_session.flush()
    sign_in(client, mine)

    response = client.get("/account/mijn-gegevens.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == mine.email and data["account"]["id"] == mine.id
    assert [d["giving_contact_email"] for d in data["dossiers"]] == [mine.email]
    assert "creator" in data["dossiers"][0]["your_role"] and "giving_contact" in data["dossiers"][0]["your_role"]
    assert data["sessions"] and all("token_hash" not in s for s in data["sessions"])
    assert "password_hash" not in data["account"]
    text = response.get_data(as_text=True)
    assert other.email not in text and "Iemand Anders" not in text
    assert client.get("/account/").get_data(as_text=True).count("mijn-gegevens.json") == 1


def test_an_officer_produces_a_persons_data_on_a_letter_and_it_is_audited(client, db_session):
    person, officer = make_user("applicant"), make_user("officer")
    sign_in(client, officer)
    token = csrf_token(client, "/behandeling/inzageverzoek")

    unknown = client.post(
        "/behandeling/inzageverzoek", data={"csrf_token": token, "email": "niemand@x.be", "letter_reference": "B1"}
    )
    assert unknown.status_code == 400 and "Er is geen gebruiker met dit e-mailadres" in unknown.get_data(as_text=True)
    empty = client.post("/behandeling/inzageverzoek", data={"csrf_token": token, "email": "", "letter_reference": ""})
    assert empty.status_code == 400 and "Vul het kenmerk van de brief in" in empty.get_data(as_text=True)

    response = client.post(
        "/behandeling/inzageverzoek",
        data={"csrf_token": token, "email": person.email.upper(), "letter_reference": "BRF-2026-17"},
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True))["account"]["id"] == person.id
    (entry,) = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.data_exported"))
    assert (entry.actor_id, entry.entity_id, entry.reason) == (officer.id, str(person.id), "BRF-2026-17")


def test_the_call_form_keeps_the_retention_periods_and_refuses_impossible_ones(client, db_session):
    from portal.models import Call

    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    bad = client.post("/behandeling/oproepen/nieuw", data=call_form(token, retention_refused_months="-1"))
    assert bad.status_code == 400 and "Vul een getal van 0 tot 600 in" in bad.get_data(as_text=True)
    client.post(
        "/behandeling/oproepen/nieuw",
        data=call_form(token, retention_granted_months="96", retention_refused_months="12"),
    )
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2027"))
    assert (call.retention_granted_months, call.retention_refused_months, call.retention_listing_months) == (
        96,
        12,
        12,
    )
