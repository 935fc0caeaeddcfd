"""Who sees what of an application: the giving government edits, the receiving one reads and confirms,
anyone else gets a 404; attachments are refused clearly when they are not a good PDF."""

import gc
import io
import sys

import pytest
from sqlalchemy import select

from portal.models import Application, AuditEntry
from portal.services import applications
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, municipality, open_call, pdf_bytes


def submitted(db_session, applicant):
    application = complete_draft(applicant, open_call())
    result = applications.submit(application.id, applicant, declared=True)
    assert result.submission is not None
    db_session.commit()
    return application


PAGES = [
    "", "/partijen", "/uitwisseling", "/mentoren", "/mentoren/nieuw", "/budget", "/bijlagen",
    "/bijlagen/action_plan", "/controleren", "/bevestiging", "/ontvangstbewijs.pdf", "/intrekken",
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_another_government_gets_a_404_for_every_page_of_a_dossier(app, db_session, page):
    giver = make_user("applicant")
    application = submitted(db_session, giver)
    outsider = make_user("applicant", organisation=municipality("37022"))  # Tielt: no party
    browser = app.test_client()
    sign_in(browser, outsider)
    assert browser.get(f"/mijn-dossiers/{application.id}{page}").status_code == 404


def test_another_government_cannot_post_to_a_dossier_either(app, db_session):
    application = submitted(db_session, make_user("applicant"))
    outsider = make_user("applicant", organisation=municipality("37022"))
    browser = app.test_client()
    sign_in(browser, outsider)
    token = csrf_token(browser, "/account/")
    for path in ("/deelname-bevestigen", "/intrekken", "/controleren"):
        assert (
            browser.post(
                f"/mijn-dossiers/{application.id}{path}", data={"csrf_token": token, "confirm": "y"}
            ).status_code
            == 404
        )
    assert db_session.get(Application, application.id).state == "submitted"


def test_the_receiving_government_sees_no_draft(app, db_session):
    draft = complete_draft(make_user("applicant"), open_call())
    db_session.commit()
    receiver = make_user("applicant", organisation=municipality("45041"))
    browser = app.test_client()
    sign_in(browser, receiver)
    assert browser.get(f"/mijn-dossiers/{draft.id}").status_code == 404
    assert "Aanvragen waarin ons bestuur" not in browser.get("/mijn-dossiers/").get_data(as_text=True)


def test_the_receiving_government_reads_and_confirms_its_participation(app, db_session):
    giver = make_user("applicant")
    application = submitted(db_session, giver)
    receiver = make_user("applicant", organisation=municipality("45041"))
    browser = app.test_client()
    sign_in(browser, receiver)
    dashboard = browser.get("/mijn-dossiers/").get_data(as_text=True)
    assert application.reference in dashboard and "Nog te bevestigen" in dashboard
    page = browser.get(f"/mijn-dossiers/{application.id}").get_data(as_text=True)
    assert "U kunt ze lezen, niet wijzigen" in page and "Wijzigen" not in page
    assert browser.get(f"/mijn-dossiers/{application.id}/partijen").status_code == 404
    assert browser.get(f"/mijn-dossiers/{application.id}/ontvangstbewijs.pdf").status_code == 200
    token = csrf_token(browser, f"/mijn-dossiers/{application.id}")
    response = browser.post(f"/mijn-dossiers/{application.id}/deelname-bevestigen", data={"csrf_token": token})
    assert response.status_code == 302
    db_session.refresh(application)
    assert application.receiving_confirmed_by_id == receiver.id and application.receiving_confirmed_at is not None
    # The giving government sees the confirmation.
    giver_browser = app.test_client()
    sign_in(giver_browser, giver)
    assert "Bevestigd op" in giver_browser.get(f"/mijn-dossiers/{application.id}").get_data(as_text=True)
    assert (
        db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.participation_confirmed"))
        is not None
    )


def test_the_giving_government_cannot_confirm_for_the_receiver(client, db_session):
    giver = make_user("applicant")
    application = submitted(db_session, giver)
    sign_in(client, giver)
    token = csrf_token(client, f"/mijn-dossiers/{application.id}")
    assert (
        client.post(f"/mijn-dossiers/{application.id}/deelname-bevestigen", data={"csrf_token": token}).status_code
        == 404
    )


def test_colleagues_of_the_same_government_work_on_the_same_draft(app, db_session):
    first, second = make_user("applicant"), make_user("applicant")
    draft = complete_draft(first, open_call())
    db_session.commit()
    browser = app.test_client()
    sign_in(browser, second)
    assert browser.get(f"/mijn-dossiers/{draft.id}/partijen").status_code == 200


def test_withdrawing_asks_for_confirmation_and_is_audited(client, db_session):
    giver = make_user("applicant")
    application = submitted(db_session, giver)
    sign_in(client, giver)
    base = f"/mijn-dossiers/{application.id}/intrekken"
    token = csrf_token(client, base)
    page = client.post(base, data={"csrf_token": token, "reason": "Het ontvangende bestuur haakt af"}).get_data(
        as_text=True
    )
    assert "Bevestig dat u de aanvraag wilt intrekken" in page and "Het ontvangende bestuur haakt af" in page
    assert db_session.get(Application, application.id).state == "submitted"
    response = client.post(
        base, data={"csrf_token": token, "reason": "Het ontvangende bestuur haakt af", "confirm": "y"}
    )
    assert response.status_code == 302
    db_session.refresh(application)
    assert application.state == "withdrawn" and application.withdrawal_reason == "Het ontvangende bestuur haakt af"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "application.withdrawn"))
    assert (entry.from_state, entry.to_state, entry.actor_id) == ("submitted", "withdrawn", giver.id)
    # Once withdrawn, there is nothing left to withdraw.
    assert client.get(base).status_code == 302


@pytest.fixture
def werkzeug_spool_cleanup():
    """werkzeug's test client spools a large multipart body to a temporary file it never closes;
    collect it here, quietly, so its ResourceWarning does not surface in some later test."""
    yield
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


def upload(client, application_id, kind, data, name):
    token = csrf_token(client, f"/mijn-dossiers/{application_id}/bijlagen")
    return client.post(
        f"/mijn-dossiers/{application_id}/bijlagen",
        data={
            "csrf_token": token,
            f"{kind}-csrf_token": token,
            f"{kind}-upload": "y",
            f"{kind}-document": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 this is a zipped Word file" + b"\x00" * 200, "actieplan.pdf", "Het bestand is geen PDF"),
        (b"", "leeg.pdf", "Het gekozen bestand is leeg"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> broken beyond repair", "kapot.pdf", "Het PDF-bestand is beschadigd"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1), "groot.pdf", "Het bestand is groter dan 10 MB"),
    ],
    ids=["renamed non-PDF", "empty", "broken PDF", "oversized"],
)
def test_a_bad_attachment_gets_a_clear_message_and_the_old_one_stays(
    client, db_session, data, name, message, werkzeug_spool_cleanup
):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    before = draft.attachment("action_plan").sha256
    response = upload(client, draft.id, "action_plan", data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "Er is een probleem" in page
    db_session.refresh(draft)
    assert draft.attachment("action_plan").sha256 == before


def test_no_file_chosen_gets_a_message(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    token = csrf_token(client, f"/mijn-dossiers/{draft.id}/bijlagen")
    page = client.post(
        f"/mijn-dossiers/{draft.id}/bijlagen",
        data={"csrf_token": token, "agreement-csrf_token": token, "agreement-upload": "y"},
    ).get_data(as_text=True)
    assert "Kies een bestand om op te laden" in page


def test_a_good_pdf_replaces_the_earlier_one_and_downloads_as_uploaded(client, db_session):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    new = pdf_bytes(pages=3)
    assert upload(client, draft.id, "agreement", new, "overeenkomst-ondertekend.pdf").status_code == 302
    download = client.get(f"/mijn-dossiers/{draft.id}/bijlagen/agreement")
    assert download.data == new
    assert "overeenkomst-ondertekend.pdf" in download.headers["Content-Disposition"]


def test_a_request_over_the_hard_limit_gets_a_clear_page(app, client, db_session, werkzeug_spool_cleanup):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    response = upload(client, draft.id, "agreement", b"%PDF" + b"0" * app.config["MAX_CONTENT_LENGTH"], "huge.pdf")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


def test_a_withdrawn_draft_never_reaches_the_receiving_government(app, db_session):
    giver = make_user("applicant")
    draft = complete_draft(giver, open_call())
    applications.withdraw(draft.id, giver, "")
    db_session.commit()
    receiver = make_user("applicant", organisation=municipality("45041"))
    browser = app.test_client()
    sign_in(browser, receiver)
    assert [browser.get(f"/mijn-dossiers/{draft.id}{p}").status_code for p in ("", "/bijlagen/agreement")] == [404, 404]
    assert "Aanvragen waarin ons bestuur" not in browser.get("/mijn-dossiers/").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["Infinity", "NaN", "sNaN", "-5", "0", "100,001", "150"])
def test_an_impossible_time_share_is_refused_with_a_message(client, db_session, typed):
    applicant = make_user("applicant")
    sign_in(client, applicant)
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    path = f"/mijn-dossiers/{draft.id}/mentoren/{draft.mentors[0].id}"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "time_share": typed, "save": "y"})
    assert response.status_code == 400
    assert "Vul een percentage" in response.get_data(as_text=True)
    db_session.refresh(draft.mentors[0])
    assert draft.mentors[0].time_share_bp == 5_000  # the earlier, valid value stays
