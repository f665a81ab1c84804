"""Share a cart, the customer's page, and payment through the demo provider's signed notification."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carts import services
from carts.models import Cart, PaymentEvent, PaymentLink
from carts.payments import get_provider
from carts.payments.demo import SIGNATURE_HEADER
from catalog.money import to_minor_units
from clienteling.models import Sale, SaleLine
from conversations.models import Message
from conversations.providers import demo as demo_messaging

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(two_coats_cart):
    """Two coats, one shipped, express shipping (tests/carts/conftest.py, with `shared`)."""
    return two_coats_cart


def cart_url(cart):
    return reverse("carts_public:cart", args=[cart.token])


def demo_notify(client, body: dict, *, signature: str | None = None):
    raw = json.dumps(body).encode()
    provider = get_provider("demo")
    headers = {"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"):
               provider.sign(raw) if signature is None else signature}
    return client.post(reverse("carts_public:notify", args=["demo"]), raw,
                       content_type="application/json", **headers)


def paid_notification(cart, *, psp="PSP1", value=None, currency=None, success=True):
    """The demo pay page's notification, in the demo provider's own words."""
    link = PaymentLink.objects.get(cart=cart, cart_version=cart.version)
    return {"id": psp, "type": "payment.completed" if success else "payment.declined",
            "reference": link.reference, "message": "",
            "amount_minor": to_minor_units(cart.total, cart.currency) if value is None else value,
            "currency": currency or cart.currency}


def test_share_puts_the_cart_link_in_the_conversation(shared, conversation):
    message = Message.objects.filter(conversation=conversation, kind=Message.Kind.CART).get()
    link = PaymentLink.objects.get(cart=shared)

    assert cart_url(shared) in message.body
    assert link.amount == shared.total and link.cart_version == shared.version
    assert link.url.endswith(reverse("carts_public:demo_pay", args=[link.idempotency_key]))
    assert shared.expires_at == link.expires_at


def test_share_uses_the_mapped_cart_sharing_template(cart, associate_a, conversation, demo_account,
                                                    django_capture_on_commit_callbacks):
    from conversations.models import MessageTemplate, TemplateVariable

    template = MessageTemplate.objects.create(
        channel="sms", name="Cart", event="cart_sharing", status="approved",
        body="Hi {{1}}, your cart ({{2}}) is ready: {{3}}")
    for position, source in enumerate(["customer_first_name", "cart_total", "cart_link"], start=1):
        TemplateVariable.objects.create(template=template, position=position, source=source)

    with django_capture_on_commit_callbacks(execute=True):
        message = services.cart_share(cart=cart, user=associate_a)

    assert message.template_id == template.pk
    assert message.body.startswith("Hi Claire, your cart ($")
    assert message.body.endswith(cart_url(cart))


def test_share_needs_a_delivery_address_for_shipped_lines(shop, customer_a, associate_a, conversation):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.coat_m, user=associate_a, fulfilment="ship")

    with pytest.raises(ValidationError, match="delivery address"):
        services.cart_share(cart=cart, user=associate_a)
    assert not PaymentLink.objects.exists()


def test_customer_page_shows_items_total_and_pay_button(client, shared):
    response = client.get(cart_url(shared))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Cashmere Coat in Camel" in body and "Express" in body
    assert "$2,651.11" in body  # 2 x 1,200 + 35 shipping, + 8.875 % tax
    link = PaymentLink.objects.get(cart=shared)
    assert f'href="{link.url}"' in body
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "same-origin"


def test_cart_total_matches_the_customer_page(shared):
    assert shared.total == Decimal("2651.11")


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 43, "%00", "a" * 200])
def test_tampered_token_reveals_nothing(client, shared, token):
    response = client.get(f"/c/{token}/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "This link is not valid" in body
    for secret in ("Claire", "Coat", "New York", "$"):
        assert secret not in body


def test_a_cart_never_shared_is_not_public(client, cart):
    assert client.get(cart_url(cart)).status_code == 404


@pytest.mark.parametrize(("close", "expected"), [
    ("clear", "This cart is no longer available"),
    ("expire", "This cart expired"),
])
def test_closed_cart_page_says_so_and_names_only_the_store(client, shared, associate_a, close, expected):
    if close == "clear":
        services.cart_clear(cart=shared, user=associate_a)
    else:
        services.carts_expire(cart_ids=[shared.pk])

    response = client.get(cart_url(shared))

    body = response.content.decode()
    assert response.status_code == 410
    assert expected in body
    assert "Coat" not in body and "Park Ave" not in body and "Claire" not in body and "$" not in body


def test_change_after_share_stops_the_old_link_until_shared_again(client, shared, shop, associate_a,
                                                                   django_capture_on_commit_callbacks):
    old = PaymentLink.objects.get(cart=shared)

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_line_add(cart=shared, variant=shop.scarf_os, user=associate_a)

    old.refresh_from_db()
    shared.refresh_from_db()
    assert old.status == PaymentLink.Status.EXPIRED
    assert shared.version == old.cart_version + 1
    assert "updating this cart" in client.get(cart_url(shared)).content.decode()
    assert client.get(old.url.split("127.0.0.1:8000")[-1]).status_code == 410

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=shared, user=associate_a)
    shared.refresh_from_db()
    new = PaymentLink.objects.get(cart=shared, cart_version=shared.version)
    assert new.amount == shared.total > old.amount
    assert new.status == PaymentLink.Status.ACTIVE and new.url != old.url
    assert f'href="{new.url}"' in client.get(cart_url(shared)).content.decode()


def test_demo_pay_marks_the_cart_paid_and_records_the_sale(client, shared, associate_a, conversation,
                                                          django_capture_on_commit_callbacks):
    link = PaymentLink.objects.get(cart=shared)
    demo_messaging.outbox.clear()

    assert client.get(link.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]),
                               {"outcome": "pay"})

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.status == Cart.Status.PAID
    sale = Sale.objects.get()
    assert sale.source == Sale.Source.REMOTE_CART and sale.salesperson == associate_a
    assert sale.total == shared.total and sale.store == shared.store
    assert sale.lines.count() == 3  # two goods lines and shipping
    assert sum(line.amount for line in sale.lines.all()) == shared.total
    assert SaleLine.objects.filter(sale=sale, kind="goods", variant__isnull=False).count() == 2
    notice = Message.objects.get(conversation=conversation, kind=Message.Kind.SYSTEM)
    assert "paid via remote checkout link" in notice.body
    sent_bodies = [record.body for record in demo_messaging.outbox]
    assert any("Thank you" in body for body in sent_bodies)  # the receipt went to the customer
    assert not any("remote checkout link" in body for body in sent_bodies)  # the notice did not
    assert client.get(cart_url(shared)).status_code == 200  # the receipt (test_customer_pages.py)
    # The next open starts a fresh, empty cart.
    fresh = services.cart_open(customer=shared.customer, store=shared.store, user=associate_a)
    assert fresh.pk != shared.pk and not fresh.lines.exists()


def test_declined_payment_leaves_the_cart_open_and_tells_the_associate(
        client, shared, conversation, django_capture_on_commit_callbacks):
    link = PaymentLink.objects.get(cart=shared)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.url, {"outcome": "decline"})

    shared.refresh_from_db()
    assert shared.status == Cart.Status.OPEN
    assert not Sale.objects.exists()
    assert "declined" in Message.objects.get(conversation=conversation, kind="system").body


def test_bad_signature_changes_nothing(client, shared, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = demo_notify(client, paid_notification(shared), signature="0" * 64)

    assert response.status_code == 403
    assert not PaymentEvent.objects.exists()
    shared.refresh_from_db()
    assert shared.status == Cart.Status.OPEN


def test_missing_signature_changes_nothing(client, shared):
    raw = json.dumps(paid_notification(shared)).encode()

    response = client.post(reverse("carts_public:notify", args=["demo"]), raw,
                           content_type="application/json")

    assert response.status_code == 403
    assert not PaymentEvent.objects.exists()


def test_amount_that_differs_from_the_total_is_flagged_not_paid(client, shared, conversation,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = demo_notify(client, paid_notification(shared, value=100))

    assert response.status_code == 200
    shared.refresh_from_db()
    assert shared.status == Cart.Status.OPEN
    assert "cart total is" in shared.flag_reason
    assert not Sale.objects.exists()
    assert PaymentEvent.objects.get().outcome.startswith("flagged")
    assert "needs attention" in Message.objects.get(conversation=conversation, kind="system").body


def test_wrong_currency_is_flagged(client, shared, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_notify(client, paid_notification(shared, currency="EUR"))

    shared.refresh_from_db()
    assert shared.status == Cart.Status.OPEN and shared.flag_reason


def test_repeated_notification_records_one_sale(client, shared, django_capture_on_commit_callbacks):
    body = paid_notification(shared)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert demo_notify(client, body).status_code == 200

    assert PaymentEvent.objects.count() == 1
    assert Sale.objects.count() == 1


def test_second_payment_for_a_paid_cart_is_flagged_and_records_no_second_sale(
        client, shared, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_notify(client, paid_notification(shared, psp="PSP1"))
    with django_capture_on_commit_callbacks(execute=True):
        demo_notify(client, paid_notification(shared, psp="PSP2"))

    assert Sale.objects.count() == 1
    assert PaymentEvent.objects.get(psp_reference="PSP2").outcome.startswith("flagged")


def test_payment_of_a_superseded_version_is_flagged(client, shared, shop, associate_a,
                                                    django_capture_on_commit_callbacks):
    old_version = paid_notification(shared)
    services.cart_line_add(cart=shared, variant=shop.scarf_os, user=associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        demo_notify(client, old_version)

    shared.refresh_from_db()
    assert shared.status == Cart.Status.OPEN
    assert "older version" in shared.flag_reason


def test_notification_paid_before_midnight_arriving_after_the_sweep_still_pays(
        client, shared, django_capture_on_commit_callbacks):
    body = paid_notification(shared)
    services.carts_expire(cart_ids=[shared.pk])

    with django_capture_on_commit_callbacks(execute=True):
        demo_notify(client, body)

    shared.refresh_from_db()
    assert shared.status == Cart.Status.PAID
    assert Sale.objects.count() == 1
