"""The privacy statement as anyone reads it, and a government's civil servant downloading their own data."""

import json

import pytest
from playwright.sync_api import Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_anyone_reads_the_privacy_statement_and_a_user_downloads_their_data(page: Page, live_server, axe):
    page.goto(f"{live_server}/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacyverklaring")
    expect(page.locator("[data-table=retention] tbody tr").first).to_contain_text("maanden")
    expect(page.locator("[data-privacy=authority]")).to_contain_text("Vlaamse Toezichtcommissie")
    assert_accessible(axe, page)

    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@brugge.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    page.goto(f"{live_server}/account/")
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Mijn gegevens downloaden (JSON)").click()
    assert download.value.suggested_filename == "mijn-gegevens.json"
    with open(download.value.path(), encoding="utf-8") as downloaded:
        data = json.load(downloaded)
    assert data["account"]["email"] == "aanvrager@brugge.demo"
    assert data["dossiers"] and data["audit_entries"]
