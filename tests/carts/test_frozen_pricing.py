"""What was shared is what is paid: shipping and tax are frozen with the shared cart version.

An admin may change the store's tax rate or a shipping price at any time; a
cart already sent to the customer keeps the figures it was sent with on the
customer's page, at the payment provider and in the recorded sale.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from carts import services
from carts.models import Cart, PaymentLink, StoreCartSettings
from carts.selectors import link_request_for
from clienteling.models import Sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(two_coats_cart):
    """Two coats, one shipped, express shipping (tests/carts/conftest.py, with `shared`)."""
    return two_coats_cart

SHARED_TOTAL = Decimal("2651.11")  # 2 x 1,200 + 35 express, + 8.875 % tax


@pytest.fixture
def admin_changes_the_rules(shop):
    """After the share: tax goes to 10 % and express shipping to $50, renamed."""
    def change():
        StoreCartSettings.objects.filter(pk=shop.settings.pk).update(tax_rate=Decimal("10"))
        shop.express.price, shop.express.name = Decimal("50.00"), "Express courier"
        shop.express.save()
    return change


def customer_page(client, cart) -> str:
    return client.get(reverse("carts_public:cart", args=[cart.token])).content.decode()


def pay(client, cart, django_capture_on_commit_callbacks):
    link = PaymentLink.objects.get(cart=cart, cart_version=cart.version)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]), {"outcome": "pay"})
    return link


def test_the_shared_link_records_the_shipping_and_tax_it_was_priced_with(shared, shop):
    link = PaymentLink.objects.get(cart=shared)

    assert link.amount == shared.total == SHARED_TOTAL
    assert (link.tax_rate, link.prices_include_tax) == (Decimal("8.875"), False)
    assert (link.shipping_price, link.shipping_name) == (Decimal("35.00"), "Express")


def test_customer_page_keeps_the_shared_figures_after_a_tax_change(client, shared, admin_changes_the_rules):
    admin_changes_the_rules()

    body = customer_page(client, shared)

    assert "$2,651.11" in body and "Tax (8.875%)" in body and "Express" in body
    assert "Express courier" not in body and "$50.00" not in body


def test_sale_matches_the_paid_amount_after_a_tax_change(client, shared, admin_changes_the_rules,
                                                        django_capture_on_commit_callbacks):
    admin_changes_the_rules()

    link = pay(client, shared, django_capture_on_commit_callbacks)

    shared.refresh_from_db()
    sale = Sale.objects.get()
    assert shared.status == Cart.Status.PAID and not shared.flag_reason
    assert sale.total == link.amount == SHARED_TOTAL
    assert sum(line.amount for line in sale.lines.all()) == SHARED_TOTAL
    assert sale.lines.filter(title="Shipping: Express").exists()


def test_the_providers_link_is_made_with_the_shared_figures(shared, admin_changes_the_rules):
    admin_changes_the_rules()
    link = PaymentLink.objects.get(cart=shared)

    request = link_request_for(link)

    assert request.amount_minor == 265111
    assert sum(line.amount_including_tax_minor * line.quantity for line in request.lines) == 265111
    assert {line.tax_percentage_minor for line in request.lines} == {888}  # 8.875 % in Adyen's units
    assert any(line.description == "Express" for line in request.lines)


def test_associate_sees_what_the_customer_was_sent_and_why_it_differs(client, shared, associate_a,
                                                                     admin_changes_the_rules):
    admin_changes_the_rules()
    client.force_login(associate_a)

    body = client.get(reverse("carts:detail", args=[shared.pk])).content.decode()

    assert "$2,651.11" in body
    assert "Shipping or tax settings changed since you shared this cart" in body


def test_a_change_after_the_share_prices_the_new_version_with_the_new_settings(
        client, shared, shop, associate_a, admin_changes_the_rules, django_capture_on_commit_callbacks):
    admin_changes_the_rules()

    small = shared.lines.get(variant=shop.coat_s)
    services.cart_line_update(cart=shared, line_id=small.pk, user=associate_a, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=shared, user=associate_a)

    shared.refresh_from_db()
    link = PaymentLink.objects.get(cart=shared, cart_version=shared.version)
    # 3 x 1,200 + 50 express courier, + 10 % tax
    assert link.amount == shared.total == Decimal("4015.00")
    page = customer_page(client, shared)
    assert "$4,015.00" in page and "Express courier" in page and "Tax (10%)" in page


def test_sharing_reprices_a_cart_whose_settings_changed_since_its_last_edit(
        cart, associate_a, demo_account, admin_changes_the_rules, django_capture_on_commit_callbacks):
    admin_changes_the_rules()  # before any share: the cart's stored totals are stale

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=cart, user=associate_a)

    cart.refresh_from_db()
    link = PaymentLink.objects.get(cart=cart)
    assert link.amount == cart.total == Decimal("2695.00")


def test_sharing_again_without_a_change_keeps_the_first_figures(
        client, shared, associate_a, admin_changes_the_rules, django_capture_on_commit_callbacks):
    admin_changes_the_rules()

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=shared, user=associate_a)

    assert PaymentLink.objects.filter(cart=shared).count() == 1
    assert PaymentLink.objects.get(cart=shared).amount == SHARED_TOTAL
    assert "$2,651.11" in customer_page(client, shared)
