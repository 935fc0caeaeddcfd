"""A new applicant fills in a whole application in Chromium, by the visible labels, with one error on
each page, submits it and checks the receipt; axe finds no violation on any page of the journey."""

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.factories import pdf_bytes

pytestmark = pytest.mark.browser


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Opslaan en doorgaan").click()


def expect_error(page: Page, axe, text: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(text)
    assert_accessible(axe, page)


def test_a_new_applicant_completes_and_submits_an_application(page: Page, live_server, axe, tmp_path):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@tielt.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    assert_accessible(axe, page)

    page.get_by_role("button", name="Nieuwe aanvraag starten").click()
    assert_accessible(axe, page)
    page.get_by_label(re.compile("Demo-oproep")).check()
    page.get_by_role("button", name="Aanvraag starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanvraag")
    assert_accessible(axe, page)

    # Parties, with a wrong e-mail address first.
    page.get_by_role("link", name="Partijen").click()
    giving = page.get_by_role("group", name="Contactpersoon van het gevende bestuur")
    giving.get_by_label("Functie").fill("Beleidsmedewerker armoede")
    giving.get_by_label("Telefoonnummer").fill("051 42 81 11")
    page.get_by_label("Ontvangend bestuur").select_option(label="Gent")
    receiving = page.get_by_role("group", name="Contactpersoon van het ontvangende bestuur")
    receiving.get_by_label("Naam").fill("Griet Gent")
    receiving.get_by_label("Functie").fill("Coördinator armoedebeleid")
    receiving.get_by_label("E-mailadres").fill("griet-at-gent")
    receiving.get_by_label("Telefoonnummer").fill("09 266 11 11")
    save_and_continue(page)
    expect_error(page, axe, "Vul een geldig e-mailadres in")
    expect(receiving.get_by_label("Naam")).to_have_value("Griet Gent")  # nothing typed is lost
    receiving.get_by_label("E-mailadres").fill("griet@gent.be")
    save_and_continue(page)
    expect(page.locator("#aanvraag-1-status")).to_have_text("Voltooid")

    # Exchange, forgetting the themes first.
    page.get_by_role("link", name="Uitwisseling").click()
    assert_accessible(axe, page)
    page.get_by_label("Mentoring").check()
    page.get_by_label("01 Participatie").check()
    page.get_by_label("Welke succesvolle aanpak wordt geïntroduceerd?").fill(
        "Ons lokaal armoedeplan met de volledige beleidscyclus."
    )
    page.get_by_label("Wat is de nood van het ontvangende bestuur?").fill("Een regierol opnemen.")
    page.get_by_label("Wat zijn de doelen van het project?").fill("Een eigen armoedeplan tegen eind 2026.")
    page.get_by_label("Hoe worden mensen in armoede betrokken?").fill("Via een klankbordgroep.")
    page.get_by_label("Hoe blijft het resultaat na het project verankerd?").fill("Het plan komt in het meerjarenplan.")
    save_and_continue(page)
    expect_error(page, axe, "Kies minstens één thema")
    page.get_by_label("Lokale regie").check()
    save_and_continue(page)

    # A mentor, with the end date before the start date first.
    page.get_by_role("link", name="Mentoren").click()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Mentor toevoegen").click()
    page.get_by_label("Naam van de mentor").fill("Mona Mentor")
    page.get_by_label("Functie").fill("Beleidsmedewerker armoede")
    page.get_by_label("Jaren ervaring in lokaal armoedebeleid").fill("12")
    page.get_by_role("group", name=re.compile("Stelde de mentor")).get_by_label("Ja").check()
    page.get_by_label("Welk plan?").fill("Lokaal armoedeplan Tielt 2020-2025")
    page.get_by_label("Jaar van goedkeuring door de gemeenteraad").fill("2020")
    page.get_by_role("group", name="Expertise van de mentor").get_by_label("Lokale regie").check()
    page.get_by_label("Brutoloonkost per maand").fill("5.400,00")
    page.get_by_label("Tijdsbesteding aan het project").fill("50")
    start = page.get_by_role("group", name="Eerste dag van de mentor in het project")
    start.get_by_label("Dag").fill("1")
    start.get_by_label("Maand").fill("9")
    start.get_by_label("Jaar").fill("2026")
    end = page.get_by_role("group", name="Laatste dag van de mentor in het project")
    end.get_by_label("Dag").fill("31")
    end.get_by_label("Maand").fill("12")
    end.get_by_label("Jaar").fill("2025")
    save_and_continue(page)
    expect_error(page, axe, "De einddatum valt voor de begindatum")
    expect(page.get_by_label("Brutoloonkost per maand")).to_have_value("5.400,00")
    end.get_by_label("Jaar").fill("2026")
    save_and_continue(page)
    expect(page.get_by_role("heading", name="Mona Mentor")).to_be_visible()
    page.get_by_role("link", name="Terug naar uw aanvraag").click()

    # Budget: computed by the portal; a wrong IBAN first.
    page.get_by_role("link", name="Budget").click()
    expect(page.locator('[data-figure="requested"]')).to_have_text("EUR\u00a05.400,00")
    assert_accessible(axe, page)
    page.get_by_label("Rekeningnummer (IBAN) van het gevende bestuur").fill("BE00 0000 0000 0000")
    save_and_continue(page)
    expect_error(page, axe, "Dit is geen geldig IBAN-rekeningnummer")
    page.get_by_label("Rekeningnummer (IBAN) van het gevende bestuur").fill("BE68 5390 0754 7034")
    save_and_continue(page)

    # Attachments: a Word file renamed to .pdf first.
    page.get_by_role("link", name="Bijlagen").click()
    assert_accessible(axe, page)
    fake = tmp_path / "actieplan.pdf"
    fake.write_bytes(b"PK\x03\x04" + b"not a pdf at all" * 50)
    plan = tmp_path / "actieplan-echt.pdf"
    plan.write_bytes(pdf_bytes(pages=2))
    agreement = tmp_path / "overeenkomst.pdf"
    agreement.write_bytes(pdf_bytes())
    page.get_by_label(re.compile("Kies een PDF-bestand – Actieplan")).set_input_files(str(fake))
    page.get_by_role("button", name="Bestand opladen").first.click()
    expect_error(page, axe, "Het bestand is geen PDF")
    page.get_by_label(re.compile("Kies een PDF-bestand – Actieplan")).set_input_files(str(plan))
    page.get_by_role("button", name="Bestand opladen").first.click()
    expect(page.locator('[data-attachment="action_plan"]')).to_contain_text("actieplan-echt.pdf")
    page.get_by_label(re.compile("Kies een PDF-bestand – Overeenkomst")).set_input_files(str(agreement))
    page.get_by_role("button", name="Bestand opladen").last.click()
    expect(page.locator('[data-attachment="agreement"]')).to_contain_text("overeenkomst.pdf")
    page.get_by_role("button", name="Klaar met de bijlagen").click()

    # Check, declare (forgotten first), submit.
    expect(page.get_by_text("Klaar om in te dienen")).to_be_visible()
    page.get_by_role("link", name="Controleren en indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw aanvraag")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect_error(page, axe, "Bevestig de verklaring om de aanvraag in te dienen")
    page.get_by_label(re.compile("Ik verklaar dat de gegevens")).check()
    page.get_by_role("button", name="Aanvraag indienen").click()

    expect(page.get_by_role("heading", name="Aanvraag ingediend")).to_be_visible()
    assert_accessible(axe, page)
    reference = page.locator("[data-reference]").inner_text()
    assert re.fullmatch(r"ARM-\d{4}-\d{4}", reference)
    sha256 = page.locator(".portal-hash").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download het ontvangstbewijs (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
    assert reference in text
    assert sha256 in text.replace(" ", "")
    assert "Mona Mentor" in text and "5.400,00" in text and "Gent" in text and "Tielt" in text

    page.get_by_role("link", name="Naar mijn dossiers").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(axe, page)


def test_the_receiving_government_reads_the_dossier_and_confirms(page: Page, live_server, axe):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@gent.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    receiving = page.locator('[data-table="receiving"]')
    expect(receiving).to_contain_text("Ronse")
    expect(receiving).to_contain_text("Nog te bevestigen")
    receiving.get_by_role("link").first.click()
    expect(page.get_by_text("U kunt ze lezen, niet wijzigen")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Deelname van ons bestuur bevestigen").click()
    expect(page.locator("[data-participation]")).to_contain_text("Bevestigd op")
    assert_accessible(axe, page)
