"""The export pages through the test client: downloads for officers and finance, unknown exports,
and the SEPA file that only finance may take (with the Dutch message when there is nothing to transfer)."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEntry
from portal.services import decisions, payouts
from tests.conftest import make_user, sign_in
from tests.factories import open_call, scored_dossier
from workflows.calls import BRUSSELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING = "Er zijn geen goedgekeurde uitbetalingen om over te maken."


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
    dossier = scored_dossier(open_call("ARM-WEB", advance_percent=40), officer, [make_user("reviewer"), make_user("reviewer")])
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


@pytest.mark.parametrize("path", ["/behandeling/export/geheimen.csv", "/behandeling/export/dossiers.pdf", "/behandeling/export/dossiers"])
def test_an_unknown_export_is_not_found(app, db_session, path):
    client, _user = browser(app, "officer")
    assert client.get(path).status_code == 404


def test_other_roles_may_not_export(app, db_session):
    client, _user = browser(app, "reviewer")
    assert client.get("/behandeling/export/scores.csv").status_code == 403


def test_the_export_page_links_the_downloads_and_only_finance_sees_the_sepa_file(app, db_session):
    officer, _user = browser(app, "officer")
    page = officer.get("/behandeling/export").get_data(as_text=True)
    links = set(re.findall(r'href="(/behandeling/export/[a-z]+\.(?:csv|xlsx))"', page))
    assert links == {f"/behandeling/export/{d}.{f}" for d in ("dossiers", "scores", "payouts") for f in ("csv", "xlsx")}
    assert "sepa.xml" not in page
    finance, _user = browser(app, "finance")
    assert 'href="/behandeling/export/sepa.xml"' in finance.get("/behandeling/export").get_data(as_text=True)


def test_an_officer_may_not_take_the_sepa_file(app, db_session):
    approved_advance()
    client, _user = browser(app, "officer")
    assert client.get("/behandeling/export/sepa.xml").status_code == 403


def test_with_nothing_approved_finance_is_told_so_in_dutch(app, db_session):
    client, _user = browser(app, "finance")
    response = client.get("/behandeling/export/sepa.xml")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/financien/")
    assert NOTHING in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "payouts.sepa_exported")) is None


def test_finance_takes_the_sepa_file_for_today_or_a_later_day_and_it_is_audited(app, db_session):
    advance = approved_advance()
    client, user = browser(app, "finance")
    response = client.get("/behandeling/export/sepa.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert f"filename=sepa-{today().isoformat()}.xml" in response.headers["Content-Disposition"]
    xml = response.get_data(as_text=True)
    assert f"<EndToEndId>{advance.end_to_end_id}</EndToEndId>" in xml
    assert f"<ReqdExctnDt>{today().isoformat()}</ReqdExctnDt>" in xml
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "payouts.sepa_exported"))
    assert entry.actor_id == user.id and entry.details["payout_ids"] == [advance.id]

    later = today() + timedelta(days=5)
    response = client.get(f"/behandeling/export/sepa.xml?uitvoering={later.isoformat()}")
    assert f"<ReqdExctnDt>{later.isoformat()}</ReqdExctnDt>" in response.get_data(as_text=True)


@pytest.mark.parametrize("asked", ["2000-01-01", "morgen", "2026-02-30"])
def test_a_past_or_invalid_execution_date_is_refused_rather_than_replaced(app, db_session, asked):
    approved_advance()
    client, _user = browser(app, "finance")
    response = client.get(f"/behandeling/export/sepa.xml?uitvoering={asked}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/behandeling/export")
    assert "De uitvoeringsdatum moet een geldige datum zijn" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "payouts.sepa_exported")) is None


def test_without_the_administrations_account_no_sepa_file_is_made(app, db_session, monkeypatch):
    approved_advance()
    monkeypatch.setitem(app.config, "SEPA_DEBTOR_IBAN", "")
    client, _user = browser(app, "finance")
    response = client.get("/behandeling/export/sepa.xml")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De rekening van de administratie voor overschrijvingen is niet ingesteld (SEPA_DEBTOR_IBAN)." in page
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "payouts.sepa_exported")) is None
