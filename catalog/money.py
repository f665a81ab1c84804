"""Money is Decimal in the currency's minor unit, with explicit rounding.

The minor unit is the ISO 4217 one: most currencies have cents (2 decimals),
a few have none (JPY, KRW ...) and a few have thousandths (KWD, BHD ...).
Amounts are rounded half up to that unit. A payment provider that counts
minor units differently (Adyen: CLP and ISK in hundredths) converts at its
own edge.
"""

import functools
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies with no minor unit.
ZERO_DECIMAL_CURRENCIES = frozenset({
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
})
# ISO 4217 currencies with thousandths.
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})

# How amounts are stored. Two places hold every currency except the three-decimal
# ones: a store selling in those needs MONEY_FIELD at three places first (see storable()).
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}


def minor_unit_exponent(currency: str) -> int:
    code = (currency or "").upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def storable(currency: str) -> bool:
    """Whether amounts in this currency fit the money columns without losing their minor unit."""
    return minor_unit_exponent(currency) <= MONEY_FIELD["decimal_places"]


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit."""
    exponent = minor_unit_exponent(currency)
    return Decimal(amount).quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str, exponent: int | None = None) -> int:
    """Amount as an integer of minor units, as payment providers expect.

    `exponent` is the provider's own count of decimals where it differs from ISO;
    the amount is first rounded to the currency's real minor unit.
    """
    places = minor_unit_exponent(currency) if exponent is None else exponent
    rounded = quantize(amount, currency)
    if places < minor_unit_exponent(currency):
        # The provider counts in larger units than ISO: round to what it can charge.
        rounded = rounded.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(rounded.scaleb(places))


def from_minor_units(value: int, currency: str, exponent: int | None = None) -> Decimal:
    places = minor_unit_exponent(currency) if exponent is None else exponent
    return Decimal(int(value)).scaleb(-places)


def format_money(amount, currency: str) -> str:
    """The amount in its currency, written for the active language and its region ("$1,200.00",
    "1 200,00 €", "1 200,00 $" in fr-ca, "US$1,200.00" in es-mx).

    The one way money is shown: templates (the `money` filter), messages to customers and
    notices to staff all call this.
    """
    if amount in (None, ""):
        return ""
    from babel.numbers import format_currency

    currency = (currency or "USD").upper()
    return format_currency(quantize(Decimal(amount), currency), currency, locale=babel_locale())


def babel_locale(language: str | None = None):
    """Babel's locale for a Django language code (the active one by default): "en" is
    American English, "en-gb" British, "fr-ca" Canadian French, "zh-hant" Traditional Chinese."""
    from django.utils.translation import get_language

    return _babel_locale((language or get_language() or "en").lower())


@functools.cache
def _babel_locale(language: str):
    # Parsing the locale is most of the cost of formatting; a page shows dozens of amounts.
    from babel import Locale, UnknownLocaleError
    from django.utils.translation import to_locale

    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        # A region Babel does not know ("fr-xx"): its language's formats.
        return Locale.parse(to_locale(language.split("-")[0]))
