"""Money is Decimal in the currency's minor unit, with explicit rounding."""

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not cents. Amounts are stored with two
# decimal places, which holds every currency a store of ours sells in.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "HUF_CASH"})

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}


def minor_unit_exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit."""
    exponent = minor_unit_exponent(currency)
    return Decimal(amount).quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Amount as an integer of minor units, as payment providers expect."""
    return int(quantize(amount, currency).scaleb(minor_unit_exponent(currency)))
