"""The customer's cart link once the cart closes: a receipt when paid, the way to the store when expired."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from carts import services
from carts.models import Cart, PaymentLink, StoreCartSettings
from conversations.models import StoreMessagingSettings
from tests.carts.conftest import stock

pytestmark = pytest.mark.django_db

# 03:30 UTC on 14 March is 23:30 on 13 March in New York (EDT, UTC-4).
PAID_AT = datetime(2026, 3, 14, 3, 30, tzinfo=UTC)
# The customer's name, delivery address and phone: never on these pages.
PRIVATE = ("Claire", "Dupont", "Park Ave", "10016", "+12125550123")


@pytest.fixture
def contact(shop):
    """Store A's ways in: its phone (the factory's), an SMS number, and an email for customers."""
    StoreMessagingSettings.objects.create(store=shop.store, sms_number="+12125550188")
    StoreCartSettings.objects.filter(store=shop.store).update(contact_email="nyc@stores.example")


@pytest.fixture
def paid(client, shared, django_capture_on_commit_callbacks):
    link = PaymentLink.objects.get(cart=shared, cart_version=shared.version)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]), {"outcome": "pay"})
    Cart.objects.filter(pk=shared.pk).update(paid_at=PAID_AT)
    shared.refresh_from_db()
    assert shared.status == Cart.Status.PAID
    return shared


def page(client, cart):
    response = client.get(reverse("carts_public:cart", args=[cart.token]))
    return response, response.content.decode()


def test_paid_link_shows_the_receipt(client, paid, contact):
    response, body = page(client, paid)

    assert response.status_code == 200
    assert "Thank you, this cart is paid" in body
    assert body.count("Cashmere Coat in Camel") == 2 and body.count("1 × $1,200.00") == 2
    assert "Express" in body and "$35.00" in body and "$216.11" in body  # shipping, 8.875 % tax
    assert 'data-cart-total>$2,651.11<' in body
    assert "Paid on March 13, 2026, 11:30 p.m." in body  # the store's time, not UTC's 14 March
    assert f"Receipt no. RC-{paid.pk}" in body
    assert "<title>\nYour receipt from New York" in body
    assert '<span class="public-brand">New York</span>' in body
    assert 'href="tel:+12125551234"' in body and 'href="sms:+12125550188"' in body
    assert 'href="mailto:nyc@stores.example"' in body
    assert "data-pay" not in body and 'http-equiv="refresh"' not in body
    for private in PRIVATE:
        assert private not in body


def test_receipt_is_in_the_customers_language(client, paid, customer_a):
    customer_a.language = "fr"
    customer_a.save(update_fields=["language"])

    response, body = page(client, paid)

    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in body
    assert "2\u202f651,11\xa0$US" in body  # catalog.money in French
    assert "13 mars 2026 23:30" in body  # still the store's time zone


def test_a_language_atelier_does_not_speak_leaves_the_browsers(client, paid, customer_a):
    customer_a.language = "tlh"
    customer_a.save(update_fields=["language"])

    response, body = page(client, paid)

    assert response.status_code == 200 and '<html lang="en">' in body and "$2,651.11" in body


# The cart with its store and their settings, with the customer's language and the receipt
# number; the payment link; the lines with their products.
RECEIPT_QUERIES = 3


def test_receipt_reads_the_same_queries_for_more_lines(client, shop, customer_a, associate_a, conversation,
                                                       demo_account, django_capture_on_commit_callbacks,
                                                       django_assert_num_queries):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    stock(shop.coat_s, shop.store.stock_location, 5)
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=cart, user=associate_a)
    link = PaymentLink.objects.get(cart=cart)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]), {"outcome": "pay"})

    with django_assert_num_queries(RECEIPT_QUERIES):
        response, body = page(client, cart)

    assert response.status_code == 200 and "2 × $1,200.00" in body and "1 × $350.00" in body


@pytest.mark.parametrize(("close", "status", "says"), [
    ("expire", 410, "This cart expired"),
    ("clear", 410, "This cart is no longer available"),
])
def test_closed_link_offers_to_contact_the_store_and_nothing_else(client, shared, associate_a, contact,
                                                                 close, status, says):
    if close == "expire":
        services.carts_expire(cart_ids=[shared.pk])
    else:
        services.cart_clear(cart=shared, user=associate_a)

    response, body = page(client, shared)

    assert response.status_code == status and says in body
    assert '<span class="public-brand">New York</span>' in body
    assert 'href="tel:+12125551234"' in body and "Call +1 212-555-1234" in body
    assert 'href="sms:+12125550188"' in body and 'href="mailto:nyc@stores.example"' in body
    for leak in ("Coat", "$", "Express", "Receipt", *PRIVATE):
        assert leak not in body


def test_expired_page_without_any_contact_says_to_reply_to_the_message(client, shared, shop):
    shop.store.clienteling_phone = ""
    shop.store.save(update_fields=["clienteling_phone"])
    services.carts_expire(cart_ids=[shared.pk])

    response, body = page(client, shared)

    assert response.status_code == 410
    assert "Reply to the message that brought you here" in body and "tel:" not in body


def test_a_wrong_token_still_names_no_store(client, shared):
    response = client.get(reverse("carts_public:cart", args=["x" * 43]))

    body = response.content.decode()
    assert response.status_code == 404 and "New York" not in body and "tel:" not in body
