"""Money in each currency's minor unit: no cents for yen, thousandths for dinars, half up."""

from decimal import Decimal

import pytest

from catalog.money import (
    THREE_DECIMAL_CURRENCIES,
    ZERO_DECIMAL_CURRENCIES,
    from_minor_units,
    minor_unit_exponent,
    quantize,
    storable,
    to_minor_units,
)


@pytest.mark.parametrize("currency", ["JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "UGX", "PYG"])
def test_zero_decimal_currencies_round_to_whole_units_half_up(currency):
    assert minor_unit_exponent(currency) == 0
    assert quantize(Decimal("1234.5"), currency) == Decimal("1235")
    assert quantize(Decimal("1234.49"), currency) == Decimal("1234")
    assert to_minor_units(Decimal("1234.5"), currency) == 1235


@pytest.mark.parametrize("currency", ["BHD", "KWD", "JOD", "OMR", "TND", "LYD", "IQD"])
def test_three_decimal_currencies_keep_thousandths(currency):
    assert minor_unit_exponent(currency) == 3
    assert quantize(Decimal("10.0005"), currency) == Decimal("10.001")
    assert quantize(Decimal("10.0004"), currency) == Decimal("10.000")
    assert to_minor_units(Decimal("10.125"), currency) == 10125
    assert from_minor_units(10125, currency) == Decimal("10.125")


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "CHF", "HUF", "usd"])
def test_cent_currencies_round_half_up_to_the_cent(currency):
    assert minor_unit_exponent(currency) == 2
    assert quantize(Decimal("2.675"), currency) == Decimal("2.68")  # a float would say 2.67
    assert quantize(Decimal("2.665"), currency) == Decimal("2.67")
    assert to_minor_units(Decimal("2520.46"), currency) == 252046


def test_no_made_up_currency_codes():
    codes = ZERO_DECIMAL_CURRENCIES | THREE_DECIMAL_CURRENCIES

    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in codes)
    assert "HUF_CASH" not in codes and not ZERO_DECIMAL_CURRENCIES & THREE_DECIMAL_CURRENCIES


def test_a_provider_with_more_decimals_gets_hundredths_of_a_whole_amount():
    # Adyen counts Chilean pesos in hundredths although the peso has no cents.
    assert to_minor_units(Decimal("12990"), "CLP", exponent=2) == 1299000
    assert from_minor_units(1299000, "CLP", exponent=2) == Decimal("12990")


def test_a_provider_with_fewer_decimals_gets_the_amount_rounded_half_up():
    assert to_minor_units(Decimal("100.50"), "CVE", exponent=0) == 101


def test_three_decimal_amounts_do_not_fit_the_money_columns_yet():
    assert storable("EUR") and storable("JPY")
    assert not storable("KWD")
