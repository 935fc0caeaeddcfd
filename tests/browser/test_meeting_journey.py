"""The committee's meeting in Chromium, by the visible labels: the officer finds the demo's held meeting and its
minutes, opens a new one (errors named first), rejects the demo's scored dossier from the meeting's table
through the confirmation page, closes the meeting and downloads its minutes. axe, the Nu checker and the phone
width check every page."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible, sign_in_staff

pytestmark = pytest.mark.browser

MOTIVATION = "Het actieplan is nog te algemeen; de commissie vraagt een nieuwe aanvraag met concrete stappen."


def test_the_officer_holds_a_meeting_and_downloads_its_minutes(page: Page, live_server, axe):
    sign_in_staff(page, live_server, "dossierbehandelaar@abb.demo")
    page.get_by_role("link", name="Beslissingen over beoordeelde dossiers ARM-DEMO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beslissingen")
    # The demo's held meeting, with its minutes.
    held = page.locator("[data-meetings] li").first
    expect(held.get_by_role("link", name="proces-verbaal (PDF)")).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("button", name="Vergadering openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergadering openen")
    page.get_by_role("button", name="Vergadering openen").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Vul de datum van de vergadering in")
    expect(summary).to_contain_text("Kies minstens één aanwezig lid")
    assert_accessible(axe, page)
    page.get_by_label("Dag").fill("15")
    page.get_by_label("Maand").fill("12")
    page.get_by_label("Jaar").fill("2026")
    page.get_by_label("Bart Beoordelaar").check()
    page.get_by_label("Els Evaluator").check()
    page.get_by_role("button", name="Vergadering openen").click()
    expect(page.get_by_text("De vergadering is geopend.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergadering van 15 december 2026")
    row = page.locator("[data-table=meeting] tr", has_text="Hasselt")
    expect(row).to_contain_text("EUR\u00a05.400,00")
    assert_accessible(axe, page)

    row.get_by_role("checkbox").check()
    page.get_by_label("Afwijzen", exact=True).check()
    page.get_by_label("Motivering").fill(MOTIVATION)
    page.get_by_role("button", name="Verder naar het overzicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afwijzen bevestigen")
    expect(page.locator("[data-count]")).to_have_text("1")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Beslissing bevestigen").click()
    expect(page.get_by_text("Afgewezen:")).to_be_visible()
    expect(page.locator("[data-table=decided]")).to_contain_text(MOTIVATION)
    assert_accessible(axe, page)

    page.get_by_role("button", name="Vergadering afsluiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergadering afsluiten")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Vergadering afsluiten").click()
    expect(page.get_by_text("De vergadering is afgesloten. Het proces-verbaal staat klaar.")).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Proces-verbaal downloaden (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Bart Beoordelaar" in text and "Els Evaluator" in text
    assert "Afgewezen" in text and "concrete stappen" in text
