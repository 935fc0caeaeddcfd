"""The reporting dashboard and the list of every dossier, through the test client."""

from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from portal.models import Organisation, Reservation
from portal.services import reports
from tests.conftest import make_user, sign_in
from tests.factories import submitted_dossier
from tests.integration.test_report_queries import Dossiers, report_call

SVG = "{http://www.w3.org/2000/svg}"


def table_rows(page: str, key: str) -> dict[str, str]:
    """A table's rows as {row header: first cell}, both as the reader sees them."""
    match = re.search(rf'<table class="govuk-table"\s+data-table="{key}">(.*?)</table>', page, re.S)
    assert match, f"no table {key}"
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', match.group(1), re.S)
    return {
        html_lib.unescape(re.sub(r"<[^>]+>", "", label)).strip(): html_lib.unescape(value).strip()
        for label, value in rows
    }


def chart_figures(page: str, key: str) -> dict[str, str]:
    """A bar chart's labels and values, read from its SVG text elements."""
    match = re.search(rf'<svg[^>]*aria-labelledby="chart-{key}-title".*?</svg>', page, re.S)
    assert match, f"no chart {key}"
    svg = ET.fromstring(match.group(0))  # noqa: S314 - the portal's own page
    assert svg.get("role") == "img"
    shown = []
    for text in svg.iter(f"{SVG}text"):
        tooltip = text.find(f"{SVG}title")  # a cut label carries its whole text here
        shown.append(tooltip.text if tooltip is not None else "".join(text.itertext()))
    return dict(zip(shown[0::2], shown[1::2], strict=True))


def euro(cents: int) -> str:
    """An amount as the Dutch pages show it: EUR 1.234,56."""
    return f"EUR\u00a0{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" data-dossier="([^"]+)">', page)


def test_the_dashboard_shows_each_chart_with_a_table_of_the_same_numbers(client, db_session):
    call = report_call()
    Dossiers(call).add(30)  # three of each state
    sign_in(client, make_user("officer"))

    response = client.get("/behandeling/rapportering")  # the most recent call by default

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert call.code in page and '<label class="govuk-label" for="oproep">' in page
    for key in ("states", "themes", "provinces", "exchange-types"):
        table = table_rows(page, key)
        table.pop("Ingediend, in totaal", None)  # the total under the table is not a bar
        assert chart_figures(page, key) == table, key
    assert table_rows(page, "states")["Toegekend"] == "3"
    assert table_rows(page, "states")["Ingediend, in totaal"] == "30"
    assert table_rows(page, "exchange-types") == {"Mentoring": "20", "Stage": "10"}
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-envelope-title"', page)
    envelope = table_rows(page, "envelope")
    assert envelope["Totaal budget"] == "EUR\u00a0100.000.000,00"
    assert (envelope["Gereserveerd"], envelope["Vastgelegd"]) == (euro(call.reserved_cents), euro(call.committed_cents))
    assert envelope["Uitbetaald (na terugvorderingen)"] == euro(call.paid_cents)
    assert " style=" not in page.split('id="main-content"')[1]  # the CSP allows no inline style


def test_a_dossier_submitted_through_the_portal_is_counted_and_listed(client, db_session):
    call = report_call()
    dossier = submitted_dossier(call)  # Gent gives, Ronse receives
    reservation = db_session.get(Reservation, dossier.id)
    sign_in(client, make_user("officer"))

    page = client.get(f"/behandeling/rapportering?oproep={call.id}").get_data(as_text=True)
    assert table_rows(page, "states")["Ingediend"] == "1"
    assert table_rows(page, "provinces")["Oost-Vlaanderen"] == "1"
    assert reservation is not None and reservation.reserved_cents == dossier.requested_cents
    assert table_rows(page, "envelope")["Gereserveerd"] == euro(reservation.reserved_cents)

    listing = client.get(f"/behandeling/dossiers?oproep={call.id}").get_data(as_text=True)
    assert rows_of(listing) == [dossier.reference]
    assert f'href="/behandeling/dossiers/{dossier.id}"' in listing
    assert "Gent" in listing and "Ronse" in listing and "Ingediend" in listing


def test_finance_sees_the_figures_and_the_list_without_the_officers_dossier_links(client, db_session):
    call = report_call()
    Dossiers(call).add(10)
    sign_in(client, make_user("finance"))

    assert client.get(f"/behandeling/rapportering?oproep={call.id}").status_code == 200
    listing = client.get(f"/behandeling/dossiers?oproep={call.id}")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert len(rows_of(page)) == 10
    assert 'href="/behandeling/dossiers/' not in page


def test_an_applicant_may_see_neither(client, db_session):
    sign_in(client, make_user("applicant"))
    assert client.get("/behandeling/rapportering").status_code == 403
    assert client.get("/behandeling/dossiers").status_code == 403


def test_an_unknown_call_is_not_found(client, db_session):
    sign_in(client, make_user("officer"))
    assert client.get("/behandeling/rapportering?oproep=999999").status_code == 404
    assert client.get("/behandeling/rapportering?oproep=abc").status_code == 404
    assert client.get("/behandeling/dossiers?oproep=999999").status_code == 404
    assert client.get("/behandeling/dossiers?oproep=abc").status_code == 404


def test_the_list_filters_by_state_and_searches_reference_and_government(client, db_session):
    call = report_call()
    dossiers = Dossiers(call)
    dossiers.add(30)
    sign_in(client, make_user("officer"))
    base = f"/behandeling/dossiers?oproep={call.id}"

    granted = client.get(f"{base}&status=granted").get_data(as_text=True)
    assert len(rows_of(granted)) == 3
    assert granted.count('<td class="govuk-table__cell">Toegekend</td>') == 3
    assert '<option value="granted" selected>' in granted

    one = client.get(f"{base}&zoek={dossiers.reference(7).lower()}").get_data(as_text=True)
    assert rows_of(one) == [dossiers.reference(7)]

    # A government's name, either side; what the page finds is what a reader would.
    names = dict(db_session.execute(select(Organisation.id, Organisation.name)).all())
    term = names[dossiers.municipalities[0][0]][:4]
    page = reports.dossier_page(reports.DossierFilter(call_id=call.id), 1, per_page=100)
    found = client.get(f"{base}&zoek={term}").get_data(as_text=True)
    expected = [
        row.reference
        for row in page.rows
        if term.lower() in row.giving_name.lower() or term.lower() in (row.receiving_name or "").lower()
    ]
    assert rows_of(found) == expected and expected

    assert rows_of(client.get(f"{base}&zoek=%25").get_data(as_text=True)) == []  # a % is a character, not a wildcard


def test_the_list_shows_fifty_a_page_newest_first_and_keeps_its_filters_across_pages(client, db_session):
    call = report_call()
    dossiers = Dossiers(call)
    dossiers.add(120)
    sign_in(client, make_user("officer"))
    base = f"/behandeling/dossiers?oproep={call.id}"

    first = client.get(base).get_data(as_text=True)
    assert rows_of(first)[:2] == [dossiers.reference(119), dossiers.reference(118)]
    assert len(rows_of(first)) == 50
    assert f'href="/behandeling/dossiers?oproep={call.id}&amp;pagina=2" rel="next"' in first
    assert 'aria-label="Pagina 3"' in first

    last = client.get(f"{base}&pagina=3").get_data(as_text=True)
    assert len(rows_of(last)) == 20 and rows_of(last)[-1] == dossiers.reference(0)
    assert 'rel="next"' not in last
    assert rows_of(client.get(f"{base}&pagina=99").get_data(as_text=True)) == rows_of(
        last
    )  # past the end: the last page

    queue = client.get(f"{base}&volgorde=wachtrij&status=submitted&pagina=1").get_data(as_text=True)
    assert rows_of(queue) == [dossiers.reference(n) for n in range(0, 120, 10)]
    assert '<option value="wachtrij" selected>' in queue
