"""What the portal makes public and what it shows a government of its own dossier: the register of grants as
open data, and the dossier's timeline."""

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
    expect(page.locator('[data-step="application.submitted"]')).to_contain_text("Aanvraag ingediend")
    expect(steps.last).to_contain_text("Dossier afgesloten")
    expect(page.locator('[data-step="payout.paid"]')).to_contain_text("EUR")
    expect(page.locator('[data-step="review.submitted"]').first).to_contain_text("1 van 2")
    expect(page.locator("[data-timeline]")).not_to_contain_text("Beoordelaar")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Terug naar het dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier")


def test_anyone_reads_the_register_of_grants_and_downloads_it(page: Page, live_server, axe):
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Bekijk het register van de toegekende projecten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register van de toegekende projecten")
    rows = page.locator("[data-table=register] tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3  # the demo's granted and closed dossiers
    expect(page.locator("[data-licence]")).to_contain_text("Modellicentie Gratis Hergebruik Vlaanderen")
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.locator("[data-download=csv]").click()
    assert download.value.suggested_filename == "toegekende-projecten.csv"
    with open(download.value.path(), encoding="utf-8") as downloaded:
        header = downloaded.readline()
    assert header.startswith("referentie,oproep,status,gevend_bestuur")


def test_a_government_checks_whether_it_may_apply_and_for_how_much_without_an_account(page: Page, live_server, axe):
    page.goto(f"{live_server}/oproepen/ARM-DEMO")
    page.get_by_role("link", name="Eerst nagaan of u kunt aanvragen en voor hoeveel, zonder account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kunnen wij aanvragen, en voor hoeveel?")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Bereken").click()  # nothing answered: each question says what is missing
    expect(page.locator(".govuk-error-summary")).to_contain_text("Kies wie de expert uitleent")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Vul de kosten van minstens één mentor in")
    assert_accessible(axe, page)
    page.get_by_role("group", name="Wie leent de expert uit?").get_by_label("Een lokaal bestuur").check()
    page.get_by_role("group", name="Wie ontvangt de expertise?").get_by_label("Een lokaal bestuur").check()
    page.get_by_role("group", name="Vorm van uitwisseling").get_by_label("Mentoring").check()
    page.get_by_role("group", name="Thema's").get_by_role("checkbox").first.check()
    page.get_by_role("group", name=re.compile("Stelde elke mentor")).get_by_label("Ja").check()
    mentor = page.get_by_role("group", name="Mentor 1")
    mentor.get_by_label("Brutoloonkost per maand").fill("5.400,00")
    mentor.get_by_label("Tijdsbesteding aan het project").fill("50")
    for legend, day, month in (("Eerste dag in het project", "1", "3"), ("Laatste dag in het project", "30", "6")):
        part = mentor.get_by_role("group", name=legend)
        part.get_by_label("Dag").fill(day)
        part.get_by_label("Maand").fill(month)
        part.get_by_label("Jaar").fill("2027")
    page.get_by_role("button", name="Bereken").click()
    expect(page.locator("[data-outcome]").first).to_contain_text("U kunt aanvragen")
    expect(page.locator('[data-figure="estimate"]')).to_contain_text("EUR 5.400,00")
    expect(page.locator('[data-figure="place"]')).not_to_be_empty()
    assert_accessible(axe, page)
