"""A session that expires while someone types loses nothing: the post is kept and offered back."""

import html
import io
import re

from sqlalchemy import func, select

from portal.models import Application, FormRescue, StoredFile, UserSession
from portal.services import accounts
from tests.conftest import PASSWORD, csrf_token, make_user
from tests.factories import complete_draft, municipality, open_call, pdf_bytes


def expire_sessions(db_session, user):
    accounts.revoke_sessions(user)
    db_session.commit()


def resend_form(page: str) -> dict[str, list[str]]:
    """The fields of the "send again" form, as the browser would post them."""
    form = next(f for f in re.findall(r"<form.*?</form>", page, re.S) if 'name="_rescue"' in f)
    data: dict[str, list[str]] = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', form):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
        data.setdefault(name, []).append(value)
    return data


def login(client, user):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"csrf_token": token, "email": user.email, "password": PASSWORD})


def test_text_posted_after_the_session_expired_is_offered_back_after_login(client, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    login(client, applicant)
    path = f"/mijn-dossiers/{draft.id}/uitwisseling"
    token = csrf_token(client, path)
    expire_sessions(db_session, applicant)  # e.g. a long meeting

    posted = {
        "csrf_token": token, "exchange_type": "stage", "themes": ["lokale_regie"], "rights": ["03"],
        "approach": "Een lange tekst die niet verloren mag gaan", "need": "Nood", "goals": "Doelen",
        "participation": "Participatie", "embedding": "Verankering", "save": "y",
    }  # fmt: skip
    response = client.post(path, data=posted)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uw sessie was verlopen" in page
    db_session.refresh(draft)
    assert draft.approach != posted["approach"]  # nothing saved without a login

    token = csrf_token(client, "/inloggen")
    response = client.post(
        "/inloggen",
        query_string={"next": path},
        data={"csrf_token": token, "email": applicant.email, "password": PASSWORD},
    )
    assert response.headers["Location"].endswith(path)
    page = client.get(path).get_data(as_text=True)
    assert "Wat u verstuurde, is bewaard" in page and "Een lange tekst die niet verloren mag gaan" in page
    # The fields by their labels and the chosen codes by their names, as the form showed them; no buttons.
    kept = re.search(r"data-kept>(.*?)</dl>", page, re.S).group(1)
    assert "Vorm van uitwisseling" in kept and "Welke succesvolle aanpak wordt geïntroduceerd?" in kept
    assert "Lokale regie" in kept and "Inkomen" in kept  # theme lokale_regie, fundamental right 03
    assert "exchange_type" not in kept and "lokale_regie" not in kept and "save" not in kept

    data = resend_form(page)
    response = client.post(path, data=data)
    assert response.status_code == 302
    db_session.refresh(draft)
    assert draft.approach == "Een lange tekst die niet verloren mag gaan" and draft.exchange_type == "stage"
    assert db_session.scalar(select(FormRescue)) is None  # used once, then gone
    assert "Wat u verstuurde" not in client.get(path).get_data(as_text=True)


def test_a_file_uploaded_after_the_session_expired_is_kept_too(client, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    login(client, applicant)
    path = f"/mijn-dossiers/{draft.id}/bijlagen"
    token = csrf_token(client, path)
    expire_sessions(db_session, applicant)
    new_pdf = pdf_bytes(pages=4)
    client.post(
        path,
        data={"csrf_token": token, "agreement-csrf_token": token, "agreement-upload": "y",
              "agreement-document": (io.BytesIO(new_pdf), "getekende-overeenkomst.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    token = csrf_token(client, "/inloggen")
    client.post(
        "/inloggen",
        query_string={"next": path},
        data={"csrf_token": token, "email": applicant.email, "password": PASSWORD},
    )
    page = client.get(path).get_data(as_text=True)
    assert "getekende-overeenkomst.pdf" in page
    data = resend_form(page)
    data["agreement-csrf_token"] = data["csrf_token"]
    assert client.post(path, data=data).status_code == 302
    db_session.refresh(draft)
    attachment = next(a for a in draft.attachments if a.kind == "agreement")
    assert attachment.original_name == "getekende-overeenkomst.pdf"


def test_kept_input_can_be_thrown_away_and_never_reaches_another_user(app, client, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    login(client, applicant)
    path = f"/mijn-dossiers/{draft.id}/budget"
    token = csrf_token(client, path)
    expire_sessions(db_session, applicant)
    client.post(path, data={"csrf_token": token, "iban": "BE71 0961 2345 6769", "save": "y"})
    # Someone else signing in on another browser never sees it.
    other_browser = app.test_client()
    login(other_browser, applicant)
    assert "Wat u verstuurde" not in other_browser.get(path).get_data(as_text=True)
    # The user who typed it chooses not to keep it.
    token = csrf_token(client, "/inloggen")
    client.post(
        "/inloggen",
        query_string={"next": path},
        data={"csrf_token": token, "email": applicant.email, "password": PASSWORD},
    )
    page = client.get(path).get_data(as_text=True)
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(path, data={"csrf_token": fresh, "_rescue_discard": "1"}).status_code == 302
    assert db_session.scalar(select(FormRescue)) is None
    db_session.refresh(draft)
    assert draft.iban == "BE68539007547034"
    assert (
        db_session.scalar(
            select(UserSession).where(UserSession.user_id == applicant.id, UserSession.revoked_at.is_(None))
        )
        is not None
    )
    assert db_session.get(Application, draft.id).state == "draft"


def test_kept_input_is_never_offered_to_the_next_user_of_the_same_browser(client, db_session):
    gent = make_user("applicant")
    draft = complete_draft(gent, open_call())
    tielt = make_user("applicant", organisation=municipality("37022"))
    db_session.commit()
    login(client, gent)
    path = f"/mijn-dossiers/{draft.id}/uitwisseling"
    token = csrf_token(client, path)
    expire_sessions(db_session, gent)
    client.post(path, data={"csrf_token": token, "approach": "Tekst van Gent", "save": "y"})
    token = csrf_token(client, "/inloggen")
    client.post(
        "/inloggen", query_string={"next": path}, data={"csrf_token": token, "email": tielt.email, "password": PASSWORD}
    )
    response = client.get(path)
    assert response.status_code == 404
    assert "Tekst van Gent" not in response.get_data(as_text=True)
    assert "Wat u verstuurde" not in client.get("/mijn-dossiers/").get_data(as_text=True)


def test_nothing_is_kept_from_a_post_without_this_browsers_csrf_token(app, client, db_session):
    victim = make_user("applicant")
    draft = complete_draft(victim, open_call())
    db_session.commit()
    login(client, victim)
    expire_sessions(db_session, victim)
    # A form on another site posts into the portal; it cannot know the browser's CSRF token.
    response = client.post(f"/mijn-dossiers/{draft.id}/budget", data={"iban": "NL91 ABNA 0417 1643 00", "save": "y"})
    assert "/inloggen" in response.headers["Location"]
    assert db_session.scalar(select(FormRescue)) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is bewaard" not in page


def test_an_anonymous_post_writes_no_file(app, client, db_session):
    before = db_session.scalar(select(func.count()).select_from(StoredFile))
    client.post(
        "/mijn-dossiers/987654/bijlagen",
        data={"x": (io.BytesIO(b"A" * 100_000), "junk.bin")},
        content_type="multipart/form-data",
    )
    assert db_session.scalar(select(func.count()).select_from(StoredFile)) == before
    assert db_session.scalar(select(FormRescue)) is None


def test_a_kept_file_is_deleted_when_the_user_throws_it_away(app, client, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    login(client, applicant)
    path = f"/mijn-dossiers/{draft.id}/bijlagen"
    token = csrf_token(client, path)
    expire_sessions(db_session, applicant)
    client.post(
        path,
        data={"csrf_token": token, "agreement-upload": "y", "agreement-document": (io.BytesIO(pdf_bytes()), "x.pdf")},
        content_type="multipart/form-data",
    )
    kept = db_session.scalar(select(FormRescue))
    stored = kept.files[0]["stored_name"]
    assert db_session.get(StoredFile, stored) is not None
    token = csrf_token(client, "/inloggen")
    client.post(
        "/inloggen",
        query_string={"next": path},
        data={"csrf_token": token, "email": applicant.email, "password": PASSWORD},
    )
    page = client.get(path).get_data(as_text=True)
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(path, data={"csrf_token": fresh, "_rescue_discard": "1"})
    db_session.expire_all()
    assert db_session.get(StoredFile, stored) is None
