"""The demo's granted dossier (Mechelen gives to Aalst) from final report to payment, in Chromium, by the
visible labels: the government reports, the officer accepts, a finance user reads the settlement and
approves it with the demo's other balances at once, another records the whole payment file as paid at
once; the money trail shows the right amounts, and axe finds no violation on any page."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.db import brussels_today
from portal.services.seed import DEMO_PASSWORD, sample_pdf
from tests.browser.conftest import assert_accessible, sign_in_staff

pytestmark = pytest.mark.browser


def staff_page(browser: Browser, live_server: str, email: str) -> Page:
    page = browser.new_context().new_page()
    sign_in_staff(page, live_server, email)
    return page


def test_a_granted_dossier_is_reported_approved_by_a_second_user_and_paid(
    page: Page, browser: Browser, live_server, axe, tmp_path
):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@mechelen.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # Mechelen's own dossier (it gives to Aalst) is the one granted.
    page.locator("[data-table=giving] tr", has_text="Toegekend").get_by_role("link").first.click()
    expect(page.locator("[data-granted]")).to_have_text("EUR\u00a06.200,00")
    page.get_by_role("link", name="Eindrapport en betalingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eindrapport")
    expect(page.locator('[data-figure="committed"]')).to_have_text("EUR\u00a06.200,00")
    assert_accessible(axe, page)

    # Saving without text: the error is named at the top and linked to its field.
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Beschrijf wat het project heeft bereikt")
    assert_accessible(axe, page)
    page.get_by_label("Wat heeft het project bereikt?").fill(
        "Het armoedeplan van Aalst is in de gemeenteraad goedgekeurd."
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw verslag is bewaard.")).to_be_visible()

    evidence = tmp_path / "loonfiches.pdf"
    evidence.write_bytes(sample_pdf("Loonfiches").data)
    page.get_by_label("Kies een PDF-bestand").set_input_files(str(evidence))
    page.get_by_role("button", name="Bewijsstuk opladen").click()
    expect(page.get_by_text("loonfiches.pdf is opgeladen.")).to_be_visible()
    expect(page.locator('[data-settlement="final"]')).to_have_text("EUR\u00a06.200,00")
    assert_accessible(axe, page)

    # The trajectory started this month and runs four months: the report waits for its end, and the page
    # says from when and by when. Mechelen declares that it ended today; a day in the future is refused.
    expect(page.locator('[data-report-window="not-yet"]')).to_contain_text("Uiterlijk in te dienen op")
    expect(page.get_by_role("button", name="Eindrapport indienen")).to_have_count(0)
    page.get_by_role("link", name="Meld dat het traject vroeger eindigde").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het traject eindigde vroeger")
    assert_accessible(axe, page)
    tomorrow, today = brussels_today() + timedelta(days=1), brussels_today()
    for label, value in (("Dag", tomorrow.day), ("Maand", tomorrow.month), ("Jaar", tomorrow.year)):
        page.get_by_label(label).fill(str(value))
    page.get_by_label("Waarom eindigde het traject vroeger?").fill("De mentor rondde het werk vroeger af.")
    page.get_by_role("button", name="Einde van het traject melden").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("kan niet in de toekomst liggen")
    expect(page.get_by_label("Waarom eindigde het traject vroeger?")).to_have_value(
        "De mentor rondde het werk vroeger af."
    )
    assert_accessible(axe, page)
    for label, value in (("Dag", today.day), ("Maand", today.month), ("Jaar", today.year)):
        page.get_by_label(label).fill(str(value))
    page.get_by_role("button", name="Einde van het traject melden").click()
    expect(page.get_by_text("U kunt het eindrapport nu indienen.")).to_be_visible()
    expect(page.locator('[data-report-window="open"]')).to_contain_text("Uiterlijk in te dienen op")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Eindrapport indienen").click()
    expect(page.locator('[data-report-state="submitted"]')).to_be_visible()
    trail_path = page.url.replace("/mijn-dossiers/", "/behandeling/dossiers/").replace("/eindrapport", "/geld")

    officer = staff_page(browser, live_server, "dossierbehandelaar@abb.demo")
    officer.goto(trail_path)
    expect(officer.get_by_role("heading", level=1)).to_have_text("Geldstroom van het dossier")
    assert_accessible(axe, officer)
    officer.get_by_role("button", name="Eindrapport aanvaarden en saldo voorbereiden").click()
    expect(officer.get_by_text("Het saldo van EUR\u00a06.200,00 wacht op goedkeuring door Financiën.")).to_be_visible()
    assert_accessible(axe, officer)

    frank = staff_page(browser, live_server, "financien@abb.demo")
    expect(frank.get_by_role("heading", level=1)).to_have_text("Uitbetalingen")
    assert_accessible(axe, frank)
    # The settlement in view before approving: Mechelen's balance on a page of its own.
    row = frank.locator("[data-table=planned] tr", has_text="Mechelen")
    row.get_by_role("link", name=re.compile("^Afrekening bekijken")).click()
    expect(frank.get_by_role("heading", level=1)).to_have_text("Betaling goedkeuren")
    expect(frank.locator('[data-settlement="final"]')).to_have_text("EUR\u00a06.200,00")
    expect(frank.locator('[data-settlement="balance"]')).to_have_text("EUR\u00a06.200,00")
    expect(frank.locator('[data-money="granted"]')).to_have_text("EUR\u00a06.200,00")
    expect(frank.locator("[data-iban]")).to_have_text("BE68 **** **** 7034")
    expect(frank.locator("[data-list=payout]")).to_contain_text("Aalst")  # the receiving government
    assert_accessible(axe, frank)
    frank.get_by_role("link", name="Terug naar de uitbetalingen").click()

    # Approving several at once: the demo's two balances and Mechelen's, all selected, then the count and the total.
    frank.get_by_role("button", name="Alles selecteren").click()
    expect(frank.locator("[data-table=planned] input[type=checkbox]:checked")).to_have_count(3)
    frank.get_by_role("button", name="Gekozen betalingen goedkeuren").click()
    expect(frank.get_by_role("heading", level=1)).to_have_text("Betalingen goedkeuren")
    expect(frank.locator("[data-selection]")).to_have_text("U koos 3 betalingen, samen EUR\u00a017.000,00.")
    assert_accessible(axe, frank)
    frank.get_by_role("button", name="3 betalingen goedkeuren").click()
    expect(frank.get_by_text("3 betalingen zijn goedgekeurd, samen EUR\u00a017.000,00.")).to_be_visible()
    expect(frank.locator("[data-table=planned]")).to_have_count(0)
    assert_accessible(axe, frank)

    # The approved balances go to the bank in a payment file, made once and kept.
    fien = staff_page(browser, live_server, "financien2@abb.demo")
    expect(fien.locator("[data-table=ready]")).to_contain_text("Mechelen")
    fien.get_by_role("link", name="Maak een betaalbestand voor de bank").click()
    expect(fien.get_by_role("heading", level=1)).to_have_text("Betaalbestanden")
    assert_accessible(axe, fien)
    fien.get_by_role("button", name="Betaalbestand maken").click()  # the execution date is today already
    expect(fien.locator(".govuk-notification-banner")).to_contain_text("is gemaakt met 3 betalingen.")
    assert_accessible(axe, fien)
    batch_url = fien.url
    with fien.expect_download() as download:
        fien.get_by_role("link", name=re.compile(r"^Download pain001-")).click()
    assert b"<CstmrCdtTrfInitn>" in Path(download.value.path()).read_bytes()
    card = fien.locator("[data-awaiting]", has_text="Mechelen")
    card.get_by_role("textbox", name="Referentie van de bank").fill("BNK-DEMO-7")
    card.get_by_role("button", name="Betaling registreren").click()
    expect(fien.locator(".govuk-error-summary")).to_contain_text("Vul de datum van de betaling in")
    assert_accessible(axe, fien)
    card = fien.locator("[data-awaiting]", has_text="Mechelen")
    expect(card.get_by_role("textbox", name="Referentie van de bank")).to_have_value("BNK-DEMO-7")

    # The bank executed the whole file: every payment recorded at once, after the count and the total.
    fien.goto(batch_url)
    bulk = fien.locator("form", has=fien.locator("#answer-payouts"))
    bulk.get_by_role("link", name="Alles selecteren").click()
    expect(bulk.locator("input[type=checkbox]:checked")).to_have_count(3)
    today = brussels_today()
    bulk.get_by_label("Dag").fill(str(today.day))
    bulk.get_by_label("Maand").fill(str(today.month))
    bulk.get_by_label("Jaar").fill(str(today.year))
    bulk.get_by_role("textbox", name="Referentie van de bank").fill("BNK-DEMO-7")
    bulk.get_by_role("button", name="Gekozen betalingen als betaald registreren").click()
    expect(fien.get_by_role("heading", level=1)).to_have_text("Antwoord van de bank registreren")
    expect(fien.locator("[data-selection]")).to_have_text("3 betalingen als betaald, samen EUR\u00a017.000,00.")
    assert_accessible(axe, fien)
    fien.get_by_role("button", name="3 betalingen als betaald registreren").click()
    expect(fien.get_by_text("3 betalingen zijn geregistreerd als betaald, samen EUR\u00a017.000,00.")).to_be_visible()
    expect(fien.locator("[data-awaiting]")).to_have_count(0)
    assert_accessible(axe, fien)

    officer.goto(trail_path)
    expect(officer.locator('[data-figure="paid"]')).to_have_text("EUR\u00a06.200,00")
    expect(officer.locator('[data-figure="outstanding"]')).to_have_text("EUR\u00a00,00")
    expect(officer.locator("[data-state=closed]")).to_be_visible()
    expect(officer.locator('[data-table="history"]')).to_contain_text("Fien Financien")
    assert_accessible(axe, officer)
