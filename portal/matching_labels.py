"""The words of matchmaking on pages and in e-mails: states, answers, reasons, priority, themes."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from flask import Flask, g
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import Words, fraction_text, language_code, whole_number
from portal.services import reference
from workflows.matching import Availability, NeedPriority, Priority, ProvinceFit

match_state = Words(
    {
        "proposed": _l("Voorgesteld"),
        "confirmed": _l("Bevestigd"),
        "declined": _l("Afgewezen"),
        "cancelled": _l("Ingetrokken"),
    }
)


def match_colour(state: str) -> str:
    return {"proposed": "yellow", "confirmed": "green", "declined": "red", "cancelled": "grey"}.get(state, "grey")


def registration_state(state: str) -> str:
    """An offer's or a need's state."""
    return {"open": _("Open"), "matched": _("Gematcht"), "withdrawn": _("Ingetrokken")}.get(state, state)


def answer_label(answer: str | None) -> str:
    return {"accepted": _("Aanvaard"), "declined": _("Afgewezen")}.get(answer or "", _("Nog geen antwoord"))


province_reason = Words(
    {
        ProvinceFit.SAME: _l("Zelfde provincie"),
        ProvinceFit.NEIGHBOURING: _l("Naburige provincie"),
        ProvinceFit.FAR: _l("Geen naburige provincie"),
    }
)


def priority_label(priority: NeedPriority) -> str:
    if priority.priority is Priority.HIGH:
        return _("Voorrang: klein bestuur met weinig personeel")
    if priority.is_small:
        return _("Voorrang: klein bestuur")
    if priority.has_little_staff:
        return _("Voorrang: weinig personeel voor armoedebeleid")
    return ""


cancel_reason = Words(
    {
        "matcher": _l("De matcher heeft het voorstel ingetrokken."),
        "offer_withdrawn": _l("Het aanbod is ingetrokken."),
        "need_withdrawn": _l("De vraag is ingetrokken."),
        "need_matched": _l("De vraag is intussen met een ander aanbod gematcht."),
    },
    default="",
)


def inhabitants(count: int | None) -> str:
    return "" if count is None else whole_number(count)


def fte(tenths: int | None) -> str:
    """Staff in full-time equivalents: 5 -> `0,5 VTE`, 30 -> `3 VTE`."""
    if tenths is None:
        return ""
    number = str(tenths // 10) if tenths % 10 == 0 else fraction_text(Fraction(tenths, 10), 1)
    return _("%(fte)s VTE", fte=number)


def month(value: date | None) -> str:
    """`september 2026`: availability starts on the first of a month."""
    return "" if value is None else format_date(value, "MMMM y")


def themes(codes: list[str] | None) -> str:
    """Theme codes as their names in the reader's language, loaded once per request."""
    names = g.get("theme_names")
    if names is None or names[0] != language_code():
        lang = language_code()
        names = g.theme_names = (lang, dict(reference.theme_names(lang)))
    return "; ".join(names[1].get(code, code) for code in codes or [])


# Why an offer ranks higher or lower for the time being.
availability_reason = Words(
    {
        Availability.NOW: _l("De mentoren zijn nu beschikbaar"),
        Availability.SOON: _l("De mentoren zijn binnen drie maanden beschikbaar"),
        Availability.LATER: _l("De mentoren zijn pas later beschikbaar"),
        Availability.ENDED: _l("De beschikbaarheid van de mentoren is voorbij"),
        Availability.UNKNOWN: "",
    }
)


def register(app: Flask) -> None:
    filters = {
        "availability_reason": availability_reason,
        "match_state": match_state,
        "match_colour": match_colour,
        "registration_state": registration_state,
        "answer_label": answer_label,
        "province_reason": province_reason,
        "priority_label": priority_label,
        "cancel_reason": cancel_reason,
        "inhabitants": inhabitants,
        "fte": fte,
        "month": month,
        "themes": themes,
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
