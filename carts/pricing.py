"""Cart totals: pure functions on Decimals, rounded in the currency's minor unit.

The order of operations, each step rounded half up to the minor unit:

1. line gross = unit price x quantity
2. line discount (percent of the gross, or an amount capped at the gross)
3. cart discount on the sum of the discounted lines, shared back over the lines
   in proportion (largest remainder, so the shares add up to the cent)
4. shipping
5. tax on goods + shipping, once for the whole cart (invoice rounding):
   exclusive prices add it, inclusive prices already hold it (shown as
   "incl. tax"); it is shared over the lines the same way, so every sale line
   says what the customer paid for it and the lines add up to the total.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.money import minor_unit_exponent, quantize

HUNDRED = Decimal(100)
ZERO = Decimal(0)

AMOUNT = "amount"
PERCENT = "percent"


@dataclass(frozen=True)
class LineInput:
    key: Any
    unit_price: Decimal
    quantity: int
    discount_kind: str = ""
    discount_value: Decimal = ZERO


@dataclass(frozen=True)
class LinePrice:
    key: Any
    gross: Decimal  # unit price x quantity
    discount: Decimal  # the line's own discount
    net: Decimal  # gross - discount
    cart_discount: Decimal  # its share of the cart discount
    tax: Decimal  # its share of the tax (included or added)
    total: Decimal  # what the customer pays for this line


@dataclass(frozen=True)
class CartPrice:
    currency: str
    lines: list[LinePrice]
    subtotal: Decimal  # sum of gross
    line_discounts: Decimal
    cart_discount: Decimal
    discount_total: Decimal
    shipping: Decimal
    shipping_total: Decimal  # shipping plus its tax when tax is added
    tax_total: Decimal
    total: Decimal
    prices_include_tax: bool
    tax_rate: Decimal

    @property
    def goods_total(self) -> Decimal:
        return self.subtotal - self.discount_total


def discount_amount(*, base: Decimal, kind: str, value: Decimal, currency: str) -> Decimal:
    """The money a discount takes off `base`; never more than the base, never negative."""
    if not kind or not value or base <= 0:
        return ZERO
    value = Decimal(value)
    if kind == PERCENT:
        amount = quantize(base * min(value, HUNDRED) / HUNDRED, currency)
    elif kind == AMOUNT:
        amount = quantize(value, currency)
    else:
        raise ValueError(f"unknown discount kind {kind!r}")
    return max(ZERO, min(amount, base))


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `total` over `weights` in proportion, in whole minor units that add up exactly.

    Largest remainder: every share is rounded down, then the units left over go
    to the largest remainders (earlier lines first on ties).
    """
    if not weights:
        return []
    exponent = minor_unit_exponent(currency)
    unit = Decimal(1).scaleb(-exponent)
    units = int((quantize(total, currency) / unit).to_integral_value())
    weight_sum = sum(weights, ZERO)
    if units == 0:
        return [ZERO for _ in weights]
    if weight_sum <= 0:
        # Nothing to weigh by: the first line carries it all.
        return [total] + [ZERO for _ in weights[1:]]
    exact = [Decimal(units) * w / weight_sum for w in weights]
    floors = [int(share.to_integral_value(rounding="ROUND_FLOOR")) for share in exact]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * unit for f in floors]


def price_cart(*, lines: Sequence[LineInput], currency: str, discount_kind: str = "",
               discount_value: Decimal = ZERO, shipping: Decimal = ZERO,
               tax_rate: Decimal = ZERO, prices_include_tax: bool = False) -> CartPrice:
    tax_rate = Decimal(tax_rate or 0)
    gross, line_discount, net = [], [], []
    for line in lines:
        g = quantize(Decimal(line.unit_price) * line.quantity, currency)
        d = discount_amount(base=g, kind=line.discount_kind, value=line.discount_value,
                            currency=currency)
        gross.append(g)
        line_discount.append(d)
        net.append(g - d)
    goods_before = sum(net, ZERO)
    cart_discount = discount_amount(base=goods_before, kind=discount_kind, value=discount_value,
                                    currency=currency)
    cart_shares = allocate(cart_discount, net, currency)
    goods = [n - share for n, share in zip(net, cart_shares, strict=True)]
    shipping = quantize(Decimal(shipping or 0), currency) if lines else ZERO
    taxable = sum(goods, ZERO) + shipping
    if tax_rate <= 0:
        tax_total = ZERO
    elif prices_include_tax:
        tax_total = quantize(taxable * tax_rate / (HUNDRED + tax_rate), currency)
    else:
        tax_total = quantize(taxable * tax_rate / HUNDRED, currency)
    tax_shares = allocate(tax_total, [*goods, shipping], currency)
    added = not prices_include_tax
    priced = [
        LinePrice(key=line.key, gross=gross[i], discount=line_discount[i], net=net[i],
                  cart_discount=cart_shares[i], tax=tax_shares[i],
                  total=goods[i] + (tax_shares[i] if added else ZERO))
        for i, line in enumerate(lines)
    ]
    shipping_tax = tax_shares[-1] if tax_shares else ZERO
    subtotal = sum(gross, ZERO)
    line_discounts = sum(line_discount, ZERO)
    total = taxable + (tax_total if added else ZERO)
    return CartPrice(
        currency=currency, lines=priced, subtotal=subtotal, line_discounts=line_discounts,
        cart_discount=cart_discount, discount_total=line_discounts + cart_discount,
        shipping=shipping, shipping_total=shipping + (shipping_tax if added else ZERO),
        tax_total=tax_total, total=total, prices_include_tax=prices_include_tax,
        tax_rate=tax_rate,
    )


def discount_percent_of(*, amount: Decimal, base: Decimal) -> Decimal:
    """How many percent of `base` an amount is (100 when the base is nothing)."""
    if base <= 0:
        return HUNDRED if amount > 0 else ZERO
    return Decimal(amount) * HUNDRED / base
