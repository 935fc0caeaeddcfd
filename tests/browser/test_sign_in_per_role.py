"""Each demo role signs in through the real pages, lands on a page meant for it, and axe finds no violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services.seed import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, enter_two_step_code, sign_in_staff

pytestmark = pytest.mark.browser

LANDINGS = [
    ("aanvrager@gent.demo", "/mijn-dossiers/", "Mijn dossiers", False),
    ("matcher@vvsg.demo", "/matching/", "Matching", True),  # sees every government's contacts
    ("beoordelaar@commissie.demo", "/beoordeling/", "Beoordelingen", True),
    ("dossierbehandelaar@abb.demo", "/behandeling/", "Dossierbehandeling", True),
    ("financien@abb.demo", "/financien/", "Uitbetalingen", True),
    ("beheerder@abb.demo", "/beheer/gebruikers", "Gebruikers", True),
]


@pytest.mark.parametrize(("email", "path", "heading", "two_step"), LANDINGS, ids=[row[0] for row in LANDINGS])
def test_each_demo_role_signs_in_and_lands_on_its_own_page(
    page: Page, live_server, axe, email, path, heading, two_step
):
    page.goto(f"{live_server}/inloggen")
    assert_accessible(axe, page)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if two_step:
        expect(page.get_by_role("heading", name="Tweestapsverificatie")).to_be_visible()
        assert_accessible(axe, page)
        enter_two_step_code(page)
    expect(page).to_have_url(f"{live_server}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()


def test_a_wrong_password_shows_the_error_summary_linked_to_the_field(page: Page, live_server, axe):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@gent.demo")
    page.get_by_label("Wachtwoord", exact=True).fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Het e-mailadres of het wachtwoord klopt niet")
    expect(page.get_by_label("E-mailadres")).to_have_value("aanvrager@gent.demo")
    assert_accessible(axe, page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Wachtwoord", exact=True)).to_be_focused()


def test_five_minutes_before_the_session_ends_a_warning_says_when(page: Page, live_server, axe):
    page.clock.install()  # the page's timers run on a clock the test moves
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill("aanvrager@gent.demo")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn dossiers")
    warning = page.get_by_role("dialog", name="Uw sessie loopt bijna af")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("09:50:00")  # a login lasts ten hours: nine hours fifty in, nothing yet
    expect(warning).to_be_hidden()
    page.clock.fast_forward("00:06:00")  # four minutes before the end
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("wordt u om veiligheidsredenen afgemeld")
    assert_accessible(axe, page)
    warning.get_by_role("button", name="Ik heb het begrepen").click()
    expect(warning).to_be_hidden()


def euros(page: Page, figure: str, thousands: str, decimal: str) -> int:
    """A figure of the budget meter, read as a person reads it, in cents."""
    text = page.locator(f'[data-figure="{figure}"]').inner_text().replace("EUR", "").strip()
    assert re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})*\{decimal}\d{{2}}", text), text
    return int(text.replace(thousands, "").replace(decimal, ""))


def test_public_pages_are_accessible_and_switch_to_english(page: Page, live_server, axe):
    page.goto(live_server)
    expect(page.get_by_role("heading", name="Open oproepen")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name=re.compile("Demo-oproep")).click()
    figures = {name: euros(page, name, ".", ",") for name in ("envelope", "reserved", "committed", "remaining")}
    assert figures["envelope"] == 250_000_00
    assert figures["remaining"] == figures["envelope"] - figures["reserved"] - figures["committed"]
    assert figures["reserved"] >= 5_400_00  # at least the demo's submitted dossier
    assert_accessible(axe, page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Budget")).to_be_visible()
    assert euros(page, "remaining", ",", ".") == figures["remaining"]
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_an_officer_opens_the_call_editor_and_it_is_accessible(page: Page, live_server, axe):
    sign_in_staff(page, live_server, "dossierbehandelaar@abb.demo")
    page.goto(f"{live_server}/behandeling/oproepen")
    assert_accessible(axe, page)
    page.get_by_role("link", name="ARM-DEMO").click()
    expect(page.get_by_label("Budget van de oproep (enveloppe)")).to_have_value("250.000,00")
    assert_accessible(axe, page)


def test_the_accessibility_check_does_find_a_violation(page: Page, axe):
    page.set_content('<html lang="nl"><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(axe, page)
