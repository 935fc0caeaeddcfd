"""Codes as words in the reader's language: the states of a dossier, a payout and a final report, the kinds of
payout, the forms of exchange, the outcome and name of an eligibility rule, the audit log's actions. Pages (as
template filters) and exports use the same words; nothing here reads the database."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import Words, language_code
from workflows.applications import State
from workflows.eligibility import RULE_NAMES


def exchange_label(exchange_type: str | None) -> str:
    return {"mentoring": _("Mentoring"), "stage": _("Stage")}.get(exchange_type or "", exchange_type or "")


def payout_kind(kind: str) -> str:
    return {"advance": _("Voorschot"), "balance": _("Saldo"), "recovery": _("Terugvordering")}.get(kind, kind)


payout_state = Words(
    {
        "planned": _l("Voorbereid"),
        "approved": _l("Goedgekeurd"),
        "in_file": _l("In een betaalbestand"),
        "paid": _l("Betaald"),
        "failed": _l("Mislukt"),
        "cancelled": _l("Geannuleerd"),
    }
)


state_label = Words(
    {
        State.DRAFT: _l("Concept"),
        State.SUBMITTED: _l("Ingediend"),
        State.ELIGIBLE: _l("Ontvankelijk"),
        State.INELIGIBLE: _l("Niet ontvankelijk"),
        State.CORRECTION_REQUESTED: _l("Aanvulling gevraagd"),
        State.IN_REVIEW: _l("In beoordeling"),
        State.SCORED: _l("Beoordeeld"),
        State.GRANTED: _l("Toegekend"),
        State.REJECTED: _l("Afgewezen"),
        State.CLOSED: _l("Afgesloten"),
        State.WITHDRAWN: _l("Ingetrokken"),
    }
)


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


# The officer's work by what a dossier waits for (portal/services/reports.py Task).
task_label = Words(
    {
        "nakijken": _l("Ontvankelijkheid na te kijken"),
        "aangevuld": _l("Aangevuld na een vraag, opnieuw na te kijken"),
        "niet-bevestigd": _l("Ontvangend bestuur heeft nog niet bevestigd"),
        "beoordelaars": _l("Beoordelaars toe te wijzen"),
        "beslissen": _l("Alle beoordelingen binnen: te beslissen"),
        "eindrapport": _l("Eindrapport ingediend: te verrekenen"),
    }
)


# Every action the portal writes to the audit log (tests/unit/test_audit_labels.py finds them in the code and
# fails on one without a sentence). Payout actions are `payout.<state it moved to>`.
ACTION_LABELS = {
    "application.started": _l("Aanvraag gestart"),
    "application.submitted": _l("Aanvraag ingediend"),
    "application.resubmitted": _l("Aangevulde aanvraag opnieuw ingediend"),
    "application.participation_confirmed": _l("Deelname bevestigd door het ontvangende bestuur"),
    "application.unconfirmed_partner_acknowledged": _l(
        "Verder gegaan zonder bevestiging van het ontvangende bestuur, na waarschuwing"
    ),
    "application.participation_declined": _l("Deelname geweigerd door het ontvangende bestuur, met een reden"),
    "application.early_end_declared": _l("Vroeger einde van het traject gemeld"),
    "application.attachment_uploaded": _l("Bijlage opgeladen"),
    "application.correction_requested": _l("Aanvulling gevraagd"),
    "application.declared_eligible": _l("Ontvankelijk verklaard"),
    "application.declared_ineligible": _l("Niet ontvankelijk verklaard"),
    "application.reviewers_assigned": _l("Beoordelaars toegewezen"),
    "application.scored": _l("Alle beoordelingen binnen"),
    "application.granted": _l("Toegekend"),
    "application.rejected": _l("Afgewezen"),
    "application.withdrawn": _l("Aanvraag ingetrokken"),
    "application.closed": _l("Dossier afgesloten"),
    "budget.reserved": _l("Budget gereserveerd"),
    "budget.offer_accepted": _l("Aangeboden deelbedrag aanvaard"),
    "draft.section_saved": _l("Onderdeel van de aanvraag bewaard"),
    "draft.mentor_added": _l("Mentor toegevoegd"),
    "draft.mentor_changed": _l("Mentor gewijzigd"),
    "draft.mentor_removed": _l("Mentor verwijderd"),
    "draft.iban_changed": _l("Rekeningnummer gewijzigd"),
    "dossier.owner_assigned": _l("Behandelaar van het dossier gewijzigd"),
    "dossier.note_added": _l("Interne notitie toegevoegd"),
    "eligibility.result_decided": _l("Beslist over een ontvankelijkheidsregel"),
    "review.assigned": _l("Beoordelaar toegewezen"),
    "review.conflict_declared": _l("Belangenconflict gemeld"),
    "review.no_conflict_declared": _l("Geen belangenconflict verklaard"),
    "review.scores_saved": _l("Scores voorlopig opgeslagen"),
    "review.submitted": _l("Beoordeling ingediend"),
    "final_report.started": _l("Eindrapport gestart"),
    "final_report.cost_saved": _l("Werkelijke kosten bewaard"),
    "final_report.document_added": _l("Bewijsstuk toegevoegd"),
    "final_report.document_removed": _l("Bewijsstuk verwijderd"),
    "final_report.submitted": _l("Eindrapport ingediend"),
    "final_report.returned": _l("Eindrapport teruggestuurd met een vraag"),
    "final_report.settled": _l("Eindrapport aanvaard en saldo berekend"),
    "payout.prepared": _l("Betaling voorbereid"),
    "payout.planned": _l("Mislukte betaling opnieuw voorbereid"),
    "payout.approved": _l("Betaling goedgekeurd"),
    "payout.in_file": _l("Betaling in een betaalbestand gezet"),
    "payout.paid": _l("Betaling uitgevoerd"),
    "payout.failed": _l("Betaling mislukt"),
    "payout.cancelled": _l("Betaling geannuleerd"),
    "match.proposed": _l("Match voorgesteld"),
    "match.cancelled": _l("Match ingetrokken"),
    "match.application_started": _l("Aanvraag gestart vanuit een match"),
    "notification.resent": _l("Bericht opnieuw verstuurd"),
    "privacy.anonymised": _l("Persoonsgegevens geanonimiseerd na de bewaartermijn"),
    "privacy.data_exported": _l("Persoonsgegevens van een gebruiker voor een inzageverzoek samengesteld"),
    "meeting.opened": _l("Vergadering van de selectiecommissie geopend"),
    "meeting.decision_taken": _l("Beslissing genomen in de vergadering van de selectiecommissie"),
    "meeting.closed": _l("Vergadering afgesloten en proces-verbaal opgemaakt"),
    "access.colleague_invited": _l("Collega uitgenodigd door een gebruiker van het eigen bestuur"),
    "access.revoked": _l("Toegang van een collega ingetrokken"),
    "access.restored": _l("Toegang hersteld door de beheerder"),
    "access_request.received": _l("Toegang aangevraagd via het publieke formulier"),
    "access_request.approved": _l("Toegangsaanvraag goedgekeurd en uitnodiging verstuurd"),
    "access_request.refused": _l("Toegangsaanvraag geweigerd, met een reden"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
