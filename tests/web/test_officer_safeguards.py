"""Safeguards before the officer's irreversible steps: one eligibility outcome at a time, confirmed on a page
that states its consequences; the call's setting for a receiving government that has not confirmed; the
decision letter previewed before it is final; batch decisions with select-all and a summary."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from portal.db import utcnow
from portal.models import Application, AuditEntry
from portal.services import budget
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import municipality, open_call, scored_dossier, submitted_dossier

# The factories' dossier: EUR 5.400,00 a month at half-time for four months, at 50%: EUR 5.400,00.
AMOUNT = "EUR\u00a05.400,00"


def reviewer(name):
    user = make_user("reviewer")
    user.full_name = name
    return user


def dossier_page(client, dossier):
    base = f"/behandeling/dossiers/{dossier.id}"
    return base, csrf_token(client, base)


def actions_of(db_session, dossier):
    return [
        e.action
        for e in db_session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "application", AuditEntry.entity_id == str(dossier.id))
        )
    ]


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_dossier_page_asks_one_eligibility_outcome_and_refuses_none_chosen(client, db_session):
    dossier = submitted_dossier(open_call())
    db_session.commit()
    sign_in(client, make_user("officer"))
    base, token = dossier_page(client, dossier)
    page = client.get(base).get_data(as_text=True)
    assert f'action="{base}/ontvankelijkheid"' in page
    for old in ('/ontvankelijk"', '/aanvulling"', '/niet-ontvankelijk"'):
        assert f'action="{base}{old}' not in page  # no form acts without its confirmation page
    none = client.post(f"{base}/ontvankelijkheid", data={"csrf_token": token})
    assert none.status_code == 400 and "Kies ontvankelijk, aanvulling vragen of niet ontvankelijk" in none.get_data(
        as_text=True
    )
    no_question = client.post(
        f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "correction", "question": " "}
    )
    assert no_question.status_code == 400 and "Schrijf de vraag aan de aanvrager" in no_question.get_data(as_text=True)
    db_session.refresh(dossier)
    assert dossier.state == "submitted"


def test_a_correction_request_states_that_the_dossier_loses_its_place_and_the_amount_released(client, db_session):
    dossier = submitted_dossier(open_call())
    db_session.commit()
    sign_in(client, make_user("officer"))
    base, token = dossier_page(client, dossier)
    question = "Voeg de overeenkomst toe, ondertekend door beide besturen."
    confirm = client.post(
        f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "correction", "question": question}
    )
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Aanvulling vragen bevestigen" in page
    released = re.search(r"<li data-released>(.*?)</li>", page).group(1)
    assert "verliest zijn plaats in de wachtrij en zijn reservering" in released and AMOUNT in released
    assert question in page
    db_session.refresh(dossier)
    assert (
        dossier.state == "submitted" and budget.standing_of(dossier).reserved_cents == 5_400_00
    )  # nothing happened yet

    # Back to change: the choice and the question typed are kept.
    back = client.post(
        f"{base}/ontvankelijkheid",
        data={"csrf_token": token, "outcome": "correction", "question": question, "change": "1"},
    )
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and question in page and re.search(r'value="correction" checked', page)

    done = client.post(f"{base}/aanvulling", data={"csrf_token": token, "question": question})
    assert done.status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "correction_requested" and budget.standing_of(dossier).standing is None


def test_an_ineligibility_is_confirmed_as_final_with_its_letter_previewed_and_the_release(client, db_session):
    dossier = submitted_dossier(open_call())
    db_session.commit()
    sign_in(client, make_user("officer"))
    base, token = dossier_page(client, dossier)
    motivation = "Het ontvangende bestuur is geen Vlaams lokaal bestuur."
    page = client.post(
        f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "ineligible", "motivation": motivation}
    ).get_data(as_text=True)
    assert "De beslissing is definitief" in page and "met de beslissingsbrief" in page
    assert AMOUNT in re.search(r"<li data-released>(.*?)</li>", page).group(1)
    preview = page[page.index("data-letter-preview") :]
    assert "uw aanvraag is niet ontvankelijk" in preview and motivation in preview and "Raad van State" in preview
    db_session.refresh(dossier)
    assert dossier.state == "submitted"


def test_under_warn_eligibility_needs_the_tick_while_the_receiving_government_has_not_confirmed(client, db_session):
    dossier = submitted_dossier(open_call())
    db_session.commit()
    assert dossier.receiving_confirmed_at is None
    sign_in(client, make_user("officer"))
    base, token = dossier_page(client, dossier)
    page = client.post(f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "eligible"}).get_data(
        as_text=True
    )
    assert "data-partner-warning" in page and "Ik weet dat de ontvangende overheid nog niet bevestigde" in page
    no_tick = client.post(f"{base}/ontvankelijk", data={"csrf_token": token})
    assert (
        no_tick.status_code == 400
        and "Vink aan dat u weet dat de ontvangende overheid nog niet bevestigde" in no_tick.get_data(as_text=True)
    )
    db_session.refresh(dossier)
    assert dossier.state == "submitted"
    assert client.post(f"{base}/ontvankelijk", data={"csrf_token": token, "acknowledged": "y"}).status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "eligible"
    assert "application.unconfirmed_partner_acknowledged" in actions_of(db_session, dossier)


def test_a_confirmed_receiving_government_asks_no_tick(client, db_session):
    dossier = submitted_dossier(open_call())
    dossier.receiving_confirmed_at = utcnow()
    db_session.commit()
    sign_in(client, make_user("officer"))
    base, token = dossier_page(client, dossier)
    page = client.post(f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "eligible"}).get_data(
        as_text=True
    )
    assert "data-partner-warning" not in page and 'name="acknowledged"' not in page
    assert client.post(f"{base}/ontvankelijk", data={"csrf_token": token}).status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "eligible"
    assert "application.unconfirmed_partner_acknowledged" not in actions_of(db_session, dossier)


def test_under_refuse_eligibility_is_refused_while_the_receiving_government_has_not_confirmed(app, client, db_session):
    call = open_call("ARM-REFUSE", unconfirmed_partner_policy="refuse")
    officer = make_user("officer")
    waiting = submitted_dossier(call)
    db_session.commit()
    sign_in(client, officer)
    base, token = dossier_page(client, waiting)
    refused = client.post(f"{base}/ontvankelijkheid", data={"csrf_token": token, "outcome": "eligible"})
    assert (
        refused.status_code == 400
        and "Deze oproep laat ontvankelijk verklaren en toekennen pas toe na die bevestiging"
        in refused.get_data(as_text=True)
    )
    # Even posted straight to the act, with the tick: the service refuses.
    direct = client.post(f"{base}/ontvankelijk", data={"csrf_token": token, "acknowledged": "y"})
    assert direct.status_code == 302
    assert "pas toe na die bevestiging" in client.get(direct.headers["Location"]).get_data(as_text=True)
    db_session.refresh(waiting)
    assert waiting.state == "submitted"


def test_under_refuse_a_grant_is_refused_while_the_receiving_government_has_not_confirmed(client, db_session):
    call = open_call("ARM-GRANTREF")
    officer = make_user("officer")
    dossier = scored_dossier(call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")])
    call.unconfirmed_partner_policy = "refuse"  # set after eligibility, as an officer may change it
    db_session.commit()
    sign_in(client, officer)
    base, token = dossier_page(client, dossier)
    asked = client.post(f"{base}/toekennen", data={"csrf_token": token})
    assert asked.status_code == 302
    assert "pas toe na die bevestiging" in client.get(asked.headers["Location"]).get_data(as_text=True)
    direct = client.post(f"{base}/toekennen/bevestigen", data={"csrf_token": token, "acknowledged": "y"})
    assert direct.status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "scored" and dossier.granted_cents is None


def test_a_grant_under_warn_needs_the_tick_and_its_letter_is_previewed_with_signatory_contact_schedule_and_deadline(
    app, client, db_session
):
    call = open_call(
        "ARM-LETTER",
        advance_percent=40,
        signatory_name="Katrien Testers",
        signatory_function="Afdelingshoofd Samenleven",
    )
    officer = make_user("officer")
    dossier = scored_dossier(call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")])
    db_session.commit()
    sign_in(client, officer)
    base, token = dossier_page(client, dossier)
    page = client.post(f"{base}/toekennen", data={"csrf_token": token, "motivation": "Sterk actieplan"}).get_data(
        as_text=True
    )
    assert "Toekennen bevestigen" in page and "data-partner-warning" in page
    assert AMOUNT in re.search(r"<li data-committed>(.*?)</li>", page).group(1)
    preview = page[page.index("data-letter-preview") :]
    assert "uw aanvraag is toegekend" in preview and "Sterk actieplan" in preview
    assert "Katrien Testers" in preview and "Afdelingshoofd Samenleven" in preview
    assert app.config["CALL_CONTACT_EMAIL"] in preview
    schedule = re.search(r'data-letter="schedule">(.*?)</table>', preview, re.S).group(1)
    assert (
        "EUR\u00a02.160,00" in schedule and "EUR\u00a03.240,00" in schedule
    )  # 40% advance, the balance at most the rest
    # The factories' mentor works from 1 September to 31 December 2026: the report is due three months later.
    assert "31 maart 2027" in re.search(r'data-letter="report-deadline">(.*?)</p>', preview).group(1)

    draft = client.post(
        f"{base}/beslissing/ontwerp.pdf",
        data={"csrf_token": token, "outcome": "granted", "motivation": "Sterk actieplan"},
    )
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    text = pdf_text(draft.data)
    assert "ONTWERP" in text and "Katrien Testers" in text and "31 maart 2027" in text and "2.160,00" in text

    no_tick = client.post(f"{base}/toekennen/bevestigen", data={"csrf_token": token, "motivation": "Sterk actieplan"})
    assert no_tick.status_code == 400 and "Vink aan dat u weet" in no_tick.get_data(as_text=True)
    db_session.refresh(dossier)
    assert dossier.state == "scored"
    assert (
        client.post(
            f"{base}/toekennen/bevestigen",
            data={"csrf_token": token, "motivation": "Sterk actieplan", "acknowledged": "y"},
        ).status_code
        == 302
    )
    db_session.refresh(dossier)
    assert dossier.state == "granted"
    letter = pdf_text(client.get(f"{base}/beslissing.pdf").data)
    assert "ONTWERP" not in letter and "Katrien Testers" in letter and "31 maart 2027" in letter


def test_a_rejection_is_confirmed_with_the_amount_released(client, db_session):
    call = open_call()
    officer = make_user("officer")
    dossier = scored_dossier(call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")])
    db_session.commit()
    sign_in(client, officer)
    base, token = dossier_page(client, dossier)
    motivation = "Het actieplan is te vaag."
    page = client.post(f"{base}/afwijzen", data={"csrf_token": token, "motivation": motivation}).get_data(as_text=True)
    assert "Afwijzen bevestigen" in page and "De beslissing is definitief" in page
    assert AMOUNT in re.search(r"<li data-released>(.*?)</li>", page).group(1)
    assert "uw aanvraag is afgewezen" in page[page.index("data-letter-preview") :]
    db_session.refresh(dossier)
    assert dossier.state == "scored"
    back = client.post(
        f"{base}/afwijzen", data={"csrf_token": token, "motivation": motivation, "change": "1"}
    ).get_data(as_text=True)
    assert motivation in back and "Afwijzen bevestigen" not in back


def test_batch_decisions_select_all_summarise_and_refuse_nothing_chosen_or_a_stale_choice(client, db_session):
    call = open_call()
    officer = make_user("officer")
    pair = [reviewer("Ann Analist"), reviewer("Bob Beoordeler")]
    dossiers = [
        scored_dossier(call, officer, pair, applicant=make_user("applicant", organisation=municipality(nis)))
        for nis in ("44021", "11002")
    ]
    db_session.commit()
    sign_in(client, officer)
    path = f"/behandeling/oproepen/{call.id}/beslissingen"
    token = csrf_token(client, path)
    page = client.get(path).get_data(as_text=True)
    assert "Alle dossiers aanvinken" in page and "checked" not in page

    ticked = client.post(path, data={"csrf_token": token, "decision": "grant", "select_all": "1"}).get_data(
        as_text=True
    )
    for dossier in dossiers:
        assert f'value="{dossier.id}" checked' in ticked

    nothing = client.post(path, data={"csrf_token": token, "decision": "grant"})
    assert nothing.status_code == 400 and "Kies minstens één dossier" in nothing.get_data(as_text=True)
    nothing_confirmed = client.post(f"{path}/bevestigen", data={"csrf_token": token, "decision": "grant", "total": "0"})
    assert nothing_confirmed.status_code == 400 and "Kies minstens één dossier" in nothing_confirmed.get_data(
        as_text=True
    )

    chosen = [str(d.id) for d in dossiers]
    summary = client.post(path, data={"csrf_token": token, "dossiers": chosen, "decision": "grant"}).get_data(
        as_text=True
    )
    assert re.search(r"data-count>2<", summary) and re.search(r"data-total>EUR\u00a010\.800,00<", summary)
    for dossier in dossiers:
        assert f'data-dossier="{dossier.reference}"' in summary
    total = re.search(r'name="total" value="(\d+)"', summary).group(1)
    assert total == "1080000"

    # Meanwhile one of them is granted on its own page: the summary is stale, and nothing is decided.
    base, _ = dossier_page(client, dossiers[0])
    assert (
        client.post(f"{base}/toekennen/bevestigen", data={"csrf_token": token, "acknowledged": "y"}).status_code == 302
    )
    stale = client.post(
        f"{path}/bevestigen",
        data={"csrf_token": token, "dossiers": chosen, "decision": "grant", "total": total, "acknowledged": "y"},
    )
    assert stale.status_code == 302
    assert "De keuze is niet meer actueel" in client.get(stale.headers["Location"]).get_data(as_text=True)
    db_session.refresh(dossiers[1])
    assert dossiers[1].state == "scored"

    # Without the tick the warned batch is refused; with it, it is decided.
    chosen = [str(dossiers[1].id)]
    no_tick = client.post(
        f"{path}/bevestigen", data={"csrf_token": token, "dossiers": chosen, "decision": "grant", "total": "540000"}
    )
    assert no_tick.status_code == 400 and "Vink aan dat u weet" in no_tick.get_data(as_text=True)
    done = client.post(
        f"{path}/bevestigen",
        data={"csrf_token": token, "dossiers": chosen, "decision": "grant", "total": "540000", "acknowledged": "y"},
    )
    assert done.status_code == 302
    db_session.refresh(dossiers[1])
    assert dossiers[1].state == "granted"
    assert db_session.scalar(select(Application.state).where(Application.id == dossiers[0].id)) == "granted"
