"""Web Push for a paid cart (sent by clienteling.services.push, docs/pwa.md): the cart's
associate is told, while they may still open it."""

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.money import format_money
from clienteling.registry import PushKind, PushNotice

from .access import carts_available, carts_for
from .models import Cart

CART_PAID = "cart_paid"


def cart_paid_notices(object_ids) -> list[PushNotice]:
    carts = (Cart.objects.filter(pk__in=object_ids, status=Cart.Status.PAID, associate__isnull=False,
                                 associate__is_active=True)
             .select_related("customer", "associate").order_by("pk"))
    # Told only while the cart is still theirs to open (module on, right held, store in scope).
    return [PushNotice((cart.associate_id,), partial(_render, cart)) for cart in carts
            if carts_available(cart.associate) and carts_for(cart.associate).filter(pk=cart.pk).exists()]


def _render(cart: Cart) -> dict:
    return {"title": _("Cart paid"),
            "body": _("%(customer)s paid %(total)s.") % {"customer": cart.customer,
                                                          "total": format_money(cart.total, cart.currency)},
            "url": reverse("carts:detail", args=[cart.pk]),
            "tag": f"cart-{cart.pk}"}


KIND = PushKind(CART_PAID, gettext_lazy("A paid cart"), cart_paid_notices)
