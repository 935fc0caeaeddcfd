"""Jinja filters and globals: Belgian formats, language, and Dutch texts for GOV.UK components."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from govuk_frontend_wtf.gov_form_base import GovFormBase, GovIterableBase
from govuk_frontend_wtf.main import WTFormsHelpers

from forms.account import LanguageSwitchForm
from portal.access import declared_access
from portal.i18n import (
    Words,
    clock,
    day,
    eur,
    fraction_text,
    iso_day,
    iso_moment,
    language_code,
    moment,
    months_text,
    share_text,
)
from portal.labels import (
    action_label,
    exchange_label,
    payout_kind,
    payout_state,
    report_state,
    rule_name,
    rule_outcome,
    state_change,
    state_label,
    task_label,
)
from portal.refusals import refusal_text
from portal.services.notifications import unread_count
from workflows.calls import CallPhase


def component_texts() -> dict[str, Any]:
    """The built-in English texts of GOV.UK Frontend components, in the user's language."""
    return {
        "skip_link": _("Direct naar de hoofdinhoud"),
        "error_summary_title": _("Er is een probleem"),
        "menu": _("Menu"),
        "navigation_label": _("Hoofdnavigatie"),
        "password_input": {
            "showPasswordText": _("Tonen"),
            "hidePasswordText": _("Verbergen"),
            "showPasswordAriaLabelText": _("Wachtwoord tonen"),
            "hidePasswordAriaLabelText": _("Wachtwoord verbergen"),
            "passwordShownAnnouncementText": _("Uw wachtwoord is zichtbaar"),
            "passwordHiddenAnnouncementText": _("Uw wachtwoord is verborgen"),
        },
    }


def _announce_errors_in_the_page_language(widget_class: type) -> None:
    """govuk-frontend-wtf leaves the hidden prefix of a field's error at GOV.UK's English "Error:";
    a screen reader on a Dutch page should hear "Fout:". Wrapped once, for every widget."""
    original = widget_class.__dict__["map_gov_params"]

    def map_gov_params(self: Any, field: Any, **kwargs: Any) -> Any:
        params = original(self, field, **kwargs)
        if "errorMessage" in params:
            params["errorMessage"].setdefault("visuallyHiddenText", _("Fout"))
        return params

    widget_class.map_gov_params = map_gov_params  # type: ignore[attr-defined]


for _widget_class in (GovFormBase, GovIterableBase):
    _announce_errors_in_the_page_language(_widget_class)


phase_label = Words(
    {
        CallPhase.UPCOMING: _l("Nog niet open"),
        CallPhase.OPEN: _l("Open"),
        CallPhase.CLOSED: _l("Afgesloten"),
    }
)


def batch_outcome(outcome: str) -> str:
    return {"pending": _("Wacht op de bank"), "paid": _("Betaald"), "failed": _("Mislukt")}.get(outcome, outcome)


# The GOV.UK tag colour of a payout's state.
payout_colour = Words(
    {
        "planned": "yellow",
        "approved": "blue",
        "in_file": "purple",
        "paid": "green",
        "failed": "red",
        "cancelled": "grey",
    },
    default="grey",
)


def masked_iban(iban: str | None) -> str:
    """An account number on a screen: the country, its check digits and the last four characters, the rest
    hidden (`BE68 **** **** 7034`): enough to recognise the account, not enough to copy it."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) <= 8:
        return compact
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


# A line of the envelope's history (portal/models/budget.py MovementKind).
movement_label = Words(
    {
        "reserved": _l("Gereserveerd"),
        "released": _l("Vrijgegeven"),
        "waiting": _l("Op de wachtlijst"),
        "offered": _l("Deelbedrag aangeboden"),
        "committed": _l("Vastgelegd"),
    }
)


movement_reason = Words(
    {
        "submission": _l("indiening"),
        "resubmission": _l("nieuwe indiening na aanvulling"),
        "withdrawal": _l("intrekking"),
        "correction": _l("aanvulling gevraagd"),
        "ineligible": _l("niet ontvankelijk"),
        "offer_accepted": _l("deelbedrag aanvaard"),
        "grant": _l("toekenning"),
        "rejection": _l("afwijzing"),
        "final_report": _l("eindrapport aanvaard"),
        "recovery": _l("terugvordering ontvangen"),
    }
)


def navigation() -> list[dict[str, Any]]:
    """The service navigation for the signed-in user: only links their role may open."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return []  # also when a PDF is made outside a request (a worker, a command)
    items = [
        ("applicant.dashboard", _("Mijn dossiers")),
        ("applicant.matching", _("Samenwerking zoeken")),
        ("government.colleagues", _("Collega's")),
        ("matcher.dashboard", _("Matching")),
        ("committee.dashboard", _("Beoordelingen")),
        ("officer.dashboard", _("Dossierbehandeling")),
        ("officer.calls", _("Oproepen")),
        ("officer.dossier_list", _("Alle dossiers")),
        ("officer.report_dashboard", _("Rapportering")),
        ("finance.dashboard", _("Uitbetalingen")),
        ("admin.users", _("Gebruikers")),
        ("admin.organisations", _("Organisaties")),
        ("admin.access_requests", _("Toegangsaanvragen")),
        ("account.inbox", _("Berichten")),
        ("account.overview", _("Mijn account")),
    ]
    links = []
    for endpoint, text in items:
        access = declared_access(endpoint)
        if isinstance(access, frozenset) and current_user.role_enum not in access:
            continue
        href = url_for(endpoint)
        if endpoint == "account.inbox":
            text = _unread_label(text)
        links.append({"href": href, "text": text, "active": request.path == href})
    return links


def _unread_label(text: str) -> str:
    unread = unread_count(current_user)
    return _("%(label)s (%(num)d nieuw)", label=text, num=unread) if unread else text


def names(codes: list[str], labels: dict[str, str]) -> str:
    """Codes as their names, in order: `lokale_regie, impactmeting` -> `Lokale regie; Impactmeting`."""
    return "; ".join(labels.get(code, code) for code in codes or [])


def register(app: Flask) -> None:
    WTFormsHelpers(app)  # the `wtforms_errors` helper behind the error summary
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(eur, "eur")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(phase_label, "phase_label")
    app.add_template_filter(months_text, "months")
    app.add_template_filter(fraction_text, "decimal")
    app.add_template_filter(share_text, "share")
    app.add_template_filter(iso_day, "iso_day")
    app.add_template_filter(iso_moment, "iso_moment")
    app.add_template_filter(names, "names")
    app.add_template_filter(payout_kind, "payout_kind")
    app.add_template_filter(payout_state, "payout_state")
    app.add_template_filter(exchange_label, "exchange_label")
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(task_label, "task_label")
    app.add_template_filter(state_label, "state_label")
    app.add_template_filter(report_state, "report_state")
    app.add_template_filter(rule_outcome, "rule_outcome")
    app.add_template_filter(rule_name, "rule_name")
    app.add_template_filter(state_change, "state_change")
    app.add_template_filter(batch_outcome, "batch_outcome")
    app.add_template_filter(payout_colour, "payout_colour")
    app.add_template_filter(movement_label, "movement_label")
    app.add_template_filter(masked_iban, "masked_iban")
    app.add_template_filter(refusal_text, "refusal_text")
    app.add_template_filter(movement_reason, "movement_reason")
    app.jinja_env.globals["zip"] = zip

    @app.context_processor
    def portal_globals() -> dict[str, Any]:
        return {
            "lang": language_code(),
            "govuk_texts": component_texts(),
            "service_navigation": navigation(),
            "language_switch_form": LanguageSwitchForm,
        }
