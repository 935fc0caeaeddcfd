"""The dashboard of the call's figures and the list of every dossier (SPEC 11), for officers and finance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from forms.calls import EXCHANGE_TYPE_LABELS
from portal import charts
from portal.access import roles
from portal.db import brussels_today
from portal.i18n import eur, language_code
from portal.labels import state_label
from portal.officer.blueprint import bp
from portal.services import calls as call_service
from portal.services import reports
from workflows.applications import State
from workflows.roles import Role
from workflows.text import without_control_characters


def count_text(value: int) -> str:
    """A number of dossiers the Belgian way: 5.000 (Dutch), 5,000 (English)."""
    return str(format_decimal(value))


@dataclass(frozen=True)
class Figure:
    """One chart and the table that holds the same figures."""

    key: str
    title: str
    label_header: str
    value_header: str
    rows: tuple[tuple[str, int], ...]
    chart: Markup


def _figure(key: str, title: str, label_header: str, rows: list[tuple[str, int]]) -> Figure:
    value_header = _("Aantal dossiers")
    return Figure(key, title, label_header, value_header, tuple(rows), charts.bar_chart(key, title, rows, count_text))


def _figures(report: reports.CallReport, lang: str) -> list[Figure]:
    return [
        _figure(
            "states",
            _("Dossiers per status"),
            _("Status"),
            [(state_label(state), count) for state, count in report.states if state is not State.DRAFT],
        ),
        _figure(
            "themes", _("Dossiers per thema"), _("Thema"), [(theme.name(lang), theme.count) for theme in report.themes]
        ),
        _figure(
            "provinces",
            _("Dossiers per provincie van het gevende bestuur"),
            _("Provincie"),
            [(province.name or _("Zonder provincie"), province.count) for province in report.provinces],
        ),
        _figure(
            "exchange-types",
            _("Dossiers per vorm van uitwisseling"),
            _("Vorm"),
            [(str(EXCHANGE_TYPE_LABELS.get(kind.value, kind.value)), count) for kind, count in report.exchange_types],
        ),
    ]


def _envelope_chart(envelope: reports.Envelope) -> Markup:
    # Paid is part of committed: the bar shows paid, committed not yet paid, reserved and what remains.
    return charts.stacked_bar(
        "envelope",
        _("Verdeling van het budget"),
        [
            (_("Uitbetaald"), envelope.paid_cents),
            (_("Vastgelegd, nog niet uitbetaald"), envelope.committed_unpaid_cents),
            (_("Gereserveerd"), envelope.reserved_cents),
            (_("Nog beschikbaar"), envelope.remaining_cents),
        ],
        eur,
        colours=("#00703c", "#1d70b8", "#5694ca", "#b1b4b6"),
    )


@bp.get("/rapportering")
@roles(Role.OFFICER, Role.FINANCE)
def report_dashboard() -> ResponseReturnValue:
    """The figures of one call (`?oproep=<id>`, by default the most recent one)."""
    calls = reports.list_calls()
    call_id = request.args.get("oproep", type=int)
    if request.args.get("oproep") and call_id is None:
        abort(404)
    if call_id is None and calls:
        call_id = calls[0].id
    call = call_service.find_call(call_id) if call_id is not None else None
    if call_id is not None and call is None:
        abort(404)
    if call is None:
        return render_template("officer/report_dashboard.html", calls=calls, call=None)
    lang = language_code()
    report = reports.call_report(call, brussels_today())
    return render_template(
        "officer/report_dashboard.html",
        calls=calls,
        call=call,
        report=report,
        envelope_chart=_envelope_chart(report.envelope),
        figures=_figures(report, lang),
        count_text=count_text,
    )


def _page_url(filters: reports.DossierFilter, number: int) -> str:
    """The list's address with the same filters, on another page (defaults left out)."""
    args: dict[str, Any] = {
        "oproep": filters.call_id,
        "status": filters.state.value if filters.state else None,
        "taak": filters.task.value if filters.task else None,
        "behandelaar": filters.owner.value if filters.owner else None,
        "zoek": filters.search.strip() or None,
        "volgorde": filters.order.value if filters.order is not reports.Order.NEWEST else None,
        "pagina": number if number > 1 else None,
    }
    return url_for("officer.dossier_list", **{key: value for key, value in args.items() if value is not None})


def _pagination(filters: reports.DossierFilter, page: reports.DossierPage) -> dict[str, Any] | None:
    """govukPagination's parameters, in the page's language: the first, last and nearby pages."""
    if page.pages <= 1:
        return None
    shown = sorted({1, page.pages, *range(max(1, page.page - 1), min(page.pages, page.page + 1) + 1)})
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1].get("number", 0) > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": _page_url(filters, number),
                "current": number == page.page,
                "visuallyHiddenText": _("Pagina %(number)d", number=number),
            }
        )
    hidden = Markup('<span class="govuk-visually-hidden"> %s</span>') % _("pagina")
    params: dict[str, Any] = {"items": items, "landmarkLabel": _("Paginering")}
    if page.page > 1:
        params["previous"] = {"href": _page_url(filters, page.page - 1), "html": escape(_("Vorige")) + hidden}
    if page.page < page.pages:
        params["next"] = {"href": _page_url(filters, page.page + 1), "html": escape(_("Volgende")) + hidden}
    return params


@bp.get("/dossiers")
@roles(Role.OFFICER, Role.FINANCE)
def dossier_list() -> ResponseReturnValue:
    """Every submitted dossier, filtered by call, state and a search, 50 to a page."""
    calls = reports.list_calls()
    call_id = request.args.get("oproep", type=int)
    if (request.args.get("oproep") and call_id is None) or (
        call_id is not None and call_id not in {c.id for c in calls}
    ):
        abort(404)
    status = request.args.get("status", "")
    state = State(status) if status in {s.value for s in State if s is not State.DRAFT} else None
    order_value = request.args.get("volgorde", "")
    order = reports.Order(order_value) if order_value in {o.value for o in reports.Order} else reports.Order.NEWEST
    search = without_control_characters(request.args.get("zoek", ""))[:100]
    wanted_task = request.args.get("taak", "")
    task = reports.Task(wanted_task) if wanted_task in {t.value for t in reports.Task} else None
    wanted_owner = request.args.get("behandelaar", "")
    owner = reports.Owner(wanted_owner) if wanted_owner in {o.value for o in reports.Owner} else None
    filters = reports.DossierFilter(
        call_id=call_id, state=state, search=search, order=order, task=task, owner=owner, owner_id=current_user.id
    )
    page = reports.dossier_page(filters, request.args.get("pagina", 1, type=int) or 1)
    return render_template(
        "officer/dossier_list.html",
        calls=calls,
        filters=filters,
        page=page,
        states=[s for s in State if s is not State.DRAFT],
        tasks=list(reports.Task),
        owners=[(reports.Owner.MINE, _("Mijn dossiers")), (reports.Owner.NOBODY, _("Zonder behandelaar"))],
        orders=[(reports.Order.NEWEST, _("Nieuwste eerst")), (reports.Order.QUEUE, _("Volgorde van de wachtrij"))],
        pagination=_pagination(filters, page),
        links_to_dossier=current_user.role_enum is Role.OFFICER,
        count_text=count_text,
    )
