"""What the customer's cart link shows: the cart to pay, its receipt once paid, or a notice.

Each state carries only what its page shows. A notice names the store (it sent the link)
and how to reach it, never the customer, the items or the amounts.
"""

import re
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from carts.models import Cart, CartLine, PaymentLink
from conversations.providers.addresses import messaging_settings

from .cart import cart_price, cart_settings

SHIP = CartLine.Fulfilment.SHIP
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # secrets.token_urlsafe alphabet


@dataclass(frozen=True)
class StoreContact:
    """How a customer reaches the store: E.164 numbers for tel:/sms: links, and as written."""

    name: str
    address: tuple[str, ...]
    phone: str = ""
    phone_text: str = ""
    sms: str = ""
    sms_text: str = ""
    whatsapp: str = ""  # digits only, for wa.me
    email: str = ""

    @property
    def any(self) -> bool:
        return bool(self.phone or self.sms or self.whatsapp or self.email)


def _number(value) -> tuple[str, str]:
    """(E.164, international) of a stored phone number, or ("", "")."""
    if not value or not getattr(value, "is_valid", lambda: False)():
        return "", ""
    return value.as_e164, value.as_international


def store_contact(store) -> StoreContact:
    messaging = messaging_settings(store)
    phone, phone_text = _number(store.clienteling_phone)
    # Texts reach the store's inbox on its SMS number; a landline may not take them.
    sms, sms_text = _number(messaging.sms_number)
    whatsapp, _ = _number(messaging.whatsapp_sender)
    return StoreContact(
        name=store.name, address=_address(store),
        phone=phone, phone_text=phone_text, sms=sms, sms_text=sms_text,
        whatsapp=whatsapp.lstrip("+"), email=cart_settings(store).contact_email,
    )


# Countries that write the town line "City, ST 12345"; elsewhere "12345 City", the region below.
CITY_FIRST = frozenset({"US", "CA", "AU"})


def _address(store) -> tuple[str, ...]:
    if (store.country or "").upper() in CITY_FIRST:
        region = " ".join(part for part in (store.state, store.zip_code) if part)
        lines = (store.address_line1, store.address_line2, ", ".join(p for p in (store.city, region) if p))
    else:
        lines = (store.address_line1, store.address_line2,
                 " ".join(p for p in (store.zip_code, store.city) if p), store.state)
    return tuple(line for line in lines if line)


def _expired(cart: Cart) -> bool:
    return bool(cart.expires_at and cart.expires_at <= timezone.now())


def customer_cart_page(*, token: str) -> dict:
    """What the customer's link shows. `state` says which page; nothing else leaks."""
    if not TOKEN.match(token or ""):
        return {"state": "missing"}
    cart = (Cart.objects.select_related("store", "store__cart_settings", "store__messaging_settings")
            .annotate(customer_language=F("customer__language"), receipt_number=F("sale__external_id"))
            .filter(token=token).first())
    if cart is None:
        return {"state": "missing"}
    store = {"store": cart.store, "contact": store_contact(cart.store), "language": cart.customer_language}
    if cart.status == Cart.Status.PAID:
        return {"state": "paid", **store, **_priced(cart, PaymentLink.objects.filter(
            cart=cart, cart_version=cart.version).first()), "receipt_number": cart.receipt_number}
    # Closed carts say only that, and who to ask: no items, no amounts, no customer.
    if cart.status == Cart.Status.CLEARED:
        return {"state": "cleared", **store}
    if cart.status == Cart.Status.EXPIRED or _expired(cart):
        return {"state": "expired", **store}
    link = PaymentLink.objects.filter(cart=cart).order_by("-cart_version").first()
    if link is None:
        return {"state": "missing"}  # never shared: the link is not public yet
    if link.cart_version != cart.version or link.status == PaymentLink.Status.EXPIRED:
        return {"state": "updating", **store}
    return {"state": "failed" if link.status == PaymentLink.Status.FAILED else "open", **store,
            **_priced(cart, link)}


def _priced(cart: Cart, link: PaymentLink | None) -> dict:
    """The cart priced as shared: the frozen shipping and tax of its version, so the page, the
    payment link and the recorded sale say the same, whatever an admin changed since."""
    lines = list(cart.lines.select_related("variant__product").order_by("position", "pk"))
    price = cart_price(cart, lines, shared=link)
    shipping_name = link.shipping_name if link else ""
    return {
        "cart": cart, "link": link, "price": price, "rows": list(zip(lines, price.lines, strict=True)),
        "shipping_name": shipping_name,
        "ships": any(line.fulfilment == SHIP for line in lines) or bool(shipping_name),
    }
