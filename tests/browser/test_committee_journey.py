"""One dossier from submission through eligibility, two reviews and a grant, in Chromium, by the
visible labels; axe finds no violation on the officer's and the reviewers' pages."""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible, sign_in_staff
from workflows.calls import BRUSSELS

pytestmark = pytest.mark.browser

# The demo's submitted dossier: Ronse gives, Gent receives, EUR 5.400,00 requested. The demo call
# opened 14 days ago: its year is in the reference.
REFERENCE = f"ARM-{(datetime.now(BRUSSELS).date() - timedelta(days=14)).year}-0001"
CRITERIA = [
    "Focus op de lokale regierol",
    "Leernood van het ontvangende bestuur",
    "Kwaliteit en haalbaarheid van het actieplan",
    "Expertise van de mentor(en)",
    "Participatie van mensen in armoede",
    "Duurzame verankering",
    "Evaluatieplan",
]


def score(page: Page, values: list[int | None]) -> None:
    for name, value in zip(CRITERIA, values, strict=True):
        if value is not None:
            page.get_by_role("group", name=name).get_by_label(str(value), exact=True).check()


def review_as(
    browser: Browser, live_server: str, axe, email: str, values: list[int], other_reviewer: str | None
) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in_staff(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Beoordelingen")
    assert_accessible(axe, page)
    # The assignment waits in the inbox (and was e-mailed); its link opens the review.
    page.get_by_role("link", name=re.compile(r"^Berichten \(\d+ nieuw\)$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    assert_accessible(axe, page)
    page.get_by_role("link", name=f"Nieuwe beoordeling: dossier {REFERENCE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nieuwe beoordeling: dossier {REFERENCE}")
    assert_accessible(axe, page)
    page.get_by_role("link", name="De beoordeling openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling van {REFERENCE}")
    expect(
        page.get_by_text("De scores van de andere beoordelaars ziet u pas nadat u uw eigen beoordeling hebt ingediend.")
    ).to_be_visible()
    assert_accessible(axe, page)
    # One criterion forgotten: the error is named and nothing typed is lost.
    score(page, [*values[:-1], None])
    page.get_by_label("Algemene opmerking (optioneel)").fill("Sterk actieplan met een duidelijke regierol.")
    page.get_by_role("button", name="Beoordeling indienen").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Geef een score voor ‘{CRITERIA[-1]}’"
    )  # the missing one, by name
    expect(page.get_by_role("group", name=CRITERIA[0]).get_by_label(str(values[0]), exact=True)).to_be_checked()
    assert_accessible(axe, page)
    score(page, values)
    page.get_by_role("button", name="Beoordeling indienen").click()
    expect(page.get_by_role("heading", name="Uw scores")).to_be_visible()
    if other_reviewer is None:
        expect(page.get_by_text("Nog geen andere beoordelaar heeft ingediend.")).to_be_visible()
    else:  # blind no more: the other review is shown now
        expect(page.locator('[data-table="other-reviews"]')).to_contain_text(other_reviewer)
    assert_accessible(axe, page)
    context.close()


def test_an_officer_takes_a_dossier_through_eligibility_two_reviews_and_a_grant(
    page: Page, browser: Browser, live_server, axe
):
    sign_in_staff(page, live_server, "dossierbehandelaar@abb.demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossierbehandeling")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Wachtrij en geschiedenis van het budget ARM-DEMO").click()
    assert_accessible(axe, page)
    page.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {REFERENCE}")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Ontvankelijk verklaren", exact=True).click()
    expect(page.get_by_text(f"Het dossier {REFERENCE} is ontvankelijk.")).to_be_visible()

    # The suggestions (fewest open reviews) are ticked; the officer accepts them.
    reviewers = page.get_by_role("group", name="Beoordelaars")
    ticked = [reviewers.get_by_label(label) for label in ("Bart Beoordelaar", "Lies Leuven")]
    for box in ticked:
        expect(box).to_be_checked()
    expect(reviewers.get_by_label("Els Evaluator")).not_to_be_checked()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Beoordelaars toewijzen").click()
    expect(page.get_by_text("De beoordelaars zijn toegewezen.")).to_be_visible()
    expect(page.locator('[data-table="reviews"]')).to_contain_text("Lies Leuven")
    assert_accessible(axe, page)

    review_as(browser, live_server, axe, "beoordelaar@commissie.demo", [3, 2, 3, 2, 2, 2, 1], other_reviewer=None)
    review_as(
        browser,
        live_server,
        axe,
        "beoordelaar3@commissie.demo",
        [2, 2, 2, 2, 2, 2, 2],
        other_reviewer="Bart Beoordelaar",
    )

    page.reload()
    expect(page.locator(".govuk-tag").first).to_have_text("Beoordeeld")
    expect(page.locator("[data-score-result]")).to_contain_text("Haalt de drempel")
    assert_accessible(axe, page)
    page.get_by_label("Motivering (optioneel)").fill("Een sterk project met een duidelijke regierol.")
    page.get_by_role("button", name="Toekennen").click()
    expect(page.get_by_text(f"Het dossier {REFERENCE} is toegekend voor EUR\u00a05.400,00.")).to_be_visible()
    expect(page.locator("[data-granted]")).to_have_text("EUR\u00a05.400,00")
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download de beslissingsbrief (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert REFERENCE in text and "5.400,00" in text and "Raad van State" in text

    # Every e-mail of the journey was delivered: the officer's page of undelivered messages is empty.
    page.goto(f"{live_server}/behandeling/berichten")
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten die niet bezorgd zijn")
    expect(page.locator("[data-none]")).to_be_visible()
    assert_accessible(axe, page)
