"""The receiving government declines in Chromium, by the visible labels: Hasselt reads Leuven's eligible
dossier, is told what declining means, is asked for its reason, declines; Leuven sees the reason and what
it can do; Hasselt changes its mind and confirms. axe, the Nu checker and the phone width check every page."""

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

REASON = "Onze gemeenteraad stelt het armoedeplan pas volgend jaar op; nu kunnen we geen mentor ontvangen."


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_the_receiving_government_declines_with_a_reason_and_confirms_later(
    page: Page, browser: Browser, live_server, axe
):
    sign_in(page, live_server, "aanvrager@hasselt.demo")
    receiving = page.locator('[data-table="receiving"]')
    receiving.locator("tr", has_text="Leuven").get_by_role("link").first.click()
    dossier_url = page.url
    page.get_by_role("link", name="Ons bestuur neemt niet deel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet deelnemen aan deze aanvraag")
    expect(page.get_by_text("kan de aanvraag niet worden toegekend zolang uw bestuur niet bevestigt.")).to_be_visible()
    assert_accessible(axe, page)

    # Without a reason: the error is named at the top and linked to its field.
    page.get_by_role("button", name="Deelname weigeren").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Schrijf waarom uw bestuur niet deelneemt")
    assert_accessible(axe, page)
    page.get_by_label("Waarom neemt uw bestuur niet deel?").fill(REASON)
    page.get_by_role("button", name="Deelname weigeren").click()
    expect(page.get_by_text("U hebt laten weten dat uw bestuur niet deelneemt.")).to_be_visible()
    expect(page.locator('[data-participation="declined"]')).to_contain_text(REASON)
    expect(page.get_by_role("link", name="Ons bestuur neemt niet deel")).to_have_count(0)
    assert_accessible(axe, page)

    # Leuven, the giving government, reads the reason and what it can do.
    leuven = browser.new_context().new_page()
    sign_in(leuven, live_server, "aanvrager@leuven.demo")
    leuven.goto(dossier_url)
    expect(leuven.locator("[data-decline-reason]")).to_have_text(REASON)
    expect(leuven.locator("[data-next-step]")).to_contain_text("Hasselt neemt niet deel")
    expect(leuven.get_by_role("link", name="Aanvraag intrekken").first).to_be_visible()
    assert_accessible(axe, leuven)
    leuven.goto(f"{live_server}/account/berichten")
    expect(leuven.get_by_text("het ontvangende bestuur neemt niet deel").first).to_be_visible()
    leuven.context.close()

    # Hasselt changes its mind: the confirmation clears the decline.
    page.get_by_role("button", name="Deelname van ons bestuur bevestigen").click()
    expect(page.locator('[data-participation="confirmed"]')).to_contain_text("Bevestigd op")
    assert_accessible(axe, page)
