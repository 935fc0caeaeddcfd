"""Money as integer cents, rounded half up (EU rule), never through float or round()."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


class AmountError(ValueError):
    """The text is not an amount in euro."""


def round_half_up_to_cent(value: Decimal) -> int:
    """Euro amount (Decimal) to whole cents, half up: 0.005 EUR becomes 1 cent."""
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_euro(text: str) -> int:
    """Parse an amount typed the Belgian way (`1.234,56`, `1234,5`, `EUR 50.000`) to cents.

    A dot is a thousands separator, a comma the decimal mark. More than two decimals or a
    misplaced thousands separator is refused rather than guessed.
    """
    cleaned = text.strip().replace("\u00a0", " ")
    for prefix in ("EUR", "€"):
        if cleaned.upper().startswith(prefix):
            cleaned = cleaned[len(prefix) :]
        if cleaned.endswith(prefix):
            cleaned = cleaned[: -len(prefix)]
    cleaned = cleaned.strip().replace(" ", "")
    if not cleaned:
        raise AmountError("empty")
    whole, _, decimals = cleaned.partition(",")
    if "," in decimals or len(decimals) > 2 or (decimals and not decimals.isdigit()):
        raise AmountError("decimals")
    groups = whole.split(".")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
        raise AmountError("thousands")
    digits = "".join(groups)
    if not digits.isdigit():
        raise AmountError("digits")
    # At most two decimals: the cents are exact integers, nothing to round. Checked on the length first,
    # so that thousands of digits never reach int() (or a database's bigint).
    if len(digits.lstrip("0")) > len(str(MAX_CENTS // 100)):
        raise AmountError("too_large")
    cents = int(digits) * 100 + int(decimals.ljust(2, "0"))
    if cents > MAX_CENTS:
        raise AmountError("too_large")
    return cents


MAX_CENTS = 10**15  # EUR 10.000.000.000.000: far above any grant, far below a bigint column


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents) / 100


def format_belgian(cents: int) -> str:
    """`1.234,56`: the form in which `parse_euro` reads an amount back, whatever the page language."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d}"
