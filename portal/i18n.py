"""Language choice and Belgian formats: `31 oktober 2022`, `EUR 50.000,00`, times in Europe/Brussels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal
from flask import current_app, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from workflows.calls import BRUSSELS
from workflows.money import cents_to_decimal

SESSION_LANGUAGE_KEY = "language"


class Words:
    """A list of codes as words in the reader's language: `payout_state("paid")` is `Betaald`, or `Paid` in
    English. The words are lazy (Flask-Babel's lazy_gettext), so one table serves every request; a code the
    table does not know reads as `default`, or as itself when there is none."""

    def __init__(self, words: Mapping[Any, Any], default: Any = None) -> None:
        self.words = dict(words)
        self.default = default

    def __call__(self, code: Any) -> str:
        word = self.words.get(code)
        if word is None:
            word = self.default if self.default is not None else (code or "")
        return str(word)


def locale_for(language: str | None) -> str:
    """The Babel locale of a stored language choice ('nl' or 'en'): anything but English is nl-BE."""
    return "en" if language == "en" else "nl_BE"


def select_locale() -> str:
    """The signed-in user's choice, else the one chosen this visit, else Dutch (nl-BE)."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated:
        return locale_for(current_user.locale)
    chosen = session.get(SESSION_LANGUAGE_KEY)
    return locale_for(chosen if chosen in languages else None)


def language_code() -> str:
    """'nl' or 'en', for lang attributes and the stored preference."""
    return "en" if str(get_locale()).startswith("en") else "nl"


def _babel_locale() -> str:
    return "en_GB" if language_code() == "en" else "nl_BE"


def eur(cents: int | None) -> str:
    """`EUR 50.000,00` (Dutch) or `EUR 50,000.00` (English); exact, from integer cents."""
    if cents is None:
        return ""
    amount = format_decimal(cents_to_decimal(cents), format="#,##0.00", locale=_babel_locale())
    return f"EUR\u00a0{amount}"


def day(value: date | datetime | None) -> str:
    """`31 oktober 2022`; a timestamp is first put in Brussels time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BRUSSELS).date()
    return format_date(value, "d MMMM y")


def moment(value: datetime | None) -> str:
    """`31 oktober 2022 om 23:59:59` in Brussels time."""
    if value is None:
        return ""
    local = value.astimezone(BRUSSELS)
    pattern = "d MMMM y 'om' HH:mm:ss" if language_code() == "nl" else "d MMMM y 'at' HH:mm:ss"
    return format_datetime(local, pattern, rebase=False)


def _decimal_text(value: Decimal, places: int) -> str:
    pattern = "#,##0." + "0" * places
    return format_decimal(value, format=pattern, locale=_babel_locale(), decimal_quantization=True)


def whole_number(value: int) -> str:
    """`12.500` (Dutch) or `12,500` (English)."""
    return format_decimal(value, format="#,##0", locale=_babel_locale())


def fraction_text(value: Fraction, places: int = 2) -> str:
    """An exact fraction for display, rounded half up to `places` decimals, the Belgian way."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return _decimal_text(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places)


def months_text(months: Fraction | str) -> str:
    """Months for display, two decimals (`0,53`); the computation itself is exact."""
    return fraction_text(Fraction(months) if isinstance(months, str) else months, 2)


def share_text(basis_points: int | None) -> str:
    """A time share in basis points as a percentage: 5000 -> `50 %`, 3333 -> `33,33 %`."""
    if basis_points is None:
        return ""
    percent = Decimal(basis_points) / 100
    text = _decimal_text(percent, 2)
    trimmed = text.rstrip("0").rstrip(",.") if ("," in text or "." in text) else text
    return f"{trimmed}\u00a0%"


def iso_day(value: str | None) -> str:
    """An ISO date from frozen content, the Belgian way."""
    return day(date.fromisoformat(value)) if value else ""


def clock(value: datetime) -> str:
    """`17:55`: the time of day in Brussels."""
    return format_datetime(value.astimezone(BRUSSELS), "HH:mm", rebase=False)


def iso_moment(value: str | None) -> str:
    return moment(datetime.fromisoformat(value)) if value else ""
