"""The officer's home page starts from the work: how many dossiers wait for what, each linked to that list."""

import re

from portal.db import utcnow
from portal.services import eligibility
from tests.conftest import make_user, sign_in
from tests.factories import open_call, scored_dossier, submitted_dossier
from tests.web.test_committee_and_decisions import applicant_of, reviewer


def count(page, task):
    return int(re.search(rf'data-task="{task}".*?data-count>(\d+)<', page, re.S).group(1))


def test_the_home_page_counts_the_work_per_stage_and_links_each_to_its_dossiers(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    to_check = submitted_dossier(call, applicant=applicant_of("44021"))
    to_check.receiving_confirmed_at = None
    eligible = submitted_dossier(call, applicant=applicant_of("11002"))
    eligible.receiving_confirmed_at = utcnow()
    eligibility.declare_eligible(eligible.id, officer)
    scored = scored_dossier(
        call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], applicant=applicant_of("37022")
    )
    scored.receiving_confirmed_at = utcnow()
    db_session.commit()

    sign_in(client, officer)
    page = client.get("/behandeling/").get_data(as_text=True)
    assert count(page, "nakijken") == 1 and count(page, "beoordelaars") == 1 and count(page, "beslissen") == 1
    assert count(page, "niet-bevestigd") == 1 and count(page, "aangevuld") == 0 and count(page, "eindrapport") == 0
    assert "/behandeling/dossiers?taak=nakijken" in page

    listed = client.get("/behandeling/dossiers?taak=nakijken").get_data(as_text=True)
    assert to_check.reference in listed and eligible.reference not in listed and scored.reference not in listed
    unconfirmed = client.get("/behandeling/dossiers?taak=niet-bevestigd").get_data(as_text=True)
    assert to_check.reference in unconfirmed and eligible.reference not in unconfirmed
    assert client.get("/behandeling/dossiers?taak=iets-anders").status_code == 200  # an unknown task: no filter
