"""Small helpers the cart services share."""

from django.urls import reverse

from carts.models import StoreCartSettings
from catalog.links import public_url


def cart_settings(store) -> StoreCartSettings:
    """The store's cart settings, or the defaults (unsaved): no tax, no mixed cart."""
    try:
        return store.cart_settings
    except StoreCartSettings.DoesNotExist:
        return StoreCartSettings(store=store)


def cart_public_url(cart) -> str:
    """The customer's link: unguessable, one per cart, the same across its versions."""
    return public_url(reverse("carts_public:cart", args=[cart.token]))
