"""The public register of grants: every granted dossier with its governments and money, as a page, CSV and JSON,
under an open-data licence, naming no person."""

import csv
import io
import json

from sqlalchemy import select

from portal.models import User
from portal.services import decisions
from tests.factories import granted_dossier, open_call, payout_people, scored_dossier, submitted_dossier
from tests.web.test_committee_and_decisions import applicant_of


def _granted_and_not(db_session):
    people = payout_people()
    call = open_call()
    granted = granted_dossier(people, call, applicant=applicant_of("44021"))
    scored = scored_dossier(call, people["officer"], people["reviewers"], applicant=applicant_of("11002"))
    rejected = scored_dossier(call, people["officer"], people["reviewers"], applicant=applicant_of("37022"))
    decisions.reject(rejected.id, people["officer"], "Mona Mentor heeft het plan niet zelf opgesteld.")
    submitted = submitted_dossier(call, applicant=applicant_of("71072"))
    db_session.commit()
    return call, granted, [scored, rejected, submitted]


def test_the_register_lists_only_granted_dossiers_with_their_money(client, db_session):
    call, granted, others = _granted_and_not(db_session)
    page = client.get("/register").get_data(as_text=True)
    assert f'data-project="{granted.reference}"' in page
    assert all(other.reference not in page for other in others)
    row = page[page.index(f'data-project="{granted.reference}"') :]
    row = row[: row.index("</tr>")]
    assert "Gent" in row and "Ronse" in row and "Mentoring" in row
    assert "EUR\u00a05.400,00" in row  # the committed amount; nothing paid yet
    assert "EUR\u00a00,00" in row
    assert 'id="budget-arm-open"' in page  # the live meter of the call
    assert "Modellicentie Gratis Hergebruik Vlaanderen" in page and 'rel="license"' in page


def test_the_csv_and_json_have_stable_columns_described_in_both_languages(client, db_session):
    call, granted, others = _granted_and_not(db_session)
    answer = client.get("/register/toegekende-projecten.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [r["referentie"] for r in rows] == [granted.reference]
    (row,) = rows
    assert row["status"] == "granted" and row["vorm"] == "mentoring" and row["gevend_bestuur_nis"] == "44021"
    assert row["bedrag_vastgelegd_eur"] == "5400.00" and row["bedrag_betaald_eur"] == "0.00"
    assert row["beslist_op"] == granted.decided_at.date().isoformat() or len(row["beslist_op"]) == 10

    document = json.loads(client.get("/register/toegekende-projecten.json").get_data(as_text=True))
    assert [r["referentie"] for r in document["records"]] == [granted.reference]
    assert document["records"][0] == row  # the same values in both files
    names = [c["naam"] for c in document["kolommen"]]
    assert names == list(rows[0].keys())
    assert all(c["beschrijving_nl"] and c["beschrijving_en"] for c in document["kolommen"])
    assert document["licentie"]["naam"].startswith("Modellicentie") and document["licentie"]["url"].startswith(
        "https://"
    )
    assert document["csv"].endswith("/register/toegekende-projecten.csv")


def test_no_person_is_named_on_the_register_or_in_its_files(client, db_session):
    _granted_and_not(db_session)
    published = "".join(
        client.get(path).get_data(as_text=True)
        for path in ("/register", "/register/toegekende-projecten.csv", "/register/toegekende-projecten.json")
    )
    people = db_session.scalars(select(User)).all()
    assert len(people) >= 8
    for person in people:
        assert person.full_name not in published and person.email not in published, person.email
    for name in ("Mona Mentor", "Mona", "heeft het plan niet zelf opgesteld"):  # the mentor, the motivation
        assert name not in published


def test_formula_text_is_neutralised_in_the_csv(client, db_session):
    people = payout_people()
    granted = granted_dossier(people, open_call(), applicant=applicant_of("44021"))
    granted.organisation.name = '=HYPERLINK("https://evil.example")'
    db_session.commit()
    text = client.get("/register/toegekende-projecten.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
