"""Building a remote cart: one open cart, lines, stock, quantities, discounts and their limits."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from carts import selectors, services
from carts.models import Cart, CartLine
from tests.carts.conftest import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(shop, customer_a, associate_a):
    return services.cart_open(customer=customer_a, store=shop.store, user=associate_a)


def test_the_same_open_cart_comes_back_until_it_is_closed(shop, customer_a, associate_a, manager):
    first = services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
    again = services.cart_open(customer=customer_a, store=shop.store, user=manager)

    assert again.pk == first.pk
    services.cart_clear(cart=first, user=associate_a)
    fresh = services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
    assert fresh.pk != first.pk
    assert Cart.objects.filter(customer=customer_a, status=Cart.Status.OPEN).count() == 1


def test_a_new_cart_expires_at_the_stores_next_midnight(shop, cart):
    local = cart.expires_at.astimezone(shop.store.tzinfo)

    assert (local.hour, local.minute) == (0, 0)
    assert cart.currency == "USD"


def test_adding_the_same_variant_twice_adds_to_its_line(shop, cart, associate_a):
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)

    line = cart.lines.get()
    assert line.quantity == 2
    cart.refresh_from_db()
    assert cart.subtotal == Decimal("700.00")


def test_in_store_line_cannot_take_more_than_the_store_can_promise(shop, cart, associate_a):
    # scarf: 3 on hand, 1 reserved -> 2 available to promise
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a, quantity=2)

    with pytest.raises(ValidationError, match="Only 2"):
        services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    assert cart.lines.get().quantity == 2


def test_out_of_stock_in_store_can_still_ship_from_the_warehouse(shop, cart, associate_a):
    with pytest.raises(ValidationError, match="out of stock in the store"):
        services.cart_line_add(cart=cart, variant=shop.coat_m, user=associate_a)

    line = services.cart_line_add(cart=cart, variant=shop.coat_m, user=associate_a,
                                  fulfilment=CartLine.Fulfilment.SHIP)
    assert line.fulfilment == "ship"


def test_without_mixed_cart_every_line_sells_from_the_store(shop, cart, associate_a):
    shop.settings.mixed_cart_enabled = False
    shop.settings.save()

    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a,
                                  fulfilment=CartLine.Fulfilment.SHIP)

    assert line.fulfilment == "in_store"


def test_raising_a_quantity_checks_stock_lowering_does_not(shop, cart, associate_a):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a, quantity=2)
    stock(shop.coat_s, shop.store.stock_location, 1)  # sold on the floor meanwhile

    with pytest.raises(ValidationError):
        services.cart_line_update(cart=cart, line_id=line.pk, user=associate_a, quantity=3)
    services.cart_line_update(cart=cart, line_id=line.pk, user=associate_a, quantity=1)
    assert CartLine.objects.get(pk=line.pk).quantity == 1


@pytest.mark.parametrize("quantity", [0, -1, 100, "two", None])
def test_quantities_are_validated_server_side(shop, cart, associate_a, quantity):
    line = services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)

    with pytest.raises(ValidationError):
        services.cart_line_update(cart=cart, line_id=line.pk, user=associate_a,
                                  quantity=quantity if quantity is not None else "")


def test_removing_a_line_reprices_the_cart(shop, cart, associate_a):
    scarf = services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)

    services.cart_line_remove(cart=cart, line_id=scarf.pk, user=associate_a)

    cart.refresh_from_db()
    assert cart.subtotal == Decimal("1200.00")
    assert cart.total == Decimal("1306.50")  # + 8.875 % tax


def test_associate_discount_within_the_role_limit_is_applied(shop, cart, associate_a):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)

    services.cart_line_discount_set(cart=cart, line_id=line.pk, user=associate_a, kind="percent",
                                    value="10")

    cart.refresh_from_db()
    assert cart.discount_total == Decimal("120.00")


@pytest.mark.parametrize(("kind", "value"), [("percent", "10.01"), ("amount", "120.01")])
def test_associate_discount_above_the_role_limit_is_refused(shop, cart, associate_a, kind, value):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)

    with pytest.raises(ValidationError, match="above your limit of 10"):
        services.cart_line_discount_set(cart=cart, line_id=line.pk, user=associate_a, kind=kind,
                                        value=value)
    line.refresh_from_db()
    assert line.discount_kind == ""


def test_manager_may_give_more_than_an_associate(shop, cart, manager):
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=manager)

    services.cart_discount_set(cart=cart, user=manager, kind="percent", value="25")

    cart.refresh_from_db()
    assert cart.discount_total == Decimal("300.00")


def test_line_and_cart_discounts_together_stay_within_the_limit(shop, cart, associate_a):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    services.cart_line_discount_set(cart=cart, line_id=line.pk, user=associate_a, kind="percent",
                                    value="8")

    with pytest.raises(ValidationError, match="together"):
        services.cart_discount_set(cart=cart, user=associate_a, kind="percent", value="5")
    cart.refresh_from_db()
    assert cart.discount_kind == ""


def test_a_role_without_a_configured_limit_gives_no_discount(shop, cart, associate_a):
    from carts.models import DiscountLimit

    DiscountLimit.objects.filter(role="associate").delete()
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)

    with pytest.raises(ValidationError):
        services.cart_discount_set(cart=cart, user=associate_a, kind="amount", value="1")


@pytest.mark.parametrize(("kind", "value"), [
    ("percent", "-5"), ("percent", "101"), ("amount", "1.234"), ("bogus", "5"), ("amount", "abc"),
    ("amount", "NaN"),
])
def test_bad_discounts_are_refused(shop, cart, manager, kind, value):
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=manager)

    with pytest.raises(ValidationError):
        services.cart_discount_set(cart=cart, user=manager, kind=kind, value=value)


def test_yen_store_refuses_cents(org, customer_a, company_admin):
    store = org["store_a2"]
    store.currency = "JPY"
    store.save()
    cart = services.cart_open(customer=customer_a, store=store, user=company_admin)

    with pytest.raises(ValidationError, match="no cents"):
        services.discount_parse(kind="amount", value="10.50", currency=cart.currency)
    assert services.discount_parse(kind="amount", value="10", currency="JPY") == ("amount", Decimal(10))


def test_delivery_address_from_the_customer_or_typed(shop, cart, associate_a, customer_a):
    customer_a.address_line1, customer_a.city, customer_a.country = "712 Madison Ave", "New York", "US"
    customer_a.save()

    services.cart_delivery_set(cart=cart, user=associate_a,
                               address=selectors.customer_address(customer_a))
    cart.refresh_from_db()
    assert (cart.delivery_line1, cart.delivery_city) == ("712 Madison Ave", "New York")

    with pytest.raises(ValidationError):
        services.cart_delivery_set(cart=cart, user=associate_a, address={"name": "X", "line1": "1 Rd"})


def test_shipping_option_adds_to_the_total(shop, cart, associate_a):
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)

    services.cart_shipping_set(cart=cart, user=associate_a, shipping_option_id=shop.express.pk)

    cart.refresh_from_db()
    taxable = Decimal("385.00")
    assert cart.total == taxable + (taxable * Decimal("0.08875")).quantize(Decimal("0.01"))


def test_a_closed_cart_refuses_changes(shop, cart, associate_a):
    services.cart_clear(cart=cart, user=associate_a)

    with pytest.raises(services.CartClosed):
        services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)


def test_save_and_close_keeps_the_items_to_resume_until_midnight(client, shop, customer_a, associate_a,
                                                                conversation):
    """NewStore says both "saving clears the items" and "saved and resumed until midnight": the items stay."""
    new_york = shop.store.tzinfo
    with time_machine.travel(datetime(2026, 11, 23, 15, 0, tzinfo=new_york), tick=False):
        cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                                  conversation=conversation)
        services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
        client.force_login(associate_a)
        response = client.post(reverse("carts:save", args=[cart.pk]))
        assert response.url == reverse("conversations:detail", args=[conversation.pk])

    with time_machine.travel(datetime(2026, 11, 23, 23, 59, tzinfo=new_york), tick=False):
        resumed = services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
        assert resumed.pk == cart.pk
        assert [line.variant for line in resumed.lines.all()] == [shop.scarf_os]
        assert "Silk Scarf" in client.get(reverse("carts:detail", args=[cart.pk])).content.decode()

    with time_machine.travel(datetime(2026, 11, 24, 0, 1, tzinfo=new_york), tick=False):
        assert services.cart_open(customer=customer_a, store=shop.store, user=associate_a).pk != cart.pk
