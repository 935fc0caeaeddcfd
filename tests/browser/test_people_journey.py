"""A government's own people in a real browser, axe-checked on every page: a Gent user invites a colleague, who
accepts the invitation from the e-mail, signs in and sees Gent's dossiers, then loses access and can no longer
sign in; a government without an account asks for access publicly and the administrator approves it."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in_staff
from tests.conftest import mail_body

pytestmark = pytest.mark.browser

COLLEAGUE_PASSWORD = "een-eigen-lang-wachtwoord"


def sign_in(page: Page, live_server: str, email: str, password: str) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()


def invitation_link(smtp_sink, address: str) -> str:
    [message] = smtp_sink.to(address)
    return re.search(r"http://127\.0\.0\.1:\d+/account/activeren/\S+", mail_body(message)).group(0)


def test_a_colleague_is_invited_sees_the_dossiers_and_loses_access(page: Page, live_server, axe, smtp_sink):
    sign_in(page, live_server, "aanvrager@gent.demo", DEMO_PASSWORD)
    giving = page.locator('[data-table="giving"] a').first.inner_text()
    page.get_by_role("link", name="Collega's").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collega's")
    expect(page.locator('[data-table="colleagues"]')).to_contain_text("Geert Gentenaar")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Collega uitnodigen").click()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Vul de naam van uw collega in")
    assert_accessible(axe, page)
    page.get_by_label("Naam").fill("Cato Collega")
    page.get_by_label("E-mailadres").fill("cato@gent.demo")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("De uitnodiging is verstuurd naar cato@gent.demo.")).to_be_visible()
    expect(page.locator('[data-table="colleagues"]')).to_contain_text("Uitgenodigd, nog niet aangemeld")
    sign_out(page)

    page.goto(invitation_link(smtp_sink, "cato@gent.demo"))
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(COLLEAGUE_PASSWORD)
    page.get_by_label("Herhaal het nieuwe wachtwoord", exact=True).fill(COLLEAGUE_PASSWORD)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    sign_in(page, live_server, "cato@gent.demo", COLLEAGUE_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    expect(page.locator('[data-table="giving"]')).to_contain_text(giving)
    sign_out(page)

    sign_in(page, live_server, "aanvrager@gent.demo", DEMO_PASSWORD)
    page.goto(f"{live_server}/mijn-bestuur/collegas")
    page.get_by_role("link", name="Toegang intrekken Cato Collega").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegang intrekken")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Toegang intrekken").click()
    expect(page.get_by_text("Cato Collega heeft geen toegang meer tot het portaal.")).to_be_visible()
    expect(page.locator('[data-table="colleagues"]')).to_contain_text("Geen toegang meer")
    sign_out(page)

    sign_in(page, live_server, "cato@gent.demo", COLLEAGUE_PASSWORD)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Het e-mailadres of het wachtwoord klopt niet")


def test_an_access_request_is_made_publicly_and_approved(page: Page, live_server, axe, smtp_sink):
    page.goto(f"{live_server}/inloggen")
    page.get_by_role("link", name="Toegang aanvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegang aanvragen")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Toegang aanvragen").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Vul uw naam in")
    assert_accessible(axe, page)
    page.get_by_label("Uw naam").fill("Olga Oostende")
    page.get_by_label("Uw functie").fill("Diensthoofd sociale dienst")
    page.get_by_label("Uw bestuur").select_option(label="Oostende")
    page.get_by_label("E-mailadres").fill("olga@oostende.demo")
    page.get_by_role("button", name="Toegang aanvragen").click()
    expect(
        page.get_by_text("Als de gegevens kloppen, krijgt u binnen enkele werkdagen antwoord per e-mail.")
    ).to_be_visible()
    assert_accessible(axe, page)

    sign_in_staff(page, live_server, "beheerder@abb.demo")
    page.goto(f"{live_server}/beheer/toegangsaanvragen")
    requests = page.locator('[data-table="pending-access-requests"]')
    expect(requests).to_contain_text("Katrien Kortrijk")  # the demo's own waiting request
    assert_accessible(axe, page)
    requests.get_by_role("link", name="Olga Oostende").click()
    expect(page.get_by_text("e-maildomeinen")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Goedkeuren en uitnodigen").click()
    expect(page.get_by_text("De uitnodiging is verstuurd naar olga@oostende.demo.")).to_be_visible()
    expect(page.locator('[data-table="decided-access-requests"]')).to_contain_text("Olga Oostende")
    assert "/account/activeren/" in invitation_link(smtp_sink, "olga@oostende.demo")
