"""The cooperation agreement in Chromium, by the visible labels: Leuven starts an application, downloads
the agreement from the attachments page, signs it digitally and uploads the signed copy, and is told it
is digitally signed and by whom; the demo's granted Mechelen dossier shows its signed agreement.
axe, the Nu checker and the phone width check every page."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.factories import digitally_signed

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_the_agreement_is_downloaded_signed_and_uploaded_and_said_digitally_signed(
    page: Page, live_server, axe, tmp_path
):
    sign_in(page, live_server, "aanvrager@leuven.demo")
    page.get_by_role("button", name="Nieuwe aanvraag starten").click()
    page.get_by_label(re.compile("Demo-oproep")).check()
    page.get_by_role("button", name="Aanvraag starten").click()
    page.get_by_role("link", name="Bijlagen").click()
    assert_accessible(axe, page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download de overeenkomst om te ondertekenen")).click()
    made = download.value
    assert made.suggested_filename.startswith("overeenkomst-") and made.suggested_filename.endswith(".pdf")
    unsigned = tmp_path / "overeenkomst.pdf"
    made.save_as(unsigned)
    assert unsigned.read_bytes().startswith(b"%PDF")

    signed = tmp_path / "overeenkomst-ondertekend.pdf"
    signed.write_bytes(digitally_signed(unsigned.read_bytes(), "Lies Leuven"))
    page.get_by_label(re.compile("Kies een PDF-bestand – Overeenkomst")).set_input_files(str(signed))
    page.get_by_role("button", name="Bestand opladen").last.click()
    agreement = page.locator('[data-attachment="agreement"]')
    expect(agreement).to_contain_text("overeenkomst-ondertekend.pdf")
    expect(agreement).to_contain_text("Digitaal ondertekend (door Lies Leuven)")
    assert_accessible(axe, page)

    # A copy signed by hand and scanned is as good: said so, never refused.
    unsigned_upload = page.get_by_label(re.compile("Vervang het bestand – Overeenkomst"))
    unsigned_upload.set_input_files(str(unsigned))
    page.get_by_role("button", name="Bestand opladen").last.click()
    expect(agreement).to_contain_text("Geen digitale handtekening gevonden (een ingescande handtekening is ook goed)")
    assert_accessible(axe, page)


def test_the_demos_granted_dossier_shows_its_digitally_signed_agreement(page: Page, live_server, axe):
    sign_in(page, live_server, "aanvrager@mechelen.demo")
    page.locator('[data-table="giving"] tr', has_text="Aalst").get_by_role("link").first.click()
    expect(page.locator('[data-signature="signed"]')).to_contain_text("Digitaal ondertekend (door")
    expect(page.get_by_role("link", name=re.compile("Download de overeenkomst om te ondertekenen"))).to_be_visible()
    assert_accessible(axe, page)
