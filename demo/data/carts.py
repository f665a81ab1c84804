"""Demo data for remote carts: shipping, discount limits, tax per store."""

# (name, price, currency, position): free shipping is offered everywhere (no currency); a paid
# option is priced in each currency it is offered in.
SHIPPING_OPTIONS = [("Standard (3-5 days)", "0.00", "", 1), ("Express (next day)", "35.00", "USD", 2),
                    ("Express (next day)", "30.00", "EUR", 3)]

DISCOUNT_LIMITS = [("associate", "10"), ("store_manager", "25"), ("company_admin", "100")]

# (store code, tax rate, prices include tax, mixed cart)
CART_SETTINGS = [("ny", "8.875", False, True), ("la", "9.5", False, False),
                 ("paris", "20", True, False)]
