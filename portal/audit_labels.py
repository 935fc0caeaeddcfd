"""The audit log's actions as a person reads them on a dossier's page: a sentence, not `application.started`."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

# Every action the portal writes to the audit log (tests/unit/test_audit_labels.py finds them in the code and
# fails on one without a sentence). Payout actions are `payout.<state it moved to>`.
ACTION_LABELS = {
    "application.started": _l("Aanvraag gestart"),
    "application.submitted": _l("Aanvraag ingediend"),
    "application.resubmitted": _l("Aangevulde aanvraag opnieuw ingediend"),
    "application.participation_confirmed": _l("Deelname bevestigd door het ontvangende bestuur"),
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
    "eligibility.result_decided": _l("Beslist over een ontvankelijkheidsregel"),
    "review.assigned": _l("Beoordelaar toegewezen"),
    "review.conflict_declared": _l("Belangenconflict gemeld"),
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
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def register(app: Flask) -> None:
    app.add_template_filter(action_label, "action_label")
