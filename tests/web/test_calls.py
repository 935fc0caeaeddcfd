"""Calls are data: officers create and edit them in the portal; changes after opening are audited."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.db import utcnow
from portal.models import AuditEntry, Call
from tests.conftest import csrf_token, make_user, sign_in
from workflows.calls import BRUSSELS


def call_form(token: str, **changes: str) -> dict[str, str]:
    today = utcnow().astimezone(BRUSSELS).date()
    opens, closes = today + timedelta(days=10), today + timedelta(days=90)
    data = {
        "csrf_token": token,
        "code": "ARM-2027",
        "title_nl": "Oproep 2027",
        "title_en": "Call 2027",
        "summary_nl": "",
        "summary_en": "",
        "action_code": "00_04_10",
        "reference_prefix": "ARM",
        "envelope": "300.000,00",
        "cap": "60.000",
        "compensation_rate_percent": "50",
        "opens_on": [str(opens.day), str(opens.month), str(opens.year)],
        "closes_on": [str(closes.day), str(closes.month), str(closes.year)],
        "exchange_types": ["mentoring", "stage"],
        "themes": ["lokale_regie", "impactmeting"],
        "eligible_organisation_kinds": ["municipality"],
        "required_attachments": ["action_plan", "agreement"],
        "max_attachment_mb": "10",
        "scale_min": "0",
        "scale_max": "5",
        "pass_threshold_percent": "60",
        "spread_flag_percent": "30",
        "reviews_per_dossier": "3",
        "review_days": "10",
        "retention_granted_months": "120",
        "retention_refused_months": "24",
        "retention_listing_months": "12",
        "allocation_policy": "first_come",
        "shortfall_policy": "wait",
        "advance_percent": "20",
        "is_published": "y",
        "criteria-0-code": "regierol",
        "criteria-0-name_nl": "Regierol",
        "criteria-0-name_en": "Directing role",
        "criteria-0-weight": "3",
        "criteria-0-minimum_score": "2",
        "criteria-1-code": "",
    }
    data.update(changes)
    return data


def test_an_officer_creates_a_call_with_belgian_amounts(client, db_session):
    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    response = client.post("/behandeling/oproepen/nieuw", data=call_form(token))
    assert response.status_code == 302, response.get_data(as_text=True)
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2027"))
    assert (call.envelope_cents, call.cap_cents) == (300_000_00, 60_000_00)
    assert call.opens_at.astimezone(BRUSSELS).time().isoformat() == "00:00:00"
    assert call.closes_at.astimezone(BRUSSELS).time().isoformat() == "23:59:59"
    assert [t.code for t in call.themes] == ["lokale_regie", "impactmeting"]
    assert [(c.code, c.weight, c.minimum_score) for c in call.criteria] == [("regierol", 3, 2)]
    assert (call.shortfall_policy, call.advance_percent, call.reviews_per_dossier) == ("wait", 20, 3)
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "call.created", AuditEntry.entity_id == str(call.id))
    )
    assert entry.details["settings"]["envelope_cents"] == 300_000_00
    public_page = client.get("/oproepen/ARM-2027").get_data(as_text=True)
    assert "EUR\u00a0300.000,00" in public_page and "Nog niet open" in public_page


def test_bad_input_gets_dutch_messages_and_keeps_what_was_typed(client):
    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    data = call_form(
        token,
        envelope="twee ton",
        cap="70.000,00",
        closes_on=["31", "2", "2027"],
        themes=[],
        **{"criteria-0-weight": "", "criteria-0-name_nl": ""},
    )
    response = client.post("/behandeling/oproepen/nieuw", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Er is een probleem" in page
    assert "Vul een bedrag in euro in, bijvoorbeeld 1.234,56" in page
    assert "Vul een bestaande datum in" in page
    assert "Kies minstens één thema" in page
    assert "Vul de naam van het criterium in" in page
    assert 'value="twee ton"' in page and 'value="70.000,00"' in page  # nothing typed is lost


def test_the_cap_cannot_exceed_the_envelope_and_codes_are_unique(client):
    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    page = client.post("/behandeling/oproepen/nieuw", data=call_form(token, cap="400.000")).get_data(as_text=True)
    assert "Het maximum per project kan niet groter zijn dan het budget" in page
    page = client.post("/behandeling/oproepen/nieuw", data=call_form(token, code="ARM-2022")).get_data(as_text=True)
    assert "Er bestaat al een oproep met deze code" in page


def test_changes_to_an_opened_call_are_kept_with_old_and_new_values(client, db_session):
    officer = make_user("officer")
    sign_in(client, officer)
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    page = client.get(f"/behandeling/oproepen/{call.id}").get_data(as_text=True)
    assert "Deze oproep is al geopend" in page
    assert 'value="250.000,00"' in page  # amounts shown the Belgian way
    token = csrf_token(client, f"/behandeling/oproepen/{call.id}")
    data = call_form(
        token,
        code="ARM-2022",
        envelope="275.000,00",
        cap="50.000,00",
        opens_on=["14", "6", "2022"],
        closes_on=["31", "10", "2022"],
    )
    assert client.post(f"/behandeling/oproepen/{call.id}", data=data).status_code == 302
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "call.changed_after_opening"))
    assert entry.actor_id == officer.id
    assert entry.details["changes"]["envelope_cents"] == {"from": 250_000_00, "to": 275_000_00}
    assert "closes_at" not in entry.details["changes"]


def test_the_home_page_lists_open_calls_and_the_call_page_shows_the_budget_meter(client, db_session):
    from portal.services.seed import seed_demo

    seed_demo()
    home = client.get("/").get_data(as_text=True)
    assert "Open oproepen" in home and "Demo-oproep" in home
    assert "Afgesloten oproepen" in home and "Lokale medewerkers versterken collega-besturen" in home
    page = client.get("/oproepen/ARM-DEMO").get_data(as_text=True)
    # The demo's four dossiers between submission and decision hold EUR 5.400,00 each; grants of
    # EUR 6.200,00 and six of 5.400,00 (one of them paid and closed) are committed: the meter shows it live.
    for figure, value in [
        ("envelope", "250.000,00"),
        ("reserved", "21.600,00"),
        ("committed", "38.600,00"),
        ("remaining", "189.800,00"),
    ]:
        assert f'data-figure="{figure}">EUR\u00a0{value}<' in page
    assert client.get("/oproepen/BESTAAT-NIET").status_code == 404


def test_the_demo_has_a_dossier_in_every_state_and_can_be_loaded_twice(db_session):
    from portal.models import Application, Call
    from portal.services.seed import DEMO_CALL_CODE, seed_demo
    from workflows.applications import State

    seed_demo()
    seed_demo()  # idempotent: a second run adds nothing
    call = db_session.scalar(select(Call).where(Call.code == DEMO_CALL_CODE))
    states = [a.state for a in db_session.scalars(select(Application).where(Application.call_id == call.id))]
    assert set(states) == set(State)
    assert len(states) == 16
    # Finance's working day: two balances wait for approval, two are in a payment file awaiting the bank.
    from portal.models import Payout, User

    waiting = db_session.scalars(
        select(Payout.state).where(Payout.call_id == call.id, Payout.state.in_(("planned", "in_file")))
    ).all()
    assert sorted(waiting) == ["in_file", "in_file", "planned", "planned"]
    # The closed dossier's balance was prepared by the officer, approved by one finance user and
    # recorded as paid by the other; the call's paid total follows.
    (paid,) = db_session.scalars(select(Payout).where(Payout.call_id == call.id, Payout.state == "paid"))
    preparer, approver = db_session.get(User, paid.prepared_by_id), db_session.get(User, paid.approved_by_id)
    assert (preparer.role, approver.role) == ("officer", "finance") and paid.paid_by_id != paid.approved_by_id
    assert call.paid_cents == paid.amount_cents == 5_400_00


def test_an_open_calls_page_invites_to_apply_and_says_what_is_needed_and_whom_to_ask(client, db_session):
    from tests.factories import open_call

    today = utcnow().astimezone(BRUSSELS).date()
    call = open_call("ARM-OPEN", closes_on=today + timedelta(days=10))
    closed = open_call("ARM-DICHT", opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=2))
    db_session.commit()
    page = client.get(f"/oproepen/{call.code}").get_data(as_text=True)
    assert "data-apply" in page and "/mijn-dossiers/nieuw" in page and "Aanvraag starten" in page
    assert 'data-days-left="10"' in page and "U kunt nog 10 dagen aanvragen" in page  # Brussels calendar days
    required = re.search(r'data-list="required-attachments">(.*?)</ul>', page, re.S).group(1)
    assert "Actieplan" in required and "Overeenkomst tussen beide besturen, ondertekend" in required
    assert "samenleven@vlaanderen.be" in page and "portal-meter__legend" in page
    assert "Vastgelegd" in page and "Gereserveerd" in page
    gone = client.get(f"/oproepen/{closed.code}").get_data(as_text=True)
    assert "data-apply" not in gone and "data-days-left" not in gone
