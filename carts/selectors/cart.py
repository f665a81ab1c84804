"""Reads of one cart that the pages and the services share: the store's cart settings, the
price as shown or as shared, where stock comes from, the discount limit, the delivery
address and options, what still stops a share, and what the payment provider is asked for.
"""

from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from carts.models import Cart, CartLine, DiscountLimit, PaymentLink, ShippingOption, StoreCartSettings
from carts.payments import LinkLine, LinkRequest, provider_class
from carts.pricing import CartPrice, LineInput, price_cart
from catalog.links import public_url
from catalog.models import StockLocation
from catalog.money import to_minor_units
from clienteling.access import staff_profile

SHIP = CartLine.Fulfilment.SHIP


def cart_settings(store) -> StoreCartSettings:
    """The store's cart settings, or the defaults (unsaved): no tax, no mixed cart."""
    try:
        return store.cart_settings
    except StoreCartSettings.DoesNotExist:
        return StoreCartSettings(store=store)


def cart_public_url(cart) -> str:
    """The customer's link: unguessable, one per cart, the same across its versions."""
    return public_url(reverse("carts_public:cart", args=[cart.token]))

def cart_price(cart: Cart, lines: list[CartLine] | None = None, *,
               shared: PaymentLink | None = None) -> CartPrice:
    """The cart priced with today's shipping and tax settings, or with those frozen in the payment
    link of the version the customer was sent (`shared`): what the customer sees and pays."""
    lines = list(cart.lines.all()) if lines is None else lines
    if shared is not None:
        shipping, tax_rate, included = shared.shipping_price, shared.tax_rate, shared.prices_include_tax
    else:
        settings = cart_settings(cart.store)
        shipping = cart.shipping_option.price if cart.shipping_option_id else Decimal(0)
        tax_rate, included = settings.tax_rate, settings.prices_include_tax
    return price_cart(
        lines=[LineInput(line.pk, line.unit_price, line.quantity, line.discount_kind,
                         line.discount_value) for line in lines],
        currency=cart.currency, discount_kind=cart.discount_kind,
        discount_value=cart.discount_value, shipping=shipping, tax_rate=tax_rate,
        prices_include_tax=included,
    )

def ship_from_location_id(cart: Cart) -> int | None:
    settings = cart_settings(cart.store)
    if settings.ship_from_id:
        return settings.ship_from_id
    return (StockLocation.objects.filter(ships_to_customers=True).order_by("pk")
            .values_list("pk", flat=True).first())


def location_for(cart: Cart, fulfilment: str) -> int | None:
    return ship_from_location_id(cart) if fulfilment == SHIP else cart.store.stock_location_id

def discount_limit_for(user) -> Decimal:
    """The largest discount (percent) the user's role may give; 0 without a configured limit."""
    if getattr(user, "is_superuser", False):
        return Decimal(100)
    profile = staff_profile(user)
    if profile is None:
        return Decimal(0)
    limit = DiscountLimit.objects.filter(role=profile.role).values_list("max_percent", flat=True).first()
    return Decimal(limit) if limit is not None else Decimal(0)

def customer_address(customer) -> dict:
    return {
        "name": customer.full_name, "line1": customer.address_line1,
        "line2": customer.address_line2, "city": customer.city, "state": customer.state,
        "zip": customer.zip_code, "country": customer.country,
    }

def shipping_options_for(store):
    """The options the store offers: its own and the shared ones, in its currency."""
    return ShippingOption.objects.filter(Q(store__isnull=True) | Q(store=store),
                                         Q(currency="") | Q(currency=store.currency), active=True)

def cart_ready_problems(cart: Cart, lines: list[CartLine]) -> list[str]:
    """What still stops the cart from being shared, in words for the associate."""
    problems = []
    if not lines:
        problems.append(_("Add at least one item."))
    ships = any(line.fulfilment == CartLine.Fulfilment.SHIP for line in lines)
    if (ships or cart.shipping_option_id) and not (cart.delivery_line1 and cart.delivery_city
                                                   and cart.delivery_country):
        problems.append(_("Add a delivery address."))
    if ships and not cart.shipping_option_id and shipping_options_for(cart.store).exists():
        problems.append(_("Choose a shipping option."))
    return problems

def link_request_for(link: PaymentLink) -> LinkRequest:
    """What the provider is asked for: the version as shared (its frozen shipping and tax)."""
    cart = link.cart
    lines = list(cart.lines.select_related("variant__product").order_by("position", "pk"))
    price = cart_price(cart, lines, shared=link)
    currency = cart.currency
    exponent = provider_class(link.provider).exponent(currency)
    rate_minor = int((Decimal(link.tax_rate) * 100).to_integral_value())
    items = []
    for line, priced in zip(lines, price.lines, strict=True):
        goods = priced.total - (Decimal(0) if price.prices_include_tax else priced.tax)
        items.append(_link_line(str(line.pk), line.title, line.quantity, goods, priced.tax,
                                price.prices_include_tax, currency, rate_minor, exponent))
    if price.shipping:
        shipping_tax = price.tax_total - sum((p.tax for p in price.lines), Decimal(0))
        items.append(_link_line("shipping", link.shipping_name or _("Shipping"), 1, price.shipping,
                                shipping_tax, price.prices_include_tax, currency, rate_minor, exponent))
    customer = cart.customer
    return LinkRequest(
        reference=link.reference, amount_minor=to_minor_units(link.amount, currency, exponent),
        amount=link.amount, currency=currency, expires_at=link.expires_at.astimezone(cart.store.tzinfo),
        idempotency_key=str(link.idempotency_key),
        description=_("Your selection from %(store)s") % {"store": cart.store.name},
        country=cart.delivery_country or cart.store.country, shopper_reference=f"customer-{customer.pk}",
        shopper_locale=customer.language or "en", return_url=f"{cart_public_url(cart)}?paid=1",
        lines=items,
    )


def _link_line(key, title, quantity, goods, tax, included, currency, rate_minor, exponent) -> LinkLine:
    """Per-unit amounts when they divide evenly; else the whole line as one unit."""
    incl = goods if included else goods + tax
    excl = goods - tax if included else goods
    incl_minor, excl_minor, tax_minor = (to_minor_units(v, currency, exponent) for v in (incl, excl, tax))
    if quantity > 1 and all(v % quantity == 0 for v in (incl_minor, excl_minor, tax_minor)):
        return LinkLine(key, title, quantity, incl_minor // quantity, excl_minor // quantity,
                        tax_minor // quantity, rate_minor)
    label = f"{quantity} × {title}" if quantity > 1 else title
    return LinkLine(key, label, 1, incl_minor, excl_minor, tax_minor, rate_minor)
