"""A government follows its dossier on the timeline: from its dossier page to every step with its date."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_the_applying_government_reads_its_closed_dossier_step_by_step(page: Page, live_server, axe):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@brugge.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    # The demo's closed dossier of Brugge (with Hasselt): granted, reported, paid.
    page.locator("tr", has_text="Hasselt").filter(has_text="Afgesloten").get_by_role("link").first.click()
    page.get_by_role("link", name=re.compile("Tijdlijn")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tijdlijn van dossier")
    steps = page.locator("[data-timeline] > li")
    expect(steps.first).to_contain_text("Aanvraag ingediend")
    expect(steps.last).to_contain_text("Dossier afgesloten")
    expect(page.locator('[data-step="payout.paid"]')).to_contain_text("EUR")
    expect(page.locator('[data-step="review.submitted"]').first).to_contain_text("1 van 2")
    expect(page.locator("[data-timeline]")).not_to_contain_text("Beoordelaar")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Terug naar het dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier")
