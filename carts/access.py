"""Who may work on which cart: carts of the user's stores, for customers they may see. Else 404."""


from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from clienteling.access import customers_available, customers_for, module_view, stores_for
from clienteling.models import ModuleSettings

from .models import Cart


def carts_available(user) -> bool:
    """require_carts as a yes/no, for menus and buttons."""
    return ModuleSettings.load().enabled("remote_carts") and customers_available(user)


def require_carts(user) -> None:
    """Remote carts switched off (or the customer module) make the console's cart URLs 404."""
    if not ModuleSettings.load().enabled("remote_carts"):
        raise Http404
    if not user.has_perm("clienteling.view_customer_profile"):
        raise PermissionDenied


def carts_for(user) -> QuerySet[Cart]:
    # EXISTS on the cart's own customer: an IN over every customer of the entity would
    # scan a million rows to check one.
    return Cart.objects.filter(Exists(customers_for(user).filter(pk=OuterRef("customer_id"))),
                               store__in=stores_for(user))


def access_cart(user, cart_id) -> Cart:
    try:
        cart_id = int(cart_id)
    except (TypeError, ValueError):
        raise Http404 from None
    # Fetch by primary key, then check scope with two index probes: one query joining
    # the scope subqueries to five tables spends longer planning than running.
    cart = (Cart.objects.select_related("customer", "store__cart_settings", "shipping_option")
            .filter(pk=cart_id).first())
    if (cart is None or not stores_for(user).filter(pk=cart.store_id).exists()
            or not customers_for(user).filter(pk=cart.customer_id).exists()):
        raise Http404
    return cart


carts_view = module_view(require_carts)
