"""Matchmaking in Chromium, by the visible labels: Aalst asks for expertise, Brugge offers it, the VVSG
matcher finds Brugge's offer at the top for Aalst's need with the reasons and proposes it, both
governments accept, and Brugge starts the application with both parties, the themes and the mentor
filled in; axe finds no violation on any page."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.db import utcnow
from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, enter_two_step_code

pytestmark = pytest.mark.browser


def signed_in(browser: Browser, live_server: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: not url.endswith("/inloggen"))
    if "/inloggen/code" in page.url:  # the matcher's second step
        enter_two_step_code(page)
    return page


def to_matching(page: Page, axe) -> None:
    page.get_by_role("link", name="Samenwerking zoeken").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samenwerking zoeken")
    assert_accessible(axe, page)


def test_a_need_and_an_offer_are_matched_accepted_and_become_a_prefilled_application(
    browser: Browser, live_server, axe
):
    # Aalst asks for expertise; a staff figure in words is refused and the rest is kept.
    aalst = signed_in(browser, live_server, "aanvrager@aalst.demo")
    to_matching(aalst, axe)
    aalst.get_by_role("button", name="Expertise vragen").click()
    aalst.get_by_label("Grondrechtenbenadering van armoede").check()
    aalst.get_by_label("Impactmeting").check()
    aalst.get_by_label("Context").fill("Ons OCMW-team werkt goed, maar we meten niet wat het oplevert.")
    aalst.get_by_label("Wat wilt u bereiken?").fill("Een grondrechtentoets en een eerste impactmeting.")
    aalst.get_by_label("Aantal inwoners van uw gemeente").fill("90000")
    aalst.get_by_label(re.compile("Personeel voor armoedebeleid")).fill("anderhalf")
    aalst.get_by_role("button", name="Vraag opslaan").click()
    expect(aalst.locator(".govuk-error-summary")).to_contain_text("Vul een aantal VTE in")
    expect(aalst.get_by_label("Context")).to_have_value(
        "Ons OCMW-team werkt goed, maar we meten niet wat het oplevert."
    )
    assert_accessible(axe, aalst)
    aalst.get_by_label(re.compile("Personeel voor armoedebeleid")).fill("1,5")
    aalst.get_by_role("button", name="Vraag opslaan").click()
    expect(aalst.get_by_text("Uw vraag is geregistreerd.")).to_be_visible()
    assert_accessible(axe, aalst)

    # Brugge offers expertise with one mentor profile.
    brugge = signed_in(browser, live_server, "aanvrager@brugge.demo")
    to_matching(brugge, axe)
    brugge.get_by_role("button", name="Expertise aanbieden").click()
    assert_accessible(axe, brugge)
    brugge.get_by_label("Grondrechtenbenadering van armoede").check()
    brugge.get_by_label("Impactmeting").check()
    brugge.get_by_label("Uw succesvolle aanpak").fill(
        "Elke maatregel gaat door een grondrechtentoets; we meten jaarlijks het effect."
    )
    brugge.get_by_label("Aantal inwoners van uw gemeente").fill("119000")
    brugge.get_by_label("Beschikbaar vanaf (maand)").select_option(label="september")
    brugge.get_by_label("Beschikbaar vanaf (jaar)").fill(str(utcnow().year + 1))
    brugge.get_by_label("Hoeveel maanden?").fill("4")
    brugge.get_by_label("Tijdsbesteding van de mentor").fill("50")
    profile = brugge.get_by_role("group", name="Mentorprofiel 1")
    profile.get_by_label("Naam van de mentor (niet verplicht)").fill("Bea Begeleider")
    profile.get_by_label("Functie").fill("Beleidscoördinator armoede")
    profile.get_by_label("Jaren ervaring in lokaal armoedebeleid").fill("12")
    profile.get_by_role("group", name=re.compile("Stelde de mentor een lokaal armoedeplan op")).get_by_label(
        "Ja"
    ).check()
    profile.get_by_label("Welk plan?").fill("Lokaal armoedeplan Brugge 2020-2025")
    profile.get_by_label("Jaar van goedkeuring door de gemeenteraad").fill("2020")
    brugge.get_by_role("button", name="Aanbod opslaan").click()
    expect(brugge.get_by_text("Uw aanbod is geregistreerd.")).to_be_visible()

    # The public overview shows the offer once with its themes, and under one of them, without the mentor's name.
    brugge.goto(f"{live_server}/aanbod")
    brugge.get_by_role("link", name="Impactmeting").click()
    impact = brugge.locator('[data-theme="impactmeting"]')
    expect(impact).to_contain_text("Elke maatregel gaat door een grondrechtentoets")
    expect(brugge.locator("main")).not_to_contain_text("Bea Begeleider")
    assert_accessible(axe, brugge)

    # The matcher opens Aalst's need: Brugge's offer, sharing both themes, is at the top with the reasons.
    matcher = signed_in(browser, live_server, "matcher@vvsg.demo")
    expect(matcher.get_by_role("heading", level=1)).to_have_text("Matching")
    assert_accessible(axe, matcher)
    matcher.get_by_role("link", name="Alle vragen").first.click()
    matcher.get_by_role("link", name=re.compile("Aalst")).first.click()
    expect(matcher.get_by_role("heading", level=1)).to_have_text("Vraag van Aalst")
    first = matcher.locator("[data-ranked-offer]").first
    expect(first.get_by_role("heading", level=3)).to_have_text("Aanbod van Brugge")
    expect(first.locator("[data-reasons]")).to_contain_text(
        "2 gedeelde thema's: Grondrechtenbenadering van armoede; Impactmeting"
    )
    expect(first.locator("[data-reasons]")).to_contain_text("Naburige provincie")
    assert_accessible(axe, matcher)
    first.get_by_label(re.compile("Bericht aan beide besturen")).fill(
        "Brugge meet al jaren de impact van zijn armoedebeleid."
    )
    first.get_by_role("button", name=re.compile("Match voorstellen")).click()
    expect(matcher.locator("[data-state]").first).to_have_text("Voorgesteld")
    assert_accessible(axe, matcher)

    # Both governments accept.
    for page, outcome in (
        (brugge, "U hebt het voorstel aanvaard."),
        (aalst, "De match is bevestigd: beide besturen hebben aanvaard."),
    ):
        to_matching(page, axe)
        page.locator(".govuk-notification-banner").get_by_role("link", name=re.compile("Brugge en Aalst")).click()
        expect(page.get_by_text("Brugge meet al jaren de impact van zijn armoedebeleid.")).to_be_visible()
        assert_accessible(axe, page)
        page.get_by_label("Ja, wij aanvaarden de match").check()
        page.get_by_role("button", name="Antwoord versturen").click()
        expect(page.get_by_text(outcome)).to_be_visible()
        assert_accessible(axe, page)

    # Brugge starts the application: parties, themes and the mentor are filled in.
    brugge.reload()
    brugge.get_by_role("button", name="Aanvraag starten").click()
    assert_accessible(axe, brugge)
    brugge.get_by_label(re.compile("Demo-oproep")).check()
    brugge.get_by_role("button", name="Aanvraag starten").click()
    expect(brugge.get_by_text("Uw aanvraag is gestart met beide besturen")).to_be_visible()
    expect(brugge.get_by_role("heading", level=1)).to_have_text("Uw aanvraag")
    assert_accessible(axe, brugge)
    brugge.get_by_role("link", name="Partijen").click()
    expect(brugge.get_by_label("Ontvangend bestuur")).to_have_value(re.compile(r"\d+"))
    expect(brugge.get_by_label("Ontvangend bestuur").locator("option:checked")).to_have_text("Aalst")
    brugge.go_back()
    brugge.get_by_role("link", name="Mentoren").click()
    expect(brugge.get_by_role("heading", name="Bea Begeleider")).to_be_visible()
    assert_accessible(axe, brugge)
