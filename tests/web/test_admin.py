"""Administration of users and organisations."""

from sqlalchemy import select

from portal.models import AuditEntry, Organisation
from tests.conftest import csrf_token, make_user, sign_in


def test_the_organisations_page_lists_the_municipalities_and_searches(client):
    sign_in(client, make_user("admin"))
    page = client.get("/beheer/organisaties").get_data(as_text=True)
    assert "287 organisaties" in page  # 285 municipalities, VVSG and ABB
    page = client.get("/beheer/organisaties?q=44021").get_data(as_text=True)
    assert "1 organisatie" in page and "Gent" in page and "Oost-Vlaanderen" in page


def test_an_admin_renames_an_organisation_and_it_is_audited(client, db_session):
    sign_in(client, make_user("admin"))
    org = db_session.scalar(select(Organisation).where(Organisation.nis_code == "11001"))
    token = csrf_token(client, f"/beheer/organisaties/{org.id}")
    empty = client.post(f"/beheer/organisaties/{org.id}", data={"csrf_token": token, "name": ""})
    assert "Vul de naam in" in empty.get_data(as_text=True)
    client.post(
        f"/beheer/organisaties/{org.id}", data={"csrf_token": token, "name": "Aartselaar (gemeente)", "is_active": "y"}
    )
    db_session.refresh(org)
    assert org.name == "Aartselaar (gemeente)"
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.changed")) is not None


def test_an_admin_deactivates_an_account_and_its_sessions_end(app, client, db_session):
    sign_in(client, make_user("admin"))
    user = make_user("applicant")
    their_browser = app.test_client()
    sign_in(their_browser, user)
    token = csrf_token(client, f"/beheer/gebruikers/{user.id}")
    response = client.post(
        f"/beheer/gebruikers/{user.id}",
        data={"csrf_token": token, "role": "applicant", "organisation_id": str(user.organisation_id)},
    )
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.role == "applicant" and not user.is_active
    assert their_browser.get("/mijn-dossiers/").status_code == 302  # signed out at once


def test_an_admin_cannot_lock_themselves_out(client, db_session):
    admin = make_user("admin")
    sign_in(client, admin)
    token = csrf_token(client, f"/beheer/gebruikers/{admin.id}")
    page = client.post(
        f"/beheer/gebruikers/{admin.id}",
        data={
            "csrf_token": token,
            "role": "applicant",
            "organisation_id": str(admin.organisation_id),
            "is_active": "y",
        },
    ).get_data(as_text=True)
    assert "U kunt uw eigen beheerdersrol of account niet uitschakelen" in page


def test_an_unknown_user_or_organisation_is_a_404(client):
    sign_in(client, make_user("admin"))
    assert client.get("/beheer/gebruikers/999999").status_code == 404
    assert client.get("/beheer/organisaties/999999").status_code == 404


def test_a_new_role_signs_the_user_out_so_the_next_login_asks_what_the_role_needs(app, client, db_session):
    admin = make_user("admin")
    sign_in(client, admin)
    user = make_user("applicant")
    their_browser = app.test_client()
    sign_in(their_browser, user)
    token = csrf_token(client, f"/beheer/gebruikers/{user.id}")
    client.post(  # an administrator belongs to the agency: the account moves there with its new role
        f"/beheer/gebruikers/{user.id}",
        data={"csrf_token": token, "role": "admin", "organisation_id": str(admin.organisation_id), "is_active": "y"},
    )
    db_session.refresh(user)
    assert user.role == "admin" and user.is_active
    # The session that passed no second step does not become an admin session.
    assert their_browser.get("/beheer/gebruikers").status_code == 302
