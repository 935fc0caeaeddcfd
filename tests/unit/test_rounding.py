"""Half-up rounding of an exact amount to whole cents: integer arithmetic, exact at any size,
checked against the decimal module's ROUND_HALF_UP."""

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from workflows.compensation import round_half_up


def decimal_half_up(numerator: int, denominator: int) -> int:
    """The decimal module's answer, with enough digits that its division cannot move the quotient
    across a half: the quotient is off by less than 10**-(digits of the denominator + 2), while a
    quotient that is not exactly a half lies at least 1 / (2 x denominator) away from one."""
    with localcontext() as context:
        context.prec = len(str(abs(numerator))) + len(str(denominator)) + 2
        quotient = Decimal(numerator) / Decimal(denominator)
        return int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Fraction(0), 0),
        (Fraction(1, 3), 0),
        (Fraction(1, 2), 1),
        (Fraction(2, 3), 1),
        (Fraction(5, 2), 3),  # round() gives 2: half to even
        (Fraction(7, 2), 4),
        (Fraction(249_999, 100_000), 2),
        (Fraction(250_000, 100_000), 3),
        (Fraction(-1, 3), 0),
        (Fraction(-1, 2), -1),
        (Fraction(-5, 2), -3),  # away from zero, as ROUND_HALF_UP
        (Fraction(-2_499, 1_000), -2),
        (Fraction(12), 12),
        (Fraction(-12), -12),
    ],
)
def test_half_goes_up_and_a_negative_half_away_from_zero(value, cents):
    assert round_half_up(value) == cents


def test_a_large_amount_that_a_float_would_round_wrong():
    value = Fraction(2**53 + 1, 2)  # 4503599627370496.5 cents
    assert round_half_up(value) == 2**52 + 1
    assert math.floor(float(value) + 0.5) == 2**52  # the float already lost the half


def test_an_amount_beyond_a_default_decimal_context_is_still_exact():
    value = Fraction(10**30 + 1, 2)  # 31 digits: more than the 28 of decimal's default context
    assert round_half_up(value) == 5 * 10**29 + 1
    assert round_half_up(Fraction(10**30 - 1, 2)) == 5 * 10**29
    assert round_half_up(Fraction(2 * 10**40 + 1, 4 * 10**10)) == 5 * 10**29  # a hair above a whole amount


@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(min_value=1, max_value=10**20))
@example(2**53 + 1, 2)
@example(-(2**53 + 1), 2)
@example(10**30 + 1, 2)
def test_agrees_with_decimal_half_up_on_any_integers(numerator, denominator):
    assert round_half_up(Fraction(numerator, denominator)) == decimal_half_up(numerator, denominator)


@given(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=1, max_value=10**12),
    st.sampled_from([-1, 0, 1]),
)
def test_agrees_with_decimal_half_up_at_a_half_and_just_beside_it(whole, denominator, beside):
    """Exact halves and the nearest fractions on either side, which random integers rarely hit."""
    numerator = (2 * whole + 1) * denominator + beside  # (whole + 1/2) + beside / (2 x denominator)
    value = Fraction(numerator, 2 * denominator)
    assert round_half_up(value) == decimal_half_up(numerator, 2 * denominator)
    half_up = whole + 1 if whole >= 0 else whole  # the half itself: away from zero
    assert round_half_up(value) == {0: half_up, -1: whole, 1: whole + 1}[beside]
