"""Sharing a cart: review its message in the composer, or send it now; the share line updates by itself."""

import re

import pytest
from django.urls import reverse

from carts import services
from carts.models import Cart, PaymentLink
from clienteling import services as clienteling_services
from clienteling.models import Channel
from conversations import services as conversation_services
from conversations.models import Message
from tests.conversations.conftest import mapped_template

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cart(shop, customer_a, associate_a, conversation, demo_account):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    return cart


def public_path(cart) -> str:
    return reverse("carts_public:cart", args=[cart.token])


def share(client, cart, mode, **extra):
    return client.post(reverse("carts:share", args=[cart.pk]), {"mode": mode}, **extra)


def composer_text(client, conversation) -> str:
    body = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    return re.search(r'<textarea[^>]* id="body"[^>]*>(.*?)</textarea>', body, re.S).group(1)


def test_review_opens_the_thread_with_the_message_in_the_composer_and_sends_nothing(
        client, associate_a, cart, conversation, django_capture_on_commit_callbacks):
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = share(client, cart, "review", **HTMX)

    thread = reverse("conversations:detail", args=[conversation.pk])
    assert response.status_code == 200 and response["HX-Redirect"] == thread
    assert not Message.objects.filter(conversation=conversation).exists()
    cart.refresh_from_db()
    link = PaymentLink.objects.get(cart=cart)
    assert cart.shared_at is not None and link.url  # the link works as soon as the message goes
    draft = composer_text(client, conversation)
    assert draft.startswith("Hi Claire, your selection from New York is ready ($381.06). "
                            "Review it and pay securely here, until midnight: http")
    assert draft.endswith(public_path(cart))
    assert composer_text(client, conversation) == ""  # once: a reload after sending starts empty

    # The associate adds a word and sends it from the composer.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conversations:send", args=[conversation.pk]), {"body": draft + " See you soon!"},
                    **HTMX)
    sent = Message.objects.get(conversation=conversation)
    assert sent.body.endswith("See you soon!") and public_path(cart) in sent.body
    assert client.get(public_path(cart)).status_code == 200


def test_review_without_javascript_redirects_to_the_thread(client, associate_a, cart, conversation):
    client.force_login(associate_a)

    response = share(client, cart, "review")

    assert response.status_code == 302
    assert response.url == reverse("conversations:detail", args=[conversation.pk])
    assert "your selection from New York" in composer_text(client, conversation)


def test_review_uses_the_mapped_cart_template(client, associate_a, cart, conversation):
    mapped_template(body="{{1}}, your cart: {{2}}", sources=("customer_first_name", "cart_link"),
                    event="cart_sharing")
    client.force_login(associate_a)

    share(client, cart, "review")

    draft = composer_text(client, conversation)
    assert draft.startswith("Claire, your cart: http") and draft.endswith(public_path(cart))


@pytest.mark.parametrize("mode", ["send", ""])
def test_send_now_sends_the_message_at_once(client, associate_a, cart, conversation, mode,
                                            django_capture_on_commit_callbacks):
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = share(client, cart, mode, **HTMX)

    # Answered before the worker made the link: the share line says so and will ask again.
    assert response.status_code == 200 and "Preparing the payment link…" in response.content.decode()
    message = Message.objects.get(conversation=conversation, kind=Message.Kind.CART)
    assert public_path(cart) in message.body
    assert composer_text(client, conversation) == ""


def test_review_a_thread_that_takes_no_text_yet_is_refused_and_changes_nothing(
        client, associate_a, shop, customer_a):
    """No opt-in yet: the composer could not send the draft, so the cart is not shared either."""
    thread = conversation_services.conversation_get_or_create(customer=customer_a, store=shop.store,
                                                              channel=Channel.SMS, user=associate_a)
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a, conversation=thread)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    client.force_login(associate_a)

    response = share(client, cart, "review", **HTMX)

    assert "has not opted in" in response.content.decode()
    cart.refresh_from_db()
    assert cart.shared_at is None and not PaymentLink.objects.exists()
    assert "data-draft" not in client.get(reverse("conversations:detail", args=[thread.pk])).content.decode()


def test_review_when_the_whatsapp_window_is_closed_points_to_send_now(client, associate_a, shop, customer_a,
                                                                    settings):
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    clienteling_services.customer_consent_set(customer=customer_a, channel="whatsapp", state="opted_in",
                                              source="keyword")
    thread = conversation_services.conversation_get_or_create(customer=customer_a, store=shop.store,
                                                              channel=Channel.WHATSAPP, user=associate_a)
    mapped_template(channel=Channel.WHATSAPP, body="{{1}}", sources=("cart_link",), event="cart_sharing")
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a, conversation=thread)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    client.force_login(associate_a)

    body = share(client, cart, "review", **HTMX).content.decode()

    assert "window is closed" in body and "Send now sends the approved cart template." in body
    assert not PaymentLink.objects.exists()


def link_line(client, cart):
    return client.get(reverse("carts:link_state", args=[cart.pk]), **HTMX).content.decode()


def test_share_line_asks_again_every_second_until_the_link_is_ready(
        client, associate_a, cart, monkeypatch, django_capture_on_commit_callbacks):
    from carts import tasks

    monkeypatch.setattr(tasks.payment_link_create, "delay_on_commit", lambda *args, **kwargs: None)
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = share(client, cart, "send", **HTMX).content.decode()
    poll = f'hx-get="{reverse("carts:link_state", args=[cart.pk])}" hx-trigger="every 1s"'
    assert "Preparing the payment link…" in page and poll in page

    assert "Preparing the payment link…" in link_line(client, cart) and poll in link_line(client, cart)

    services.payment_link_create(link_id=PaymentLink.objects.get(cart=cart).pk)
    ready = link_line(client, cart)
    assert "Payment link ready." in ready and "hx-trigger" not in ready  # the last answer stops the asking


def test_share_line_asks_less_often_once_the_link_takes_long(client, associate_a, cart, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from carts import tasks

    monkeypatch.setattr(tasks.payment_link_create, "delay_on_commit", lambda *args, **kwargs: None)
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        share(client, cart, "send", **HTMX)
    Cart.objects.filter(pk=cart.pk).update(shared_at=timezone.now() - timedelta(minutes=1))

    assert 'hx-trigger="every 5s"' in link_line(client, cart)


def test_share_line_is_scoped_like_the_cart(client, associate_b, cart):
    client.force_login(associate_b)

    assert client.get(reverse("carts:link_state", args=[cart.pk])).status_code == 404
