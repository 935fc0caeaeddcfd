"""Why the portal refused an action, in the words of the person who tried it: the one place where a
use case's refusal (a code on NotAllowed and its kinds) becomes a sentence, in Dutch or English."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.services.refusal import NotAllowed


def _texts() -> dict[str, str]:
    # Built per call: gettext answers in the language of the request that asks.
    return {
        # payouts and final reports (PayoutRefused)
        "not_allowed": _("Dat kan niet in de huidige status van de betaling, of niet met uw rol."),
        "not_in_file": _(
            "Een overschrijving gaat naar de bank in een betaalbestand. Maak eerst een betaalbestand; registreer daarna per betaling of ze betaald of mislukt is."
        ),
        "four_eyes": _("U hebt deze betaling zelf voorbereid. Een andere medewerker van Financiën moet ze goedkeuren."),
        "payout_in_flight": _(
            "Er is een goedgekeurde betaling onderweg. Registreer eerst of ze betaald of mislukt is."
        ),
        "report_not_submitted": _("Er is geen ingediend eindrapport om te aanvaarden."),
        "report_not_editable": _("Het eindrapport is ingediend en kan niet meer worden gewijzigd."),
        "report_incomplete": _("Het eindrapport is nog niet volledig. Vul aan wat hieronder gevraagd wordt."),
        "report_missing": _("Het eindrapport is nog niet volledig. Vul aan wat hieronder gevraagd wordt."),
        "trajectory_not_ended": _(
            "Het traject is nog niet afgelopen. U kunt het eindrapport pas indienen vanaf de laatste dag van het traject, of nadat u meldt dat het vroeger eindigde."
        ),
        "not_granted": _("Dit dossier is niet toegekend."),
        # the receiving government's answer (ParticipationRefused)
        "wrong_state": _("Antwoorden op deze aanvraag kan niet meer in deze fase."),
        "already_confirmed": _(
            "Uw bestuur heeft zijn deelname al bevestigd. Neemt u toch niet deel, overleg dan met het aanvragende bestuur: dat kan de aanvraag intrekken."
        ),
        "already_declined": _("Uw bestuur heeft al laten weten dat het niet deelneemt."),
        # the declared early end of a trajectory (EarlyEndRefused)
        "already_ended": _("Het traject is volgens de aanvraag al afgelopen. U kunt het eindrapport nu indienen."),
        "report_submitted": _("Het eindrapport is al ingediend."),
        "paid_on_future": _("De datum van de betaling ligt in de toekomst."),
        "paid_before_approval": _("De datum van de betaling ligt voor de goedkeuring."),
        "bank_reference": _("Vul de referentie van de bank in"),
        "reason": _("Schrijf waarom de betaling mislukt is"),
        "question": _("Schrijf wat het bestuur moet aanvullen of verbeteren"),
        "paid_on": _("Vul de datum van de betaling in"),
        # several payouts at once: nothing is done when one of them is refused
        "not_planned": _("Deze betaling wacht niet meer op goedkeuring: ze is intussen goedgekeurd of gewijzigd."),
        "nothing_selected": _("Kies minstens één betaling."),
        "selection_changed": _(
            "De gekozen betalingen zijn intussen gewijzigd: het totaal is niet meer wat u bevestigde. Kies opnieuw."
        ),
        "not_in_this_file": _("Deze betaling wacht niet (meer) op het antwoord van de bank in dit betaalbestand."),
        "gone": _("Deze betaling bestaat niet (meer)."),
        # decisions (DecisionRefused)
        "not_scored": _("Beslissen kan pas als alle beoordelingen binnen zijn, en maar één keer."),
        "below_threshold": _(
            "Het dossier haalt de kwaliteitsdrempel of een minimumscore per criterium niet; het kan niet worden toegekend."
        ),
        "no_reservation": _(
            "Voor dit dossier is nog geen budget gereserveerd (het staat op de wachtlijst); toekennen kan pas als er budget vrijkomt."
        ),
        "amount": _(
            "Het toegekende bedrag moet groter zijn dan nul en mag het gereserveerde bedrag niet overschrijden."
        ),
        "motivation": _("Een negatieve beslissing vraagt een geschreven motivering."),
        # the committee's meeting (MeetingRefused)
        "meeting_open": _("Er is al een open vergadering voor deze oproep. Sluit die eerst af."),
        "no_members": _("Kies minstens één aanwezig lid"),
        "not_a_reviewer": _("Kies alleen actieve leden van de selectiecommissie."),
        "meeting_closed": _("Deze vergadering is afgesloten. Open een nieuwe vergadering om verder te beslissen."),
        "not_in_call": _("Kies alleen beoordeelde dossiers van de oproep van deze vergadering."),
        "no_minutes": _("Het proces-verbaal wordt opgemaakt bij het afsluiten van de vergadering."),
        # the administration's handling of a dossier (HandlingRefused)
        "owner_not_officer": _("Kies als behandelaar een dossierbehandelaar met een actieve account."),
        "note_empty": _("Schrijf de notitie"),
        # the receiving government's answer (PartnerRefused, DecisionRefused)
        "partner_unconfirmed": _(
            "Het ontvangende bestuur heeft zijn deelname nog niet bevestigd. Deze oproep laat ontvankelijk verklaren en toekennen pas toe na die bevestiging."
        ),
        "partner_declined": _(
            "Het ontvangende bestuur neemt niet deel. Het dossier kan niet ontvankelijk verklaard of toegekend worden."
        ),
    }


def refusal_text(code: str, otherwise: str | None = None) -> str:
    """The sentence for a refusal's code; `otherwise` (or a general sentence) for one without its own."""
    return _texts().get(code) or otherwise or _("Dat kan niet in de huidige fase van het dossier.")


def message_for(refused: NotAllowed, otherwise: str | None = None) -> str:
    return refusal_text(getattr(refused, "code", ""), otherwise)
