"""The dossier's timeline: both governments read every step with its moment, reviewers unnamed, and what comes next."""

import re

from portal.db import brussels_today, utcnow
from portal.services import applications, eligibility, payouts
from portal.services.seed import sample_report
from tests.conftest import make_user, sign_in
from tests.factories import municipality, open_call, payout_people, score_everything, submitted_dossier, to_bank
from workflows.roles import Role


def steps(page):
    return re.findall(r'data-step="([a-z_.]+)"', page)


def test_both_governments_follow_a_dossier_from_submission_to_payment_without_reviewer_names(app, client, db_session):
    people = payout_people()
    officer, (first_reviewer, second_reviewer) = people["officer"], people["reviewers"]
    first_reviewer.full_name, second_reviewer.full_name = "Rik Recensent", "Roos Recensent"
    applicant = make_user("applicant", organisation=municipality("44021"))
    partner = make_user("applicant", organisation=municipality("45041"))
    dossier = submitted_dossier(open_call(), applicant=applicant)
    question = "Voeg de overeenkomst toe die door beide besturen is ondertekend."
    eligibility.request_correction(dossier.id, officer, question)
    assert applications.submit(dossier.id, applicant, declared=True).submission is not None
    applications.confirm_participation(dossier.id, partner, utcnow())
    eligibility.declare_eligible(dossier.id, officer)
    from portal.services import decisions, reviews

    reviews.assign_reviewers(dossier.id, [first_reviewer.id, second_reviewer.id], officer)
    score_everything(dossier, first_reviewer, 3)
    score_everything(dossier, second_reviewer, 2)
    decisions.grant(dossier.id, officer)
    sample_report(dossier, applicant)
    payouts.settle_report(dossier.id, officer)
    (balance,) = payouts.payouts_of(dossier)
    payouts.approve(balance.id, people["finance"])
    to_bank(people["finance2"])
    payouts.pay(balance.id, people["finance2"], brussels_today(), "BANK-1")
    db_session.commit()

    for reader in (applicant, partner):
        sign_in(client, reader)
        answer = client.get(f"/mijn-dossiers/{dossier.id}/tijdlijn")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert steps(page) == [
            "application.started",
            "application.submitted",
            "budget.reserved",
            "application.correction_requested",
            "application.resubmitted",
            "budget.reserved",
            "application.participation_confirmed",
            "application.declared_eligible",
            "review.submitted",
            "review.submitted",
            "application.scored",
            "application.granted",
            "application.early_end_declared",  # the report is filed the day it is made: the trajectory ended early
            "final_report.submitted",
            "final_report.settled",
            "payout.paid",
            "application.closed",
        ], reader.email
        # In words, with the question asked, the reviews counted and the paid amount; no reviewer by name.
        assert "Aanvulling gevraagd" in page and question in page and "Betaling uitgevoerd" in page
        assert "Beoordeling ingediend (1 van 2)" in page and "Beoordeling ingediend (2 van 2)" in page
        assert "Recensent" not in page and officer.full_name not in page
        paid = re.search(r'data-step="payout.paid".*?data-amount>([^<]+)<', page, re.S).group(1)
        assert (
            paid.replace("\u00a0", " ")
            == f"EUR {balance.amount_cents // 100:,}".replace(",", ".") + f",{balance.amount_cents % 100:02d}"
        )
        assert ("data-next" in page) is (reader is applicant)  # "what now" speaks to the applying government
    # Reached from the dossier page.
    assert f"/mijn-dossiers/{dossier.id}/tijdlijn" in client.get(f"/mijn-dossiers/{dossier.id}").get_data(as_text=True)


def test_another_government_has_no_timeline_and_a_draft_has_just_begun(client, db_session):
    applicant = make_user("applicant", organisation=municipality("44021"))
    dossier = submitted_dossier(open_call(), applicant=applicant)
    stranger = make_user("applicant", organisation=municipality("11002"))
    from tests.factories import complete_draft

    draft = complete_draft(applicant, open_call("ARM-TWEE"))
    db_session.commit()
    sign_in(client, stranger)
    assert client.get(f"/mijn-dossiers/{dossier.id}/tijdlijn").status_code == 404
    sign_in(client, applicant)
    draft_page = client.get(f"/mijn-dossiers/{draft.id}/tijdlijn").get_data(as_text=True)
    assert steps(draft_page) == ["application.started"] and "dien de aanvraag uiterlijk op" in draft_page
    assert client.get(f"/mijn-dossiers/{dossier.id}/tijdlijn").status_code == 200
    assert Role.APPLICANT  # the route is the governments' only (the access matrix holds the other roles)
