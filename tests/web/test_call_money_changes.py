"""Changing a call that holds money, through the officer's call form: the envelope never drops below
what is reserved and committed, a bigger envelope or a policy that offers what remains serves the
waiting list at once (and tells it), and no two calls of one year number their dossiers alike."""

from datetime import date

from sqlalchemy import select

from portal.models import AuditEntry, Call, Notification, Reservation
from portal.services import applications
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, open_call, submitted_dossier
from tests.web.test_calls import call_form
from workflows.calls import BRUSSELS


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _form_of(call: Call, token: str, **changes: object) -> dict[str, object]:
    """The call's own settings as the form posts them, with the changes asked for."""
    own = {
        "code": call.code,
        "reference_prefix": call.reference_prefix,
        "envelope": "10.000,00",
        "cap": "10.000,00",
        "shortfall_policy": call.shortfall_policy,
        "opens_on": _day(call.opens_at.astimezone(BRUSSELS).date()),
        "closes_on": _day(call.closes_at.astimezone(BRUSSELS).date()),
    }
    return call_form(token, **{**own, **changes})


def _small_call_with_a_waiting_dossier(db_session):
    """EUR 10.000 for dossiers of EUR 5.400: the first reserves, the second waits (policy `wait`)."""
    call = open_call("ARM-SMALL", envelope_cents=10_000_00, cap_cents=10_000_00, shortfall_policy="wait")
    first = submitted_dossier(call)
    second = submitted_dossier(call, receiving_nis="11002")
    db_session.commit()
    assert db_session.get(Reservation, first.id).standing == "reserved"
    assert db_session.get(Reservation, second.id).standing == "waiting"
    return call, first, second


def _officer(client):
    officer = make_user("officer")
    sign_in(client, officer)
    return officer


def test_the_envelope_cannot_drop_below_what_is_reserved_and_committed(client, db_session):
    call, _first, _second = _small_call_with_a_waiting_dossier(db_session)
    _officer(client)
    url = f"/behandeling/oproepen/{call.id}"
    token = csrf_token(client, url)
    response = client.post(url, data=_form_of(call, token, envelope="5.000,00", cap="5.000,00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "De enveloppe kan niet kleiner zijn dan wat al gereserveerd en vastgelegd is: EUR\u00a05.400,00." in page
    assert 'href="#envelope"' in page and 'value="5.000,00"' in page  # linked, and what was typed is kept
    db_session.expire_all()
    assert db_session.get(Call, call.id).envelope_cents == 10_000_00


def test_a_bigger_envelope_serves_the_waiting_list_at_once_and_tells_it(client, db_session):
    call, _first, second = _small_call_with_a_waiting_dossier(db_session)
    officer = _officer(client)
    url = f"/behandeling/oproepen/{call.id}"
    response = client.post(url, data=_form_of(call, csrf_token(client, url), envelope="11.000,00"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db_session.expire_all()
    held = db_session.get(Reservation, second.id)
    assert (held.standing, held.reserved_cents) == ("reserved", 5_400_00)
    assert db_session.get(Call, call.id).reserved_cents == 10_800_00
    told = db_session.scalars(
        select(Notification).where(Notification.application_id == second.id, Notification.event == "budget_released")
    ).all()
    assert told, "the waiting government is told its money is reserved"
    change = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "call.changed_after_opening", AuditEntry.entity_id == str(call.id)
        )
    )
    assert change.actor_id == officer.id and change.details["changes"]["envelope_cents"] == {
        "from": 10_000_00,
        "to": 11_000_00,
    }


def test_switching_to_partial_offers_what_remains_to_the_first_waiting_dossier(client, db_session):
    call, _first, second = _small_call_with_a_waiting_dossier(db_session)
    _officer(client)
    url = f"/behandeling/oproepen/{call.id}"
    response = client.post(url, data=_form_of(call, csrf_token(client, url), shortfall_policy="partial"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db_session.expire_all()
    assert db_session.get(Reservation, second.id).offer_cents == 4_600_00
    assert db_session.scalars(
        select(Notification).where(Notification.application_id == second.id, Notification.event == "budget_offered")
    ).all()


def test_a_reference_prefix_used_by_another_call_of_the_same_year_is_refused(client, db_session):
    _officer(client)
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    assert (
        client.post(
            "/behandeling/oproepen/nieuw", data=call_form(token, code="TWEE-1", reference_prefix="TWEE")
        ).status_code
        == 302
    )
    response = client.post("/behandeling/oproepen/nieuw", data=call_form(token, code="TWEE-2", reference_prefix="TWEE"))
    page = response.get_data(as_text=True)
    assert "De oproep TWEE-1 gebruikt dit voorvoegsel al in hetzelfde jaar." in page
    assert 'href="#reference_prefix"' in page and 'value="TWEE-2"' in page
    assert db_session.scalar(select(Call).where(Call.code == "TWEE-2")) is None
    # The same prefix a year later numbers other references: accepted.
    first = db_session.scalar(select(Call).where(Call.code == "TWEE-1"))
    opens, closes = first.opens_at.astimezone(BRUSSELS).date(), first.closes_at.astimezone(BRUSSELS).date()
    later = call_form(
        token,
        code="TWEE-2",
        reference_prefix="TWEE",
        opens_on=_day(opens.replace(year=opens.year + 1)),
        closes_on=_day(closes.replace(year=closes.year + 1)),
    )
    assert client.post("/behandeling/oproepen/nieuw", data=later).status_code == 302
    # Moving that call back into the first one's year is refused too.
    second = db_session.scalar(select(Call).where(Call.code == "TWEE-2"))
    url = f"/behandeling/oproepen/{second.id}"
    page = client.post(url, data=call_form(csrf_token(client, url), code="TWEE-2", reference_prefix="TWEE")).get_data(
        as_text=True
    )
    assert "De oproep TWEE-1 gebruikt dit voorvoegsel al in hetzelfde jaar." in page


def test_two_calls_sharing_a_prefix_all_the_same_still_number_every_submission(db_session):
    """A prefix shared behind the portal's back (a date changed in the database): never a duplicate, never a 500."""
    one, two = open_call("ARM-ONE"), open_call("ARM-TWO")
    two.reference_prefix = one.reference_prefix
    applicant = make_user("applicant")
    first, second = complete_draft(applicant, one), complete_draft(applicant, two, receiving_nis="11002")
    applications.submit(first.id, applicant, declared=True)
    applications.submit(second.id, applicant, declared=True)
    assert first.reference != second.reference
    assert {first.reference, second.reference} == {
        f"ARMONE-{one.opens_at.astimezone(BRUSSELS).year}-000{n}" for n in (1, 2)
    }
