"""Exports for officers and finance: dossiers, scores and payouts as CSV and XLSX (payment files: finance/)."""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.access import roles
from portal.db import brussels_today
from portal.models import Call
from portal.officer.blueprint import bp
from portal.services import calls as call_service
from portal.services import exports
from workflows.roles import Role

MIMETYPES = {
    "csv": "text/csv",  # Werkzeug adds the charset (UTF-8) to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset_titles() -> dict[str, str]:
    """The datasets as the page and the sheet name call them."""
    return {"dossiers": _("Dossiers"), "scores": _("Scores van de beoordelingen"), "payouts": _("Uitbetalingen")}


@bp.get("/export")
@roles(Role.OFFICER, Role.FINANCE)
def exports_page() -> ResponseReturnValue:
    calls = call_service.all_calls()
    chosen = _chosen_call(calls)
    return render_template(
        "officer/exports.html", titles=dataset_titles(), today=brussels_today(), calls=calls, chosen=chosen
    )


def _chosen_call(calls: list[Call]) -> Call | None:
    """`?oproep=<id>` narrows every export to one call; an id that is no call is a 404, not all calls."""
    wanted = request.args.get("oproep", "")
    if not wanted:
        return None
    found = next((call for call in calls if str(call.id) == wanted), None)
    return found or abort(404)


@bp.get("/export/<any(dossiers, scores, payouts):dataset>.<any(csv, xlsx):fmt>")
@roles(Role.OFFICER, Role.FINANCE)
def export(dataset: str, fmt: str) -> ResponseReturnValue:
    build = exports.DATASETS.get(dataset) or abort(404)
    call = _chosen_call(call_service.all_calls())
    table = build(call.id if call else None)
    data = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table, dataset_titles()[dataset])
    name = f"{dataset}-{call.code + '-' if call else ''}{brussels_today().isoformat()}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
