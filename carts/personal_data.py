"""What remote carts hold about a customer, for data requests (export and erasure)."""

from .models import Cart, CartLine, PaymentEvent, PaymentLink, new_cart_token

DELIVERY = ("delivery_name", "delivery_line1", "delivery_line2", "delivery_city", "delivery_state",
            "delivery_zip", "delivery_country")


def export(customer) -> list[dict]:
    rows = []
    lines = (CartLine.objects.filter(cart__customer=customer).select_related("cart__store")
             .order_by("cart__created_at", "position", "pk"))
    for line in lines:
        cart = line.cart
        rows.append({
            "cart": cart.pk, "store": cart.store.name, "status": cart.status,
            "created_at": str(cart.created_at), "paid_at": str(cart.paid_at or ""),
            "total": str(cart.total), "currency": cart.currency,
            **{field: getattr(cart, field) for field in DELIVERY},
            "item": line.title, "quantity": line.quantity, "line_total": str(line.line_total),
        })
    return rows


def erase(customer) -> list[str]:
    """Blank delivery addresses and the raw payment notifications; list what the provider keeps."""
    carts = Cart.objects.filter(customer=customer)
    carts.update(**{field: "" for field in DELIVERY})
    # The links the customer was sent (a receipt never expires) lead nowhere any more.
    rotated = [Cart(pk=pk, token=new_cart_token()) for pk in carts.values_list("pk", flat=True)]
    Cart.objects.bulk_update(rotated, ["token"])
    references = list(PaymentLink.objects.filter(cart__in=carts).values_list("reference", flat=True))
    events = PaymentEvent.objects.filter(merchant_reference__in=references)
    follow_ups = [f"{event.provider} payment {event.psp_reference}" for event in events.filter(success=True)]
    events.update(payload={"redacted": True})
    return follow_ups


