"""Exports for officers and finance: dossiers, scores and payouts as CSV and XLSX, and the SEPA file."""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import roles
from portal.extensions import db
from portal.officer.routes import bp
from portal.services import exports
from portal.services.exports import DebtorAccountMissing, NothingToTransfer
from workflows.calls import BRUSSELS
from workflows.roles import Role

MIMETYPES = {
    "csv": "text/csv",  # Werkzeug adds the charset (UTF-8) to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today() -> date:
    return datetime.now(BRUSSELS).date()


def dataset_titles() -> dict[str, str]:
    """The datasets as the page and the sheet name call them."""
    return {"dossiers": _("Dossiers"), "scores": _("Scores van de beoordelingen"), "payouts": _("Uitbetalingen")}


@bp.get("/export")
@roles(Role.OFFICER, Role.FINANCE)
def exports_page() -> ResponseReturnValue:
    return render_template("officer/exports.html", titles=dataset_titles(), today=_today())


def _execution_date(asked: str) -> date | None:
    """Today (Brussels) when none is asked; the asked day when it is a valid ISO date, today or later."""
    if not asked:
        return _today()
    try:
        chosen = date.fromisoformat(asked)
    except ValueError:
        return None
    return chosen if chosen >= _today() else None


@bp.get("/export/sepa.xml")
@roles(Role.FINANCE)
def sepa_file() -> ResponseReturnValue:
    """The pain.001 of every approved advance and balance, to upload in the bank's application."""
    execution_date = _execution_date(request.args.get("uitvoering", "").strip())
    if execution_date is None:
        # Refused rather than replaced by today: a payment file with a date nobody asked for is worse than none.
        flash(_("De uitvoeringsdatum moet een geldige datum zijn, vandaag of later (JJJJ-MM-DD)."), "info")
        return redirect(url_for("officer.exports_page"))
    try:
        xml = exports.sepa_file(exports.transferable_payouts(), execution_date, current_user)
    except NothingToTransfer:
        db.session.rollback()
        flash(_("Er zijn geen goedgekeurde uitbetalingen om over te maken."), "info")
        return redirect(url_for("finance.dashboard"))
    except DebtorAccountMissing:
        db.session.rollback()
        flash(_("De rekening van de administratie voor overschrijvingen is niet ingesteld (SEPA_DEBTOR_IBAN). Vraag het aan de beheerder."), "info")
        return redirect(url_for("finance.dashboard"))
    db.session.commit()  # the audit row of the file handed out
    name = f"sepa-{execution_date.isoformat()}.xml"
    return send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=True, download_name=name)


@bp.get("/export/<any(dossiers, scores, payouts):dataset>.<any(csv, xlsx):fmt>")
@roles(Role.OFFICER, Role.FINANCE)
def export(dataset: str, fmt: str) -> ResponseReturnValue:
    build = exports.DATASETS.get(dataset) or abort(404)
    table = build()
    data = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table, dataset_titles()[dataset])
    name = f"{dataset}-{_today().isoformat()}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
