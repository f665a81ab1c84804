"""Cart totals in Decimal, rounded half up in the currency's minor unit."""

from decimal import Decimal as D

import pytest

from carts.pricing import LineInput, allocate, discount_amount, price_cart


def line(key, price, quantity=1, kind="", value="0"):
    return LineInput(key, D(price), quantity, kind, D(value))


def test_tax_added_to_exclusive_prices_is_rounded_once_on_the_cart():
    # 3 x 19.99 = 59.97; 8.875 % = 5.3223... -> 5.32
    price = price_cart(lines=[line(1, "19.99", 3)], currency="USD", tax_rate=D("8.875"))

    assert price.subtotal == D("59.97")
    assert price.tax_total == D("5.32")
    assert price.total == D("65.29")
    assert price.lines[0].total == D("65.29")


def test_tax_included_in_prices_is_shown_but_not_added():
    # 120.00 incl. 20 % VAT holds 20.00 of tax
    price = price_cart(lines=[line(1, "100.00"), line(2, "20.00")], currency="EUR",
                       tax_rate=D("20"), prices_include_tax=True)

    assert price.total == D("120.00")
    assert price.tax_total == D("20.00")
    assert [p.total for p in price.lines] == [D("100.00"), D("20.00")]
    assert sum(p.tax for p in price.lines) == D("20.00")


def test_percent_line_discount_rounds_half_up():
    # 10 % of 33.35 = 3.335 -> 3.34
    price = price_cart(lines=[line(1, "33.35", 1, "percent", "10")], currency="USD")

    assert price.lines[0].discount == D("3.34")
    assert price.total == D("30.01")


def test_amount_discount_never_exceeds_the_line():
    assert discount_amount(base=D("50.00"), kind="amount", value=D("80"), currency="USD") == D("50.00")


def test_cart_discount_is_shared_over_lines_to_the_cent():
    # 10.00 off 3 x 33.33: shares 3.34/3.33/3.33 add up exactly
    price = price_cart(lines=[line(1, "33.33"), line(2, "33.33"), line(3, "33.33")], currency="USD",
                       discount_kind="amount", discount_value=D("10"))

    assert price.cart_discount == D("10.00")
    assert sorted(p.cart_discount for p in price.lines) == [D("3.33"), D("3.33"), D("3.34")]
    assert price.total == D("89.99")
    assert sum(p.total for p in price.lines) == price.total


def test_lines_and_shipping_add_up_to_the_total_with_tax_added():
    price = price_cart(lines=[line(1, "1200.00", 1, "percent", "5"), line(2, "350.00", 2)],
                       currency="USD", discount_kind="percent", discount_value=D("3"),
                       shipping=D("35.00"), tax_rate=D("8.875"))

    goods = D("1140.00") + D("700.00")  # 1200 - 5 %, 2 x 350
    cart_discount = D("55.20")  # 3 % of 1840.00
    taxable = goods - cart_discount + D("35.00")
    tax = (taxable * D("0.08875")).quantize(D("0.01"))
    assert price.cart_discount == cart_discount
    assert price.tax_total == tax
    assert price.total == taxable + tax
    assert sum(p.total for p in price.lines) + price.shipping_total == price.total


def test_zero_decimal_currency_rounds_to_whole_yen():
    # 3 x 1,333 = 3,999; 15 % off = 599.85 -> 600; 10 % tax on 3,399 = 339.9 -> 340
    price = price_cart(lines=[line(1, "1333", 3, "percent", "15")], currency="JPY", tax_rate=D("10"))

    assert price.lines[0].discount == D("600")
    assert price.tax_total == D("340")
    assert price.total == D("3739")
    assert price.total == price.total.to_integral_value()


def test_zero_decimal_allocation_uses_whole_units():
    assert allocate(D("100"), [D("1"), D("1"), D("1")], "JPY") == [D("34"), D("33"), D("33")]


def test_empty_cart_costs_nothing_even_with_shipping_chosen():
    price = price_cart(lines=[], currency="USD", shipping=D("35"), tax_rate=D("8.875"))

    assert price.total == D("0")


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("percent", "100", D("0.00")),
    ("amount", "0.01", D("99.99")),
    ("", "50", D("100.00")),
])
def test_discount_kinds(kind, value, expected):
    price = price_cart(lines=[line(1, "100.00", 1, kind, value)], currency="USD")

    assert price.total == expected
