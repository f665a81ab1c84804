"""Reads behind the cart pages: plain data, priced, with stock, in a handful of queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from catalog.models import ProductVariant
from catalog.selectors import active_variants_with_stock, available_to_promise, prices_in, product_search
from clienteling.access import MASKED, can_see_sensitive, stores_for
from clienteling.selectors.profile import contact_for

from ..models import Cart, CartLine, PaymentLink
from .cart import (
    cart_price,
    cart_public_url,
    cart_ready_problems,
    cart_settings,
    customer_address,
    discount_limit_for,
    link_request_for,
    location_for,
    ship_from_location_id,
    shipping_options_for,
)
from .public import TOKEN, StoreContact, customer_cart_page, store_contact

SHIP = CartLine.Fulfilment.SHIP


@dataclass
class LineRow:
    line: CartLine
    price: object
    available: int | None  # units the line's location can promise (None: no location)


def _delivery(cart: Cart, *, sensitive: bool) -> dict:
    """The cart's delivery address; without "view sensitive customer data" only that there is one."""
    if not sensitive:
        return {"masked": True, "text": MASKED}
    return {"masked": False, "line1": cart.delivery_line1, "line2": cart.delivery_line2,
            "city": cart.delivery_city, "state": cart.delivery_state, "zip": cart.delivery_zip,
            "country": cart.delivery_country}


def cart_page(*, cart: Cart, user) -> dict:
    """The associate's cart page: lines priced, stock per line, what blocks sharing."""
    lines = list(cart.lines.select_related("variant__product__designer").order_by("position", "pk"))
    status = cart_link_status(cart=cart)
    link, shared_current = status["link"], status["shared_current"]
    # Once shared, the page shows what the customer was sent (frozen shipping and tax).
    price = cart_price(cart, lines, shared=link if shared_current else None)
    settings_changed = shared_current and cart_price(cart, lines).total != price.total
    settings = cart_settings(cart.store)
    store_location = cart.store.stock_location_id
    ship_location = ship_from_location_id(cart) if settings.mixed_cart_enabled else None
    stock = available_to_promise(variant_ids=[line.variant_id for line in lines],
                                 location_ids=[store_location, ship_location])
    rows = []
    for line, priced in zip(lines, price.lines, strict=True):
        location = ship_location if line.fulfilment == SHIP else store_location
        rows.append(LineRow(line=line, price=priced,
                            available=stock.get(line.variant_id, {}).get(location, 0) if location else None))
    sensitive = can_see_sensitive(user)
    customer = cart.customer
    return {
        "cart": cart,
        "customer": customer,
        "rows": rows,
        "price": price,
        "settings": settings,
        "mixed": settings.mixed_cart_enabled,
        "shipping_options": list(shipping_options_for(cart.store)),
        **status,
        "settings_changed": settings_changed,
        "shipping_name": _shipping_name(cart, link if shared_current else None),
        "changed_since_share": bool(link and link.cart_version != cart.version),
        # Why a link the customer held still takes payments at the provider ("" when it does not).
        "old_link_not_stopped": (link.failure_reason if link and link.status == PaymentLink.Status.EXPIRED
                                 and link.provider_link_id and not link.remote_expired_at else ""),
        "problems": cart_ready_problems(cart, lines),
        "discount_limit": discount_limit_for(user),
        "has_delivery": bool(cart.delivery_line1),
        "delivery": _delivery(cart, sensitive=sensitive),
        "delivery_name": cart.delivery_name,
        # The profile's own masking: the whole address or "•••".
        "customer_address": (contact_for(customer, sensitive=sensitive)["address"]
                             if customer.address_line1 and customer.city else ""),
        "can_edit": cart.status == Cart.Status.OPEN and not _expired(cart),
        "channels_needed": cart.conversation_id is None,
    }


# While the worker makes the link the page asks every second, then every few once it takes long.
LINK_POLL_FAST, LINK_POLL_SLOW, LINK_FAST_FOR = 1, 5, timedelta(seconds=30)


def cart_link_status(*, cart: Cart) -> dict:
    """The cart page's share line: the latest payment link, its state, and how many seconds
    until the page asks again (0: the state is final, stop asking)."""
    link = (PaymentLink.objects.filter(cart=cart).order_by("-cart_version").first()
            if cart.shared_at else None)
    shared_current = bool(link and link.cart_version == cart.version)
    state = _link_state(link)
    poll = 0
    if shared_current and state in ("preparing", "retrying"):
        young = state == "preparing" and cart.shared_at > timezone.now() - LINK_FAST_FOR
        poll = LINK_POLL_FAST if young else LINK_POLL_SLOW
    return {"link": link, "link_state": state, "shared_current": shared_current, "link_poll": poll}


def _link_state(link: PaymentLink | None) -> str:
    """What the cart page says of a link: preparing, retrying, ready, or failed, paid, expired."""
    if link is None:
        return ""
    if link.status != PaymentLink.Status.ACTIVE:
        return link.status
    if link.url:
        return "ready"
    # An active link without its URL records why the last attempt failed while it retries.
    return "retrying" if link.failure_reason else "preparing"


def _shipping_name(cart: Cart, shared: PaymentLink | None) -> str:
    if shared is not None:
        return shared.shipping_name
    return cart.shipping_option.name if cart.shipping_option_id else ""


def _expired(cart: Cart) -> bool:
    return bool(cart.expires_at and cart.expires_at <= timezone.now())


@dataclass
class VariantOption:
    variant: ProductVariant
    in_store: int | None
    to_ship: int | None
    price: object  # Decimal in the cart's currency, or None: it cannot be sold from this store


def cart_product_results(*, cart: Cart, query: str, limit: int = 8) -> list[dict]:
    """Search results for adding to a cart: each product with its variants and stock."""
    products = product_search(query=query, limit=limit)
    if not products:
        return []
    settings = cart_settings(cart.store)
    ship_location = ship_from_location_id(cart) if settings.mixed_cart_enabled else None
    variants = active_variants_with_stock(
        product_ids=[p.pk for p in products],
        locations={"in_store": cart.store.stock_location_id, "to_ship": ship_location})
    book = prices_in(currency=cart.currency, products=products)
    results = []
    for product in products:
        price = book.product_price(product)
        options = [VariantOption(variant=v, in_store=v.in_store, to_ship=v.to_ship,
                                 price=book.variant_price(v, product))
                   for v in variants.get(product.pk, [])]
        matched = getattr(product, "matched_variant", None)
        if matched is not None:
            options.sort(key=lambda option: option.variant.pk != matched.pk)
        results.append({"product": product, "options": options, "price": price,
                        "unpriced": all(option.price is None for option in options),
                        "matched_variant_id": matched.pk if matched else None})
    return results


def catalog_results(*, user, store, query: str, limit: int = 24) -> list[dict]:
    """The associates' catalog: products with their variants and the store's stock."""
    products = product_search(query=query, limit=limit)
    location = store.stock_location_id if store else None
    variants = active_variants_with_stock(product_ids=[p.pk for p in products],
                                          locations={"in_store": location})
    book = prices_in(currency=store.currency, products=products) if store else None
    rows = []
    for product in products:
        found = variants.get(product.pk, [])
        in_store = sum(v.in_store for v in found) if location else None
        rows.append({"product": product, "variants": found, "in_store": in_store,
                     "sizes": [v.size for v in found if v.size],
                     **product_price_for(product, store=store, book=book)})
    return rows


def product_price_for(product, *, store, book=None) -> dict:
    """{"price", "currency"} of a product as the store sells it (its own currency without a store);
    price None: not for sale in that currency."""
    if store is None:
        return {"price": product.price, "currency": product.currency}
    book = book or prices_in(currency=store.currency, products=[product])
    return {"price": book.product_price(product), "currency": store.currency}


def open_carts(*, user, limit: int = 50) -> list[Cart]:
    return list(
        Cart.objects.filter(status=Cart.Status.OPEN, store__in=stores_for(user),
                            expires_at__gt=timezone.now())
        .select_related("customer", "store", "associate").order_by("-updated_at")[:limit]
    )


def carts_section(*, user, customer, section) -> dict:
    """The customer profile's "Remote carts" section: open carts and recent paid ones."""
    stores = list(stores_for(user))
    carts = list(
        Cart.objects.filter(customer=customer, store__in=[s.pk for s in stores])
        .filter(status__in=[Cart.Status.OPEN, Cart.Status.PAID])
        .select_related("store").order_by("-updated_at")[:12]
    )
    now = timezone.now()
    open_by_store = {c.store_id: c for c in carts
                     if c.status == Cart.Status.OPEN and (not c.expires_at or c.expires_at > now)}
    paid = [c for c in carts if c.status == Cart.Status.PAID][:5]
    return {
        "cart_stores": [{"store": store, "cart": open_by_store.get(store.pk)} for store in stores],
        "paid_carts": paid,
    }


__all__ = [
    "LineRow", "TOKEN", "VariantOption", "cart_page", "cart_price", "cart_product_results",
    "cart_public_url", "cart_ready_problems", "cart_settings", "carts_section", "catalog_results",
    "customer_address", "customer_cart_page", "discount_limit_for", "link_request_for", "location_for",
    "open_carts", "product_price_for", "ship_from_location_id", "shipping_options_for", "StoreContact",
    "store_contact", "cart_link_status",
]
