"""The administration's own handling of a dossier: an owner per dossier and internal notes that the
governments never see."""

import re

from sqlalchemy import select

from portal.models import Application, AuditEntry, DossierNote
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import open_call, submitted_dossier
from tests.web.test_committee_and_decisions import applicant_of


def officer_named(name):
    officer = make_user("officer")
    officer.full_name = name
    return officer


def _dossier(db_session):
    applicant = applicant_of("44021")
    dossier = submitted_dossier(open_call(), applicant=applicant)
    db_session.commit()
    return dossier, applicant


def test_an_officer_takes_a_dossier_and_finds_it_under_their_own_work(client, db_session):
    dossier, _ = _dossier(db_session)
    officer = officer_named("Olga Officier")
    colleague = officer_named("Cas Collega")
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    page = client.get(base).get_data(as_text=True)
    assert 'id="behandeling"' in page and "Cas Collega" in page and "Niemand" in page

    saved = client.post(f"{base}/behandelaar", data={"csrf_token": csrf_token(client, base), "owner": str(officer.id)})
    assert saved.status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).owner_id == officer.id
    assert "Olga Officier behandelt dit dossier nu." in client.get(base).get_data(as_text=True)

    home = client.get("/behandeling/").get_data(as_text=True)
    assert re.search(r'data-task="mijn-dossiers".*?data-count>1<', home, re.S)
    mine = client.get("/behandeling/dossiers?behandelaar=mij").get_data(as_text=True)
    assert dossier.reference in mine and "Olga Officier" in mine
    assert dossier.reference not in client.get("/behandeling/dossiers?behandelaar=niemand").get_data(as_text=True)

    # Handed to a colleague: it leaves this officer's list and joins the colleague's.
    client.post(f"{base}/behandelaar", data={"csrf_token": csrf_token(client, base), "owner": str(colleague.id)})
    assert dossier.reference not in client.get("/behandeling/dossiers?behandelaar=mij").get_data(as_text=True)
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "dossier.owner_assigned").order_by(AuditEntry.id)
    ).all()
    assert [(e.details["from_owner_id"], e.details["to_owner_id"]) for e in entries] == [
        (None, officer.id),
        (officer.id, colleague.id),
    ]

    # And back to nobody.
    client.post(f"{base}/behandelaar", data={"csrf_token": csrf_token(client, base), "owner": ""})
    db_session.expire_all()
    assert db_session.get(Application, dossier.id).owner_id is None
    assert dossier.reference in client.get("/behandeling/dossiers?behandelaar=niemand").get_data(as_text=True)


def test_only_an_active_officer_can_own_a_dossier(client, db_session):
    dossier, applicant = _dossier(db_session)
    officer = make_user("officer")
    gone = officer_named("Oud Officier")
    gone.is_active = False
    finance = make_user("finance")
    finance.full_name = "Fien Financiën"
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Oud Officier" not in page and "Fien Financiën" not in page
    for refused_id in (gone.id, finance.id, applicant.id, 99999999, "abc", "-1"):
        answer = client.post(
            f"{base}/behandelaar", data={"csrf_token": csrf_token(client, base), "owner": str(refused_id)}
        )
        assert answer.status_code == 400, refused_id
        assert "Kies een dossierbehandelaar uit de lijst" in answer.get_data(as_text=True)
    assert db_session.get(Application, dossier.id).owner_id is None
    assert not db_session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.owner_assigned")).all()


def test_notes_are_kept_as_a_log_for_the_administration_and_never_reach_the_governments(client, db_session):
    dossier, applicant = _dossier(db_session)
    officer = officer_named("Olga Officier")
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    note = "Gebeld met de ontvangende gemeente:\nbevestiging volgt <b>maandag</b>."
    added = client.post(f"{base}/notities", data={"csrf_token": csrf_token(client, base), "body": note})
    assert added.status_code == 302
    client.post(f"{base}/notities", data={"csrf_token": csrf_token(client, base), "body": "Tweede notitie"})
    page = client.get(base).get_data(as_text=True)
    assert "Uw notitie is toegevoegd." in page or "Tweede notitie" in page
    # Newest first, the author and the moment with each; the text escaped, its line break kept by the style sheet.
    assert page.index("Tweede notitie") < page.index("Gebeld met de ontvangende gemeente")
    assert "&lt;b&gt;maandag&lt;/b&gt;" in page and "<b>maandag</b>" not in page
    stored = db_session.scalars(select(DossierNote).order_by(DossierNote.id)).all()
    assert [n.body for n in stored] == [note, "Tweede notitie"] and {n.author_id for n in stored} == {officer.id}
    audited = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.note_added")).all()
    assert sorted(e.details["note_id"] for e in audited) == [n.id for n in stored]
    assert all(note not in str(e.details) for e in audited)  # the words stay in the note

    # The applying government reads its dossier without the notes or the owner's section.
    sign_in(client, applicant)
    answer = client.get(f"/mijn-dossiers/{dossier.id}")
    own = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert (
        "Gebeld met de ontvangende gemeente" not in own
        and "Tweede notitie" not in own
        and "Interne notities" not in own
    )


def test_an_empty_or_overlong_note_is_refused_and_what_was_typed_stays(client, db_session):
    dossier, _ = _dossier(db_session)
    sign_in(client, make_user("officer"))
    base = f"/behandeling/dossiers/{dossier.id}"
    empty = client.post(f"{base}/notities", data={"csrf_token": csrf_token(client, base), "body": "   "})
    assert empty.status_code == 400 and "Schrijf de notitie" in empty.get_data(as_text=True)
    long = "x" * 2001
    refused = client.post(f"{base}/notities", data={"csrf_token": csrf_token(client, base), "body": long})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "hoogstens 2000 tekens" in text and long in text
    assert not db_session.scalars(select(DossierNote)).all()
    assert not db_session.scalars(select(AuditEntry).where(AuditEntry.action == "dossier.note_added")).all()


def test_a_draft_has_no_handling_yet(client, db_session):
    from tests.factories import complete_draft

    applicant = applicant_of("44021")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    officer = make_user("officer")
    sign_in(client, officer)
    base = "/behandeling/"
    assert (
        client.post(
            f"/behandeling/dossiers/{draft.id}/notities", data={"csrf_token": csrf_token(client, base), "body": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/behandeling/dossiers/{draft.id}/behandelaar",
            data={"csrf_token": csrf_token(client, base), "owner": str(officer.id)},
        ).status_code
        == 404
    )
