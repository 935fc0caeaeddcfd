"""The public register of grants: what was granted to whom, as open data (SPEC: transparency of public money).

One row per granted dossier (granted or closed): the two governments, the form, the themes, the amount committed
and paid, the decision date. Governments are public bodies: their names are public. No person is named: no
contact, mentor, officer or reviewer, and no free text (motivations may mention people).

The columns are part of the contract with whoever downloads the data: their names stay as they are (they are
not translated), and each has a description in Dutch and English, published with the data.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import data
from portal.models import Application, Call
from portal.services import exports
from portal.services import reference as reference_data
from portal.services.exports import neutralise
from workflows.applications import State
from workflows.calls import BRUSSELS
from workflows.money import cents_to_decimal

GRANTED_STATES = (State.GRANTED, State.CLOSED)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, date (ISO 8601), decimal (euro, a point before the cents)
    nl: str
    en: str


# The column dictionary published with the JSON (portal/data/register_columns.csv).
COLUMNS = tuple(Column(**row) for row in data.rows("register_columns"))


@dataclass(frozen=True)
class GrantedProject:
    reference: str
    call_code: str
    state: State
    giving_name: str
    giving_nis: str | None
    receiving_name: str
    receiving_nis: str | None
    exchange_type: str
    theme_codes: tuple[str, ...]
    committed_cents: int
    paid_cents: int
    decided_on: date


def granted_projects(call_id: int | None = None) -> list[GrantedProject]:
    """Every granted dossier of a published call, oldest decision first, in one query."""
    rows = exports.dossier_rows(
        Application.state.in_(GRANTED_STATES),
        Call.is_published.is_(True),
        *([Call.id == call_id] if call_id is not None else []),
        order_by=(Application.decided_at, Application.id),
    )
    return [
        GrantedProject(
            r.reference,
            r.call_code,
            State(r.state),
            r.giving_name,
            r.giving_nis,
            r.receiving_name or "",
            r.receiving_nis,
            r.exchange_type or "",
            tuple(r.theme_codes or ()),
            r.committed,
            r.paid,
            _brussels_day(r.decided_at),
        )  # fmt: skip
        for r in rows
    ]


def _brussels_day(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def _euro(cents: int) -> str:
    return f"{cents_to_decimal(cents):.2f}"


def records(projects: list[GrantedProject]) -> list[dict[str, str]]:
    """The rows as the columns name them, every value a string (amounts as decimals, never floats)."""
    theme_names = dict(reference_data.theme_names("nl"))
    return [
        {
            "referentie": p.reference,
            "oproep": p.call_code,
            "status": p.state.value,
            "gevend_bestuur": p.giving_name,
            "gevend_bestuur_nis": p.giving_nis or "",
            "ontvangend_bestuur": p.receiving_name,
            "ontvangend_bestuur_nis": p.receiving_nis or "",
            "vorm": p.exchange_type,
            "thema_codes": "|".join(p.theme_codes),
            "themas": "|".join(theme_names.get(code, code) for code in p.theme_codes),
            "bedrag_vastgelegd_eur": _euro(p.committed_cents),
            "bedrag_betaald_eur": _euro(p.paid_cents),
            "beslist_op": p.decided_on.isoformat(),
        }
        for p in projects
    ]


def to_csv(projects: list[GrantedProject]) -> bytes:
    """Comma-separated UTF-8 with a header row (RFC 4180), as open-data portals take it; text that a spreadsheet
    would run as a formula is neutralised like in every export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    for record in records(projects):
        writer.writerow([neutralise(record[column.name]) for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def to_json(projects: list[GrantedProject], about: dict[str, Any]) -> bytes:
    """The rows with what they mean: the columns described in both languages, the licence and the source."""
    document = {
        **about,
        "kolommen": [
            {"naam": c.name, "type": c.kind, "beschrijving_nl": c.nl, "beschrijving_en": c.en} for c in COLUMNS
        ],
        "records": records(projects),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
