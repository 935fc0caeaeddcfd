"""The officer's eligibility review: results per rule, overrides with a reason, correction, refusal."""

from sqlalchemy import select

from portal.models import Application, AuditEntry, Submission
from portal.services import applications, budget, eligibility
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, municipality, open_call


def submitted(applicant=None, call=None, expert=True, nis="44021"):
    applicant = applicant or make_user("applicant", organisation=municipality(nis))
    draft = complete_draft(applicant, call or open_call())
    draft.mentors[0].drew_up_plan = expert
    result = applications.submit(draft.id, applicant, declared=True)
    assert result.submission is not None
    return draft, applicant


def test_a_result_that_needs_review_is_decided_with_a_reason_before_the_dossier_is_eligible(client, db_session):
    dossier, _ = submitted(expert=False)
    db_session.commit()
    officer = make_user("officer")
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    page = client.get(base).get_data(as_text=True)
    assert (
        "Na te kijken" in page
        and "Na te gaan of deze mentor(en) voldoende terreinervaring hebben: Mona Mentor." in page
    )
    assert "Ontvankelijk verklaren kan zodra elke regel voldaan is" in page
    # Rules by their names, the code beside them for reference.
    assert "Indieningsperiode" in page and "Expertise van de mentoren" in page and "E08_EXPERT" in page
    result = next(r for r in eligibility.current_results(dossier) if r.code == "E08_EXPERT")
    token = csrf_token(client, base)
    refused = client.post(
        f"{base}/regels/{result.id}",
        data={"csrf_token": token, f"r{result.id}-csrf_token": token, f"r{result.id}-outcome": "pass"},
    )
    assert refused.status_code == 400 and "Geef de reden van uw beslissing" in refused.get_data(as_text=True)
    # Declaring eligible is refused while a rule still waits.
    client.post(f"{base}/ontvankelijk", data={"csrf_token": token})
    assert db_session.get(Application, dossier.id).state == "submitted"
    client.post(
        f"{base}/regels/{result.id}",
        data={"csrf_token": token, f"r{result.id}-csrf_token": token, f"r{result.id}-outcome": "pass",
              f"r{result.id}-reason": "Twaalf jaar ervaring als coördinator armoede, cv bijgevoegd"},
    )  # fmt: skip
    assert "Uw beslissing over de regel ‘Expertise van de mentoren’ is opgeslagen." in client.get(base).get_data(
        as_text=True
    )
    assert client.post(f"{base}/ontvankelijk", data={"csrf_token": token}).status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "eligible"
    actions = [e.action for e in db_session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(dossier.id)))]
    assert "eligibility.result_decided" in actions and "application.declared_eligible" in actions


def test_a_correction_sends_the_dossier_back_and_its_money_to_the_waiting_list(app, client, db_session):
    call = open_call("ARM-TWO", envelope_cents=10_000_00, cap_cents=10_000_00)
    first, first_applicant = submitted(call=call, nis="44021")
    waiting, _ = submitted(call=call, nis="11002")
    assert budget.standing_of(waiting).standing == "waiting"
    db_session.commit()
    sign_in(client, make_user("officer"))
    base = f"/behandeling/dossiers/{first.id}"
    token = csrf_token(client, base)
    empty = client.post(f"{base}/aanvulling", data={"csrf_token": token, "question": ""})
    assert empty.status_code == 400 and "Schrijf de vraag aan de aanvrager" in empty.get_data(as_text=True)
    question = "Voeg de overeenkomst toe die door beide besturen is ondertekend."
    assert client.post(f"{base}/aanvulling", data={"csrf_token": token, "question": question}).status_code == 302
    db_session.refresh(first)
    assert first.state == "correction_requested"
    assert budget.standing_of(first).standing is None
    assert budget.standing_of(waiting).standing == "reserved"  # freed money went to the waiting dossier

    # The applicant sees the question, corrects and resubmits: a new queue time, the same reference.
    browser = app.test_client()
    sign_in(browser, first_applicant)
    page = browser.get(f"/mijn-dossiers/{first.id}").get_data(as_text=True)
    assert question in page
    reference, first_time = first.reference, first.submitted_at
    token = csrf_token(browser, f"/mijn-dossiers/{first.id}/controleren")
    assert (
        browser.post(
            f"/mijn-dossiers/{first.id}/controleren", data={"csrf_token": token, "declaration": "y"}
        ).status_code
        == 302
    )
    db_session.refresh(first)
    assert first.state == "submitted" and first.reference == reference and first.submitted_at > first_time
    versions = [s.version for s in db_session.scalars(select(Submission).where(Submission.application_id == first.id))]
    assert versions == [1, 2]
    assert {r.submission_version for r in eligibility.current_results(first)} == {2}
    # It now queues behind the dossier that took its money.
    assert budget.standing_of(first).standing == "waiting"


def test_declaring_ineligible_needs_a_motivation_that_the_applicant_reads(app, client, db_session):
    dossier, applicant = submitted()
    db_session.commit()
    sign_in(client, make_user("officer"))
    base = f"/behandeling/dossiers/{dossier.id}"
    token = csrf_token(client, base)
    empty = client.post(f"{base}/niet-ontvankelijk", data={"csrf_token": token, "motivation": "  "})
    assert "Een negatieve beslissing vraagt een geschreven motivering" in empty.get_data(as_text=True)
    motivation = "Het ontvangende bestuur is geen Vlaams lokaal bestuur."
    assert (
        client.post(f"{base}/niet-ontvankelijk", data={"csrf_token": token, "motivation": motivation}).status_code
        == 302
    )
    db_session.refresh(dossier)
    assert dossier.state == "ineligible" and budget.standing_of(dossier).standing is None
    browser = app.test_client()
    sign_in(browser, applicant)
    assert motivation in browser.get(f"/mijn-dossiers/{dossier.id}").get_data(as_text=True)
    # Nothing more to do on it: the table allows no further officer action.
    again = client.post(f"{base}/aanvulling", data={"csrf_token": token, "question": "nog iets"})
    assert again.status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "ineligible"


def test_an_officer_never_sees_a_draft(client, db_session):
    draft = complete_draft(make_user("applicant"), open_call())
    db_session.commit()
    sign_in(client, make_user("officer"))
    assert client.get(f"/behandeling/dossiers/{draft.id}").status_code == 404
