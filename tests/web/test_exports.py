"""The export pages through the test client: downloads for officers and finance, unknown exports,
and the payment files (SEPA pain.001) that only finance makes, once, and every download repeats."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, PaymentBatch
from portal.services import decisions, payouts
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import open_call, scored_dossier, submitted_dossier
from workflows.calls import BRUSSELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING = "Er zijn geen goedgekeurde overschrijvingen die nog niet in een betaalbestand staan."


def browser(app, role):
    user = make_user(role)
    signed_in = app.test_client()
    sign_in(signed_in, user)
    return signed_in, user


def today():
    return datetime.now(BRUSSELS).date()


def approved_advance():
    """A granted dossier of a call with a 40 % advance, approved by finance: ready to transfer."""
    officer = make_user("officer")
    dossier = scored_dossier(
        open_call("ARM-WEB", advance_percent=40), officer, [make_user("reviewer"), make_user("reviewer")]
    )
    decisions.grant(dossier.id, officer)
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, make_user("finance"))
    return advance


@pytest.mark.parametrize("role", ["officer", "finance"])
@pytest.mark.parametrize("dataset", ["dossiers", "scores", "payouts"])
@pytest.mark.parametrize(("fmt", "mimetype"), [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX)])
def test_officers_and_finance_download_every_export(app, db_session, role, dataset, fmt, mimetype):
    client, _user = browser(app, role)
    response = client.get(f"/behandeling/export/{dataset}.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    assert f"filename={dataset}-{today().isoformat()}.{fmt}" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")
    else:
        assert response.data.startswith(b"PK")  # a zip, as every XLSX


@pytest.mark.parametrize(
    "path", ["/behandeling/export/geheimen.csv", "/behandeling/export/dossiers.pdf", "/behandeling/export/dossiers"]
)
def test_an_unknown_export_is_not_found(app, db_session, path):
    client, _user = browser(app, "officer")
    assert client.get(path).status_code == 404


def test_other_roles_may_not_export(app, db_session):
    client, _user = browser(app, "reviewer")
    assert client.get("/behandeling/export/scores.csv").status_code == 403


def test_the_export_page_links_the_downloads_and_the_payment_files(app, db_session):
    for role in ("officer", "finance"):
        client, _user = browser(app, role)
        page = client.get("/behandeling/export").get_data(as_text=True)
        links = set(re.findall(r'href="(/behandeling/export/[a-z]+\.(?:csv|xlsx))"', page))
        assert links == {
            f"/behandeling/export/{d}.{f}" for d in ("dossiers", "scores", "payouts") for f in ("csv", "xlsx")
        }
        assert 'href="/financien/betaalbestanden"' in page


def day_fields(day):
    return {"execution_on": [str(day.day), str(day.month), str(day.year)]}


def test_an_officer_sees_the_payment_files_but_may_not_make_one(app, db_session):
    approved_advance()
    client, _user = browser(app, "officer")
    page = client.get("/financien/betaalbestanden").get_data(as_text=True)
    assert 'data-ready="1"' in page and "Betaalbestand maken" not in page
    assert client.post("/financien/betaalbestanden", data=day_fields(today())).status_code == 403


def test_with_nothing_approved_finance_is_told_so_in_dutch(app, db_session):
    client, _user = browser(app, "finance")
    token = csrf_token(client, "/financien/")
    response = client.post("/financien/betaalbestanden", data={"csrf_token": token, **day_fields(today())})
    assert response.status_code == 302 and response.headers["Location"].endswith("/financien/betaalbestanden")
    assert NOTHING in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PaymentBatch)) == 0


def test_two_downloads_and_a_retried_post_give_one_payment_file(app, db_session):
    advance = approved_advance()
    client, user = browser(app, "finance")
    page = client.get("/financien/betaalbestanden").get_data(as_text=True)
    assert 'data-ready="1"' in page
    token = csrf_token(client, "/financien/betaalbestanden")
    later = today() + timedelta(days=5)
    response = client.post("/financien/betaalbestanden", data={"csrf_token": token, **day_fields(later)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is gemaakt met 1 betaling." in page
    batch = db_session.scalar(select(PaymentBatch))
    assert batch.created_by_id == user.id and batch.execution_on == later
    db_session.refresh(advance)
    assert advance.state == "in_file"

    # A browser retry or a double click posts the same form again: no second file.
    retry = client.post("/financien/betaalbestanden", data={"csrf_token": token, **day_fields(later)})
    assert retry.status_code == 302 and NOTHING in client.get(retry.headers["Location"]).get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PaymentBatch)) == 1

    # Downloads give the stored file, byte for byte, and write nothing.
    audit_rows = db_session.scalar(select(func.count()).select_from(AuditEntry))
    first = client.get(f"/financien/betaalbestanden/{batch.id}/pain001.xml")
    second = client.get(f"/financien/betaalbestanden/{batch.id}/pain001.xml")
    assert first.status_code == second.status_code == 200
    assert first.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert f"filename=pain001-{batch.message_id}.xml" in first.headers["Content-Disposition"]
    assert first.data == second.data == batch.content
    assert first.data.count(b"<MsgId>") == 1 and f"<MsgId>{batch.message_id}</MsgId>".encode() in first.data
    assert f"<EndToEndId>{advance.end_to_end_id}</EndToEndId>".encode() in first.data
    assert f"<ReqdExctnDt>{later.isoformat()}</ReqdExctnDt>".encode() in first.data
    client.get(f"/financien/betaalbestanden/{batch.id}")
    client.get("/financien/betaalbestanden")
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows  # a GET never writes


@pytest.mark.parametrize(("typed", "message"), [
    (["1", "1", "2000"], "De uitvoeringsdatum moet vandaag of later zijn"),
    (["30", "2", "2026"], "Vul een bestaande datum in"),
    (["", "", ""], "Vul de uitvoeringsdatum in"),
])  # fmt: skip
def test_a_past_or_invalid_execution_date_is_refused_with_what_was_typed(app, db_session, typed, message):
    approved_advance()
    client, _user = browser(app, "finance")
    token = csrf_token(client, "/financien/betaalbestanden")
    response = client.post("/financien/betaalbestanden", data={"csrf_token": token, "execution_on": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'href="#execution_on"' in page  # the error summary links the field
    if typed[2]:
        assert f'value="{typed[2]}"' in page
    assert db_session.scalar(select(func.count()).select_from(PaymentBatch)) == 0


def test_without_the_administrations_account_no_payment_file_is_made(app, db_session, monkeypatch):
    approved_advance()
    monkeypatch.setitem(app.config, "SEPA_DEBTOR_IBAN", "")
    client, _user = browser(app, "finance")
    token = csrf_token(client, "/financien/betaalbestanden")
    response = client.post("/financien/betaalbestanden", data={"csrf_token": token, **day_fields(today())})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De rekening van de administratie voor overschrijvingen is niet ingesteld (SEPA_DEBTOR_IBAN)." in page
    assert db_session.scalar(select(func.count()).select_from(PaymentBatch)) == 0


def test_an_unknown_payment_file_is_not_found(app, db_session):
    client, _user = browser(app, "finance")
    assert client.get("/financien/betaalbestanden/999999").status_code == 404
    assert client.get("/financien/betaalbestanden/999999/pain001.xml").status_code == 404


def test_each_export_can_be_narrowed_to_one_call(app, db_session):
    first, second = open_call("ARM-EEN"), open_call("ARM-TWEE")
    mine, other = submitted_dossier(first), submitted_dossier(second, receiving_nis="37022")
    db_session.commit()
    officer = app.test_client()
    sign_in(officer, make_user("officer"))
    page = officer.get(f"/behandeling/export?oproep={first.id}").get_data(as_text=True)
    assert "De downloads bevatten enkel de oproep ARM-EEN." in page
    assert f"/behandeling/export/dossiers.csv?oproep={first.id}" in page
    response = officer.get(f"/behandeling/export/dossiers.csv?oproep={first.id}")
    text = response.get_data(as_text=True)
    assert mine.reference in text and other.reference not in text
    assert "ARM-EEN" in response.headers["Content-Disposition"]
    everything = officer.get("/behandeling/export/dossiers.csv").get_data(as_text=True)
    assert mine.reference in everything and other.reference in everything
    assert officer.get("/behandeling/export/dossiers.csv?oproep=999999").status_code == 404
    assert officer.get("/behandeling/export?oproep=abc").status_code == 404
