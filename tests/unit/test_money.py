"""Euro amounts typed the Belgian way become exact integer cents, rounded half up."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.money import MAX_CENTS, AmountError, parse_euro, round_half_up_to_cent


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("5.400,00", 540_000),
        ("5400", 540_000),
        ("1.234,56", 123_456),
        ("1234,5", 123_450),
        ("EUR 50.000", 5_000_000),
        ("€ 250.000,00", 25_000_000),
        ("0,01", 1),
        (" 12 ", 1200),
        ("1.000.000", 100_000_000),
    ],
)
def test_belgian_amounts_are_parsed_to_cents(typed, cents):
    assert parse_euro(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "1,234", "12,3,4", "1.23,00", "12.34", "1,2a", "-5", "1.2345"])
def test_ambiguous_or_wrong_amounts_are_refused(typed):
    with pytest.raises(AmountError):
        parse_euro(typed)


def test_rounding_is_half_up_not_half_even():
    assert round_half_up_to_cent(Decimal("0.005")) == 1
    assert round_half_up_to_cent(Decimal("0.015")) == 2
    assert round_half_up_to_cent(Decimal("0.025")) == 3  # round() would give 2
    assert round_half_up_to_cent(Decimal("2.675")) == 268


def belgian(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}"


@given(st.integers(min_value=0, max_value=10**12))
def test_any_amount_written_the_belgian_way_parses_back_exactly(cents):
    assert parse_euro(belgian(cents)) == cents


@pytest.mark.parametrize("typed", ["1" + "0" * 30, "9" * 5000, "10.000.000.000.000,01"])
def test_absurdly_large_amounts_are_refused_not_a_server_error(typed):
    # 5,000 digits would exceed Python's int() limit for text, 20 a database bigint: both refused as amounts.
    with pytest.raises(AmountError):
        parse_euro(typed)


def test_the_largest_amount_accepted_is_exact():
    assert parse_euro("10.000.000.000.000,00") == MAX_CENTS
