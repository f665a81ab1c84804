"""Seeds remote carts: tax and shipping per store, discount limits, the demo payment account."""

import secrets
from decimal import Decimal

from carts.models import (
    DiscountLimit,
    PaymentProviderAccount,
    ShippingOption,
    StoreCartSettings,
)
from catalog.models import (
    StockLocation,
)
from clienteling.models import (
    Store,
)
from demo.data import carts as carts_data


def seed_carts(*, stores: dict[str, Store]) -> None:
    warehouse = StockLocation.objects.get(code="warehouse-us")
    for code, rate, inclusive, mixed in carts_data.CART_SETTINGS:
        StoreCartSettings.objects.update_or_create(
            store=stores[code],
            defaults={"tax_rate": Decimal(rate), "prices_include_tax": inclusive,
                      "mixed_cart_enabled": mixed, "ship_from": warehouse if mixed else None,
                      "contact_email": f"{code}@stores.atelier.example"},
        )
    for name, price, currency, position in carts_data.SHIPPING_OPTIONS:
        if currency:
            # Seeded before options had a currency: that one was the dollar price.
            ShippingOption.objects.filter(name=name, store=None, currency="",
                                          price=Decimal(price)).update(currency=currency)
        ShippingOption.objects.update_or_create(
            name=name, store=None, currency=currency,
            defaults={"price": Decimal(price), "position": position},
        )
    for role, limit in carts_data.DISCOUNT_LIMITS:
        DiscountLimit.objects.update_or_create(role=role, defaults={"max_percent": Decimal(limit)})
    # The demo pay page signs its notifications with a key of its own, random per install.
    demo, _created = PaymentProviderAccount.objects.get_or_create(
        provider="demo", defaults={"environment": "test"})
    if not demo.hmac_key:
        demo.hmac_key = secrets.token_hex(32)
        demo.save(update_fields=["hmac_key"])
