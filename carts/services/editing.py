"""Building a remote cart: open it, lines, discounts, delivery and shipping.

Every change locks the cart row, checks it is still open, and reprices. A
change to a cart the customer already has a link for starts a new cart
version: the shared payment link is expired (locally now, at the provider
from a task once committed), so the customer can never pay an amount the
cart no longer shows.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carts.models import Cart, CartLine, DiscountKind, PaymentLink, ShippingOption
from carts.pricing import AMOUNT, PERCENT, CartPrice, discount_amount
from carts.selectors.cart import (
    cart_price,
    cart_settings,
    discount_limit_for,
    location_for,
    shipping_options_for,
)
from catalog.db import fit
from catalog.models import ProductVariant
from catalog.money import minor_unit_exponent, quantize, storable
from catalog.selectors import available_to_promise, variant_price_in
from clienteling.dates import next_store_midnight

OPEN = Cart.Status.OPEN
SHIP = CartLine.Fulfilment.SHIP
IN_STORE = CartLine.Fulfilment.IN_STORE
MAX_QUANTITY = 99
MAX_LINES = 50


class CartClosed(ValidationError):
    """The cart was paid, cleared or expired meanwhile: nothing was changed."""


def _closed_message(cart: Cart) -> str:
    if cart.status == Cart.Status.PAID:
        return _("This cart has been paid; open a new one to keep selling.")
    if cart.status == Cart.Status.EXPIRED or cart.status == OPEN:
        return _("This cart expired at the store's midnight; open a new one.")
    return _("This cart was cleared; open a new one.")


def cart_lock(cart: Cart) -> Cart:
    """The cart row, locked for this transaction; refuses a cart that is no longer open."""
    locked = (Cart.objects.select_for_update(of=("self",))
              .select_related("store", "customer", "shipping_option").filter(pk=cart.pk).first())
    if locked is None:
        raise CartClosed(_("This cart no longer exists."))
    if locked.status != OPEN or (locked.expires_at and locked.expires_at <= timezone.now()):
        raise CartClosed(_closed_message(locked))
    return locked


# --- open ------------------------------------------------------------------------------


def cart_open(*, customer, store, user, conversation=None) -> Cart:
    """The customer's open cart for the store, created on first need.

    The same cart comes back until it is paid, cleared or expired; one whose
    midnight passed before the sweep ran is expired here first.
    """
    now = timezone.now()
    cart = Cart.objects.filter(customer=customer, store=store, status=OPEN).first()
    if cart is not None and cart.expires_at and cart.expires_at <= now:
        from .expiry import carts_expire

        carts_expire(cart_ids=[cart.pk], now=now)
        cart = None
    if cart is None and not storable(store.currency):
        raise ValidationError(_("Remote carts cannot sell in %(currency)s yet: its amounts have more "
                                "decimals than Atelier stores.") % {"currency": store.currency})
    if cart is not None:
        if conversation is not None and cart.conversation_id is None:
            Cart.objects.filter(pk=cart.pk, conversation__isnull=True).update(conversation=conversation)
            cart.conversation = conversation
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(
                customer=customer, store=store, associate=user, conversation=conversation,
                currency=store.currency, expires_at=next_store_midnight(store, now),
            )
    except IntegrityError:
        # Opened by a colleague a moment ago: the partial unique index keeps it one.
        return Cart.objects.get(customer=customer, store=store, status=OPEN)


# --- pricing -----------------------------------------------------------------------------


def cart_totals_store(cart: Cart, price: CartPrice, lines: list[CartLine]) -> None:
    """Write the totals on the cart (and its lines) as `price` computed them from `lines`."""
    changed = []
    for line, priced in zip(lines, price.lines, strict=True):
        if line.line_total != priced.net:
            line.line_total = priced.net
            changed.append(line)
    if changed:
        CartLine.objects.bulk_update(changed, ["line_total"])
    cart.subtotal, cart.discount_total = price.subtotal, price.discount_total
    cart.shipping_total, cart.tax_total, cart.total = price.shipping_total, price.tax_total, price.total
    cart.save(update_fields=["version", "subtotal", "discount_total", "shipping_total", "tax_total",
                             "total", "updated_at"])


def _after_change(cart: Cart) -> CartPrice:
    """Reprice; if the customer holds a link to this version, start the next one."""
    if PaymentLink.objects.filter(cart=cart, cart_version=cart.version).exists():
        stale = list(PaymentLink.objects.filter(cart=cart, status=PaymentLink.Status.ACTIVE)
                     .values_list("pk", flat=True))
        PaymentLink.objects.filter(pk__in=stale, status=PaymentLink.Status.ACTIVE).update(
            status=PaymentLink.Status.EXPIRED)
        cart.version += 1
        for link_id in stale:
            _tasks().payment_link_expire.delay_on_commit(link_id)
    lines = list(cart.lines.all())
    price = cart_price(cart, lines)
    cart_totals_store(cart, price, lines)
    return price


# --- stock -------------------------------------------------------------------------------


def _check_stock(cart: Cart, *, variant: ProductVariant, fulfilment: str, quantity: int,
                 exclude_line: int | None = None) -> None:
    """The cart may hold at most what the location can promise, across its lines."""
    location_id = location_for(cart, fulfilment)
    if location_id is None:
        if fulfilment == SHIP:
            raise ValidationError(_("No warehouse ships to customers: sell it from the store."))
        raise ValidationError(_("This store has no stock location: ask an admin to set one up."))
    others = (cart.lines.filter(variant=variant, fulfilment=fulfilment)
              .exclude(pk=exclude_line).values_list("quantity", flat=True))
    wanted = quantity + sum(others)
    available = available_to_promise(variant_ids=[variant.pk], location_ids=[location_id]).get(
        variant.pk, {}).get(location_id, 0)
    if wanted > available:
        where = _("to ship") if fulfilment == SHIP else _("in the store")
        if available <= 0:
            raise ValidationError(_("%(item)s is out of stock %(where)s.") % {
                "item": _variant_label(variant), "where": where})
        raise ValidationError(_("Only %(count)s of %(item)s available %(where)s.") % {
            "count": available, "item": _variant_label(variant), "where": where})


def cart_check_stock(cart: Cart) -> None:
    lines = list(cart.lines.select_related("variant__product"))
    for line in lines:
        _check_stock(cart, variant=line.variant, fulfilment=line.fulfilment, quantity=line.quantity,
                     exclude_line=line.pk)


def _variant_label(variant: ProductVariant) -> str:
    detail = " / ".join(part for part in (variant.size, variant.colour) if part)
    return f"{variant.product.title} ({detail})" if detail else variant.product.title


# --- lines -------------------------------------------------------------------------------


def _quantity(value) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number of items.")) from None
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise ValidationError(_("A quantity is between 1 and %(max)s.") % {"max": MAX_QUANTITY})
    return quantity


def _fulfilment(cart: Cart, value: str | None) -> str:
    if not cart_settings(cart.store).mixed_cart_enabled:
        return IN_STORE
    if value in (None, ""):
        return IN_STORE
    if value not in CartLine.Fulfilment.values:
        raise ValidationError(_("Choose in store or ship to the customer."))
    return value


@transaction.atomic
def cart_line_add(*, cart: Cart, variant: ProductVariant, user, quantity=1,
                  fulfilment: str | None = None) -> CartLine:
    """Add a variant (or more of it: the same variant and fulfilment share a line)."""
    cart = cart_lock(cart)
    quantity = _quantity(quantity)
    fulfilment = _fulfilment(cart, fulfilment)
    if not variant.active or not variant.product.active:
        raise ValidationError(_("This product is no longer sold."))
    line = cart.lines.filter(variant=variant, fulfilment=fulfilment).first()
    unit_price = variant_price_in(variant=variant, currency=cart.currency) if line is None else None
    if line is None and unit_price is None:
        raise ValidationError(_("%(item)s has no price in %(currency)s yet, so it cannot be sold "
                                "from this store. Ask an admin to add one.") % {
            "item": _variant_label(variant), "currency": cart.currency})
    if line is None and cart.lines.count() >= MAX_LINES:
        raise ValidationError(_("A cart holds at most %(n)s lines.") % {"n": MAX_LINES})
    new_quantity = quantity + (line.quantity if line else 0)
    if new_quantity > MAX_QUANTITY:
        raise ValidationError(_("A quantity is between 1 and %(max)s.") % {"max": MAX_QUANTITY})
    _check_stock(cart, variant=variant, fulfilment=fulfilment, quantity=new_quantity,
                 exclude_line=line.pk if line else None)
    if line is None:
        position = (cart.lines.order_by("-position").values_list("position", flat=True).first()
                    or 0) + 1
        line = CartLine.objects.create(
            cart=cart, variant=variant, title=_line_title(variant), quantity=new_quantity,
            unit_price=quantize(unit_price, cart.currency), fulfilment=fulfilment,
            position=position)
    else:
        line.quantity = new_quantity
        line.save(update_fields=["quantity"])
    _after_change(cart)
    return line


def _line_title(variant: ProductVariant) -> str:
    detail = " / ".join(part for part in (variant.size, variant.colour) if part)
    return fit(CartLine, "title", f"{variant.product.title} – {detail}" if detail else variant.product.title)


def _line(cart: Cart, line_id) -> CartLine:
    try:
        return cart.lines.select_related("variant__product").get(pk=int(line_id))
    except (CartLine.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("This line is no longer in the cart.")) from None


@transaction.atomic
def cart_line_update(*, cart: Cart, line_id, user, quantity=None,
                     fulfilment: str | None = None) -> CartLine:
    cart = cart_lock(cart)
    line = _line(cart, line_id)
    new_quantity = line.quantity if quantity is None else _quantity(quantity)
    new_fulfilment = line.fulfilment if fulfilment is None else _fulfilment(cart, fulfilment)
    if (new_quantity, new_fulfilment) == (line.quantity, line.fulfilment):
        return line
    if new_quantity > line.quantity or new_fulfilment != line.fulfilment:
        _check_stock(cart, variant=line.variant, fulfilment=new_fulfilment, quantity=new_quantity,
                     exclude_line=line.pk)
    line.quantity, line.fulfilment = new_quantity, new_fulfilment
    line.save(update_fields=["quantity", "fulfilment"])
    _after_change(cart)
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, line_id, user) -> None:
    cart = cart_lock(cart)
    _line(cart, line_id).delete()
    _after_change(cart)


# --- discounts -----------------------------------------------------------------------------


def discount_parse(*, kind: str, value, currency: str) -> tuple[str, Decimal]:
    """A discount as typed, validated: ("", 0) removes it."""
    kind = kind or ""
    if kind not in DiscountKind.values:
        raise ValidationError(_("Choose an amount or a percent."))
    if value in (None, ""):
        value = "0"
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("A discount cannot be negative."))
    if not kind or amount == 0:
        return "", Decimal(0)
    if kind == PERCENT:
        if amount > 100:
            raise ValidationError(_("A percent discount is at most 100."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("A percent has at most two decimals."))
        return kind, amount
    places = minor_unit_exponent(currency)
    if amount != quantize(amount, currency):
        if places == 0:
            raise ValidationError(_("%(currency)s has no cents: enter a whole amount.")
                                  % {"currency": currency})
        raise ValidationError(_("An amount has at most %(n)s decimals.") % {"n": places})
    return kind, amount


def _refuse_above_limit(*, user, amount: Decimal, base: Decimal, what: str) -> None:
    limit = discount_limit_for(user)
    if base <= 0 and amount <= 0:
        return
    if amount * 100 > limit * base:
        raise ValidationError(
            _("%(what)s is above your limit of %(limit)s%% off.") % {
                "what": what, "limit": f"{limit.quantize(Decimal('0.01')).normalize():f}"})


@transaction.atomic
def cart_line_discount_set(*, cart: Cart, line_id, user, kind: str, value) -> CartLine:
    cart = cart_lock(cart)
    line = _line(cart, line_id)
    kind, value = discount_parse(kind=kind, value=value, currency=cart.currency)
    gross = quantize(line.unit_price * line.quantity, cart.currency)
    if kind == AMOUNT and value > gross:
        raise ValidationError(_("The discount is more than the line's price."))
    amount = discount_amount(base=gross, kind=kind, value=value, currency=cart.currency)
    _refuse_above_limit(user=user, amount=amount, base=gross, what=_("This discount"))
    line.discount_kind, line.discount_value = kind, value
    line.save(update_fields=["discount_kind", "discount_value"])
    price = _after_change(cart)
    _refuse_above_limit(user=user, amount=price.discount_total, base=price.subtotal,
                        what=_("The cart's discounts together"))
    return line


@transaction.atomic
def cart_discount_set(*, cart: Cart, user, kind: str, value) -> Cart:
    cart = cart_lock(cart)
    kind, value = discount_parse(kind=kind, value=value, currency=cart.currency)
    price = cart_price(cart)
    base = price.subtotal - price.line_discounts
    if kind == AMOUNT and value > base:
        raise ValidationError(_("The discount is more than the cart's goods."))
    amount = discount_amount(base=base, kind=kind, value=value, currency=cart.currency)
    _refuse_above_limit(user=user, amount=amount, base=base, what=_("This discount"))
    cart.discount_kind, cart.discount_value = kind, value
    Cart.objects.filter(pk=cart.pk).update(discount_kind=kind, discount_value=value)
    price = _after_change(cart)
    _refuse_above_limit(user=user, amount=price.discount_total, base=price.subtotal,
                        what=_("The cart's discounts together"))
    return cart


# --- delivery and shipping ------------------------------------------------------------------

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "state", "zip", "country")


@transaction.atomic
def cart_delivery_set(*, cart: Cart, user, address: dict) -> Cart:
    """Where the goods go: the customer's address or one typed for this cart."""
    cart = cart_lock(cart)
    values = {name: str(address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    values["country"] = values["country"].upper()
    missing = [name for name in ("name", "line1", "city", "country") if not values[name]]
    if missing:
        raise ValidationError(_("A delivery address needs a name, a street, a city and a country."))
    if len(values["country"]) != 2 or not values["country"].isalpha():
        raise ValidationError(_("Use the two-letter country code, e.g. US or FR."))
    for name in ADDRESS_FIELDS:
        setattr(cart, f"delivery_{name}", values[name][:Cart._meta.get_field(f"delivery_{name}").max_length])
    cart.save(update_fields=[f"delivery_{name}" for name in ADDRESS_FIELDS])
    _after_change(cart)
    return cart


@transaction.atomic
def cart_shipping_set(*, cart: Cart, user, shipping_option_id) -> Cart:
    cart = cart_lock(cart)
    option = None
    if shipping_option_id not in (None, ""):
        try:
            option = shipping_options_for(cart.store).get(pk=int(shipping_option_id))
        except (ShippingOption.DoesNotExist, TypeError, ValueError):
            raise ValidationError(_("Choose one of the shipping options.")) from None
    cart.shipping_option = option
    cart.save(update_fields=["shipping_option"])
    _after_change(cart)
    return cart


@transaction.atomic
def cart_clear(*, cart: Cart, user) -> Cart:
    """Empty the cart for good: its link stops working; the next open starts afresh."""
    cart = cart_lock(cart)
    now = timezone.now()
    if not Cart.objects.filter(pk=cart.pk, status=OPEN).update(
            status=Cart.Status.CLEARED, closed_at=now, updated_at=now):
        raise CartClosed(_closed_message(cart))
    for link_id in PaymentLink.objects.filter(cart=cart, status=PaymentLink.Status.ACTIVE).values_list(
            "pk", flat=True):
        PaymentLink.objects.filter(pk=link_id, status=PaymentLink.Status.ACTIVE).update(
            status=PaymentLink.Status.EXPIRED)
        _tasks().payment_link_expire.delay_on_commit(link_id)
    cart.status = Cart.Status.CLEARED
    return cart


def _tasks():
    """The cart tasks (imported late: they import these services)."""
    from carts import tasks

    return tasks
