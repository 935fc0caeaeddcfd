"""Finance's working day through the pages: approving a payout goes through a page with the settlement in view;
several payouts are approved, or answered for the bank, together after a confirmation with their count and total,
all or none; every refusal says which payout and why, and changes nothing."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.models import AuditEntry, PaymentBatchItem, Payout
from portal.services import payouts
from portal.services.seed import sample_report
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import granted_dossier, municipality, open_call, payout_people, to_bank
from workflows.calls import BRUSSELS


@pytest.fixture
def staff(db_session):
    return payout_people()


def browser(app, user):
    signed_in = app.test_client()
    sign_in(signed_in, user)
    return signed_in


def after(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def advances(staff, count):
    """`count` granted dossiers of one call with a 50 % advance each (EUR 2.700,00), prepared by the officer."""
    call = open_call("ARM-BULK", advance_percent=50, allows_repeat_pair=True)
    found = []
    for _ in range(count):
        (advance,) = payouts.payouts_of(granted_dossier(staff, call))
        found.append(advance)
    return found


def state_of(db_session, payout):
    db_session.refresh(payout)
    return payout.state


def day_parts(day):
    return [str(day.day), str(day.month), str(day.year)]


def today():
    return utcnow().astimezone(BRUSSELS).date()


def test_approving_goes_through_a_page_with_the_settlement_the_iban_masked_and_both_governments(app, db_session, staff):
    call = open_call("ARM-SETTLE", advance_percent=40)
    applicant = make_user("applicant", organisation=municipality("44021"))
    dossier = granted_dossier(staff, call, applicant=applicant)
    (advance,) = payouts.payouts_of(dossier)
    payouts.approve(advance.id, staff["finance2"])
    to_bank(staff["finance2"])
    payouts.pay(advance.id, staff["finance2"], today(), "BNK-1")
    # Three of the four months: the final compensation is EUR 4.050,00, of which EUR 2.160,00 was paid in advance.
    start = dossier.mentors[0].start_on.replace(day=1)
    sample_report(dossier, applicant, end_on=(start + timedelta(days=95)).replace(day=1) - timedelta(days=1))
    payouts.settle_report(dossier.id, staff["officer"])
    balance = next(p for p in payouts.payouts_of(dossier) if p.kind == "balance")

    finance = browser(app, staff["finance"])
    home = finance.get("/financien/").get_data(as_text=True)
    # No one-click approval on the list any more: a link to the settlement page.
    assert f'action="/financien/uitbetalingen/{balance.id}/goedkeuren"' not in home
    assert f'href="/financien/uitbetalingen/{balance.id}/goedkeuren"' in home
    page = finance.get(f"/financien/uitbetalingen/{balance.id}/goedkeuren").get_data(as_text=True)
    assert dossier.reference in page and "Gent" in page and "Ronse" in page  # both governments
    assert 'data-money="granted">EUR\u00a05.400,00<' in page and 'data-money="advance_paid">EUR\u00a02.160,00<' in page
    assert re.search(r'data-settlement="final">EUR\u00a04\.050,00<', page)
    assert re.search(r'data-settlement="paid_before">EUR\u00a02\.160,00<', page)
    assert re.search(r'data-settlement="balance">EUR\u00a01\.890,00<', page)
    assert "<strong data-amount>EUR\u00a01.890,00</strong>" in page
    assert "BE68 **** **** 7034" in page and "BE68539007547034" not in page
    assert "Mona Mentor" in page  # the actual costs per mentor
    assert f'action="/financien/uitbetalingen/{balance.id}/goedkeuren"' in page

    token = csrf_token(finance, "/financien/")
    page = after(finance, finance.post(f"/financien/uitbetalingen/{balance.id}/goedkeuren", data={"csrf_token": token}))
    assert "is goedgekeurd" in page
    # Once approved, the page says so and offers no button.
    page = finance.get(f"/financien/uitbetalingen/{balance.id}/goedkeuren").get_data(as_text=True)
    assert (
        'data-refusal="not_planned"' in page
        and f'action="/financien/uitbetalingen/{balance.id}/goedkeuren"' not in page
    )
    assert finance.get("/financien/uitbetalingen/999999/goedkeuren").status_code == 404


def test_ones_own_payout_shows_the_settlement_page_without_a_button(app, db_session, staff):
    (advance,) = advances(staff, 1)
    officer_prepared = browser(app, staff["officer"])
    assert officer_prepared.get(f"/financien/uitbetalingen/{advance.id}/goedkeuren").status_code == 403
    advance.prepared_by_id = staff["finance"].id
    db_session.flush()
    page = (
        browser(app, staff["finance"]).get(f"/financien/uitbetalingen/{advance.id}/goedkeuren").get_data(as_text=True)
    )
    assert 'data-refusal="four_eyes"' in page and "U hebt deze betaling zelf voorbereid" in page
    assert f'action="/financien/uitbetalingen/{advance.id}/goedkeuren"' not in page


def test_several_payouts_are_approved_together_after_a_page_with_their_count_and_total(app, db_session, staff):
    first, second, third = advances(staff, 3)
    finance = browser(app, staff["finance"])
    page = finance.get("/financien/").get_data(as_text=True)
    assert page.count('name="payout" type="checkbox"') == 3 and " checked" not in page
    # "Alles selecteren" works without JavaScript: the list again, every payout ticked.
    page = finance.get("/financien/?alles=1").get_data(as_text=True)
    assert all(f'value="{p.id}" checked' in page for p in (first, second, third))

    page = finance.get(f"/financien/goedkeuren?payout={first.id}&payout={second.id}").get_data(as_text=True)
    assert 'data-selection="2" data-total="540000"' in page and "U koos 2 betalingen, samen EUR\u00a05.400,00." in page
    assert "2 betalingen goedkeuren" in page and "BE68 **** **** 7034" in page
    token = csrf_token(finance, "/financien/")
    page = after(
        finance,
        finance.post(
            "/financien/goedkeuren", data={"csrf_token": token, "payouts": [first.id, second.id], "total_cents": 540000}
        ),
    )
    assert "2 betalingen zijn goedgekeurd, samen EUR\u00a05.400,00." in page
    assert [state_of(db_session, p) for p in (first, second, third)] == ["approved", "approved", "planned"]
    for payout in (first, second):
        assert payout.approved_by_id == staff["finance"].id
        audited = db_session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "payout.approved", AuditEntry.entity_id == str(payout.id))
        )
        assert audited == 1


def test_approving_nothing_is_refused_with_a_message(app, db_session, staff):
    advances(staff, 1)
    finance = browser(app, staff["finance"])
    refused = finance.get("/financien/goedkeuren")
    assert refused.status_code == 400 and "Kies minstens één betaling om goed te keuren" in refused.get_data(
        as_text=True
    )
    assert "govuk-error-summary" in refused.get_data(as_text=True)
    token = csrf_token(finance, "/financien/")
    refused = finance.post("/financien/goedkeuren", data={"csrf_token": token, "total_cents": 0})
    assert refused.status_code == 400 and "Kies minstens één betaling" in refused.get_data(as_text=True)


def test_a_stale_selection_approves_nothing_and_says_which_payout(app, db_session, staff):
    first, second = advances(staff, 2)
    finance = browser(app, staff["finance"])
    token = csrf_token(finance, "/financien/")
    assert "2 betalingen goedkeuren" in finance.get(
        f"/financien/goedkeuren?payout={first.id}&payout={second.id}"
    ).get_data(as_text=True)
    # Meanwhile a colleague approves the second one.
    payouts.approve(second.id, staff["finance2"])
    db_session.flush()
    page = after(
        finance,
        finance.post(
            "/financien/goedkeuren", data={"csrf_token": token, "payouts": [first.id, second.id], "total_cents": 540000}
        ),
    )
    assert (
        "Er is niets goedgekeurd." in page
        and f"{second.end_to_end_id}: Deze betaling wacht niet meer op goedkeuring" in page
    )
    assert state_of(db_session, first) == "planned"  # all or nothing
    assert (
        f'data-blocked-payout="{second.id}"' in page and "2 betalingen goedkeuren" not in page
    )  # the confirmation page says which


def test_a_selection_whose_total_changed_approves_nothing(app, db_session, staff):
    first, second = advances(staff, 2)
    finance = browser(app, staff["finance"])
    token = csrf_token(finance, "/financien/")
    page = after(
        finance,
        finance.post(
            "/financien/goedkeuren", data={"csrf_token": token, "payouts": [first.id, second.id], "total_cents": 270000}
        ),
    )
    assert "Er is niets goedgekeurd." in page and "het totaal is niet meer wat u bevestigde" in page
    assert [state_of(db_session, p) for p in (first, second)] == ["planned", "planned"]


def test_ones_own_payout_in_a_selection_approves_nothing(app, db_session, staff):
    first, second = advances(staff, 2)
    second.prepared_by_id = staff["finance"].id
    db_session.flush()
    finance = browser(app, staff["finance"])
    page = finance.get(f"/financien/goedkeuren?payout={first.id}&payout={second.id}&payout=2147483647").get_data(
        as_text=True
    )
    assert f'data-blocked-payout="{second.id}"' in page and "U hebt deze betaling zelf voorbereid" in page
    assert "1 gekozen betaling bestaat niet (meer)." in page and "betalingen goedkeuren" not in page
    token = csrf_token(finance, "/financien/")
    page = after(
        finance,
        finance.post(
            "/financien/goedkeuren", data={"csrf_token": token, "payouts": [first.id, second.id], "total_cents": 540000}
        ),
    )
    assert f"{second.end_to_end_id}: U hebt deze betaling zelf voorbereid" in page
    assert [state_of(db_session, p) for p in (first, second)] == ["planned", "planned"]
    # An id no row can have is refused on the form, never sent to the database.
    refused = finance.post(
        "/financien/goedkeuren", data={"csrf_token": token, "payouts": [first.id, 2**40], "total_cents": 270000}
    )
    assert refused.status_code == 400 and state_of(db_session, first) == "planned"


def test_other_roles_may_not_approve_several_or_answer_for_the_bank(app, db_session, staff):
    (advance,) = advances(staff, 1)
    for role in ("officer", "applicant", "reviewer"):
        other = browser(app, make_user(role))
        token = csrf_token(other, "/account/")
        assert other.get(f"/financien/goedkeuren?payout={advance.id}").status_code == 403
        assert (
            other.post(
                "/financien/goedkeuren", data={"csrf_token": token, "payouts": [advance.id], "total_cents": 270000}
            ).status_code
            == 403
        )
        assert (
            other.post("/financien/betaalbestanden/1/antwoord/bevestigen", data={"csrf_token": token}).status_code
            == 403
        )
    assert state_of(db_session, advance) == "planned"


def in_a_file(staff, count):
    found = advances(staff, count)
    for payout in found:
        payouts.approve(payout.id, staff["finance2"])
    return found, to_bank(staff["finance2"])


def test_every_payment_of_a_file_is_recorded_as_paid_together_after_a_confirmation(app, db_session, staff):
    (first, second, third), batch = in_a_file(staff, 3)
    finance = browser(app, staff["finance"])
    url = f"/financien/betaalbestanden/{batch.id}"
    page = finance.get(f"{url}?alles=1").get_data(as_text=True)
    assert all(f'value="{p.id}" checked' in page for p in (first, second, third))
    token = csrf_token(finance, url)
    chosen = {"csrf_token": token, "payouts": [first.id, second.id, third.id], "outcome": "paid"}

    refused = finance.post(f"{url}/antwoord", data={**chosen, "bank_reference": "VERZ-1"})
    assert refused.status_code == 400 and "Vul de datum van de betaling in" in refused.get_data(as_text=True)
    assert 'value="VERZ-1"' in refused.get_data(as_text=True) and f'value="{second.id}" checked' in refused.get_data(
        as_text=True
    )
    refused = finance.post(
        f"{url}/antwoord",
        data={**chosen, "bank_reference": "VERZ-1", "paid_on": day_parts(today() + timedelta(days=1))},
    )
    assert refused.status_code == 400 and "De datum van de betaling ligt in de toekomst." in refused.get_data(
        as_text=True
    )
    refused = finance.post(
        f"{url}/antwoord",
        data={"csrf_token": token, "outcome": "paid", "bank_reference": "VERZ-1", "paid_on": day_parts(today())},
    )
    assert refused.status_code == 400 and "Kies minstens één betaling" in refused.get_data(as_text=True)

    page = finance.post(
        f"{url}/antwoord", data={**chosen, "bank_reference": "VERZ-1", "paid_on": day_parts(today())}
    ).get_data(as_text=True)
    assert (
        'data-selection="3" data-total="810000"' in page
        and "3 betalingen als betaald, samen EUR\u00a08.100,00." in page
    )
    assert all(
        state_of(db_session, p) == "in_file" for p in (first, second, third)
    )  # nothing done before the confirmation
    confirmed = {**chosen, "bank_reference": "VERZ-1", "paid_on": day_parts(today()), "total_cents": 810000}
    page = after(finance, finance.post(f"{url}/antwoord/bevestigen", data=confirmed))
    assert "3 betalingen zijn geregistreerd als betaald, samen EUR\u00a08.100,00." in page
    assert [state_of(db_session, p) for p in (first, second, third)] == ["paid"] * 3
    assert {p.bank_reference for p in (first, second, third)} == {"VERZ-1"}
    outcomes = db_session.scalars(select(PaymentBatchItem.outcome).where(PaymentBatchItem.batch_id == batch.id)).all()
    assert outcomes == ["paid"] * 3
    db_session.refresh(first.application.call)
    assert first.application.call.paid_cents == 810000
    assert (
        db_session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "payout.paid")) == 3
    )

    # Again, the same confirmation (a browser retry): nothing recorded twice, and it says which.
    page = after(finance, finance.post(f"{url}/antwoord/bevestigen", data=confirmed))
    assert (
        "Er is niets geregistreerd." in page
        and f"{first.end_to_end_id}: Deze betaling wacht niet (meer) op het antwoord van de bank" in page
    )
    assert (
        db_session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "payout.paid")) == 3
    )


def test_chosen_payments_are_recorded_as_failed_with_a_reason_and_a_stale_choice_records_nothing(
    app, db_session, staff
):
    (first, second, third), batch = in_a_file(staff, 3)
    finance = browser(app, staff["finance"])
    url = f"/financien/betaalbestanden/{batch.id}"
    token = csrf_token(finance, url)
    refused = finance.post(
        f"{url}/antwoord", data={"csrf_token": token, "payouts": [first.id], "outcome": "failed", "reason": " "}
    )
    assert refused.status_code == 400 and "Schrijf waarom de betalingen mislukt zijn" in refused.get_data(as_text=True)
    page = finance.post(
        f"{url}/antwoord",
        data={
            "csrf_token": token,
            "payouts": [first.id, second.id],
            "outcome": "failed",
            "reason": "Bestand geweigerd",
        },
    ).get_data(as_text=True)
    assert "2 betalingen als mislukt, samen EUR\u00a05.400,00." in page
    # Meanwhile the second one is recorded as paid on its own: the confirmation records nothing, and says which.
    payouts.pay(second.id, staff["finance2"], today(), "BNK-2")
    db_session.flush()
    failed = {
        "csrf_token": token,
        "payouts": [first.id, second.id],
        "outcome": "failed",
        "reason": "Bestand geweigerd",
        "total_cents": 540000,
    }
    page = after(finance, finance.post(f"{url}/antwoord/bevestigen", data=failed))
    assert "Er is niets geregistreerd." in page and second.end_to_end_id in page
    assert state_of(db_session, first) == "in_file"
    page = after(finance, finance.post(f"{url}/antwoord/bevestigen", data={**failed, "payouts": [first.id, third.id]}))
    assert "2 betalingen zijn geregistreerd als mislukt" in page
    assert [state_of(db_session, p) for p in (first, second, third)] == ["failed", "paid", "failed"]
    assert first.failure_reason == "Bestand geweigerd"
    # A payout of another file is not answered from this one.
    (other,), other_batch = in_a_file(staff, 1)
    page = after(
        finance,
        finance.post(f"{url}/antwoord/bevestigen", data={**failed, "payouts": [other.id], "total_cents": 270000}),
    )
    assert "Er is niets geregistreerd." in page and state_of(db_session, other) == "in_file"
    assert db_session.get(Payout, other.id).state == "in_file" and other_batch.id != batch.id
