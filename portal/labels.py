"""Codes as words in the reader's language: the states of a dossier, a payout and a final report, the kinds of
payout, the forms of exchange, the outcome and name of an eligibility rule. Pages (as template filters) and
exports use the same words; nothing here reads the database."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.i18n import language_code
from workflows.applications import State
from workflows.eligibility import RULE_NAMES


def exchange_label(exchange_type: str | None) -> str:
    return {"mentoring": _("Mentoring"), "stage": _("Stage")}.get(exchange_type or "", exchange_type or "")


def payout_kind(kind: str) -> str:
    return {"advance": _("Voorschot"), "balance": _("Saldo"), "recovery": _("Terugvordering")}.get(kind, kind)


def payout_state(state: str) -> str:
    return {
        "planned": _("Voorbereid"),
        "approved": _("Goedgekeurd"),
        "in_file": _("In een betaalbestand"),
        "paid": _("Betaald"),
        "failed": _("Mislukt"),
        "cancelled": _("Geannuleerd"),
    }.get(state, state)


def state_label(state: str) -> str:
    return {
        State.DRAFT: _("Concept"),
        State.SUBMITTED: _("Ingediend"),
        State.ELIGIBLE: _("Ontvankelijk"),
        State.INELIGIBLE: _("Niet ontvankelijk"),
        State.CORRECTION_REQUESTED: _("Aanvulling gevraagd"),
        State.IN_REVIEW: _("In beoordeling"),
        State.SCORED: _("Beoordeeld"),
        State.GRANTED: _("Toegekend"),
        State.REJECTED: _("Afgewezen"),
        State.CLOSED: _("Afgesloten"),
        State.WITHDRAWN: _("Ingetrokken"),
    }[State(state)]


def rule_outcome(outcome: str) -> str:
    return {"pass": _("Voldaan"), "fail": _("Niet voldaan"), "needs_review": _("Na te kijken")}.get(outcome, outcome)


def rule_name(code: str) -> str:
    """`Indieningsperiode` for E01_WINDOW: the eligibility rule as the call text names it."""
    names = RULE_NAMES.get(code)
    return code if names is None else names[1 if language_code() == "en" else 0]


def report_state(state: str) -> str:
    return {"draft": _("In opmaak"), "submitted": _("Ingediend"), "settled": _("Aanvaard")}.get(state, state)


def state_change(action: str, entity_type: str, before: str | None, after: str | None) -> str:
    """`Goedgekeurd → Betaald` for a line of a dossier's audit trail: the states of what the action moved
    (a payout, the final report or the dossier itself)."""
    if before is None and after is None:
        return ""
    if entity_type == "payout":
        name_of = payout_state
    elif action.startswith("final_report."):
        name_of = report_state
    elif action.startswith("eligibility."):
        name_of = rule_outcome
    else:
        name_of = state_label
    return f"{name_of(before) if before else '–'} → {name_of(after) if after else '–'}"


def task_label(task: str) -> str:
    """The officer's work by what a dossier waits for (portal/services/reports.py Task)."""
    return {
        "nakijken": _("Ontvankelijkheid na te kijken"),
        "aangevuld": _("Aangevuld na een vraag, opnieuw na te kijken"),
        "niet-bevestigd": _("Ontvangend bestuur heeft nog niet bevestigd"),
        "beoordelaars": _("Beoordelaars toe te wijzen"),
        "beslissen": _("Alle beoordelingen binnen: te beslissen"),
        "eindrapport": _("Eindrapport ingediend: te verrekenen"),
    }.get(task, task)
