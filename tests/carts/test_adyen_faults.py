"""Adyen misbehaving on the calls Atelier makes (create a payment link, stop one): each fault ends in a
recorded state the cart page explains, retries respect Retry-After, and a retry never makes a second link.

The real Adyen SDK talks to the loopback fake, which injects the faults (tests/fakes/adyen_fake.py).
Tasks run eagerly: a retry surfaces as Celery's Retry (its `when` is the countdown asked for) and
the test runs the next attempt itself, as a worker would once it is due.
"""

import html
import re

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from carts import services, tasks
from carts.models import PaymentLink
from conversations.models import Message

from .test_adyen import share

pytestmark = pytest.mark.django_db

# What each fault leaves on a link while it is retried.
REASONS = {
    "429": "Adyen is rate limiting requests.",
    "500": "Adyen had a server error (HTTP 500): Internal error",
    "timeout": "No answer from Adyen.",
    "malformed": "Adyen's answer could not be read.",
}


@pytest.fixture
def cart(shop, customer_a, associate_a, conversation):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    cart.refresh_from_db()
    return cart


def page_text(client, user, cart) -> str:
    client.force_login(user)
    body = client.get(reverse("carts:detail", args=[cart.pk])).content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def link_state(client, user, cart) -> str:
    client.force_login(user)
    body = client.get(reverse("carts:detail", args=[cart.pk])).content.decode()
    return re.search(r'data-link-state="([a-z]+)"', body).group(1)


def share_and_retry(cart, user, capture) -> Retry:
    with pytest.raises(Retry) as retry:
        share(cart, user, capture)
    return retry.value


@pytest.mark.parametrize("kind", ["429", "500", "timeout", "malformed"])
def test_a_failed_link_creation_says_it_is_retrying_and_the_retry_makes_one_link(
        kind, adyen, cart, associate_a, client, django_capture_on_commit_callbacks):
    adyen.inject(kind, retry_after=30)

    retry = share_and_retry(cart, associate_a, django_capture_on_commit_callbacks)

    link = PaymentLink.objects.get(cart=cart)
    assert (link.status, link.url, link.failure_reason) == (PaymentLink.Status.ACTIVE, "", REASONS[kind])
    assert link_state(client, associate_a, cart) == "retrying"
    assert f"The payment link could not be created yet; retrying. {REASONS[kind]}" in page_text(
        client, associate_a, cart)
    if kind == "429":
        assert retry.when == 30.0  # Adyen's Retry-After, not our own backoff

    tasks.payment_link_create.apply((link.pk,), retries=1)  # the retry, once due

    link.refresh_from_db()
    assert link.url.startswith("https://test.adyen.link/") and link.failure_reason == ""
    assert adyen.created == 1 and link.provider_link_id == next(iter(adyen.links))
    assert {r["headers"]["Idempotency-Key"] for r in adyen.link_requests()} == {str(link.idempotency_key)}
    assert len(adyen.link_requests()) == 2
    assert link_state(client, associate_a, cart) == "ready"
    assert "Payment link ready." in page_text(client, associate_a, cart)


def test_after_the_last_retry_the_link_fails_with_the_reason_and_the_associate_is_told(
        adyen, cart, associate_a, client, conversation, settings, django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 1
    adyen.inject("500", times=2)
    share_and_retry(cart, associate_a, django_capture_on_commit_callbacks)
    link = PaymentLink.objects.get(cart=cart)

    tasks.payment_link_create.apply((link.pk,), retries=1)

    link.refresh_from_db()
    reason = f"Gave up after repeated errors: {REASONS['500']}"
    assert (link.status, link.failure_reason) == (PaymentLink.Status.FAILED, reason)
    assert link_state(client, associate_a, cart) == "failed"
    assert f"The payment link could not be created: {reason}" in page_text(client, associate_a, cart)
    notice = Message.objects.get(conversation=conversation, kind="system")
    assert "could not be created" in notice.body and reason in notice.body
    assert adyen.created == 0


def test_a_slow_answer_within_the_timeout_makes_the_link_at_once(adyen, cart, associate_a,
                                                                 django_capture_on_commit_callbacks):
    adyen.inject("slow", delay=0.3)
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    assert link.url and link.failure_reason == ""
    assert adyen.created == 1 and len(adyen.link_requests()) == 1


# --- stopping a link (the cart changed or was cleared) -------------------------------------------


@pytest.mark.parametrize("kind", ["429", "500", "timeout"])
def test_an_old_link_adyen_did_not_stop_is_shown_and_stopped_by_the_retry(
        kind, adyen, cart, associate_a, client, django_capture_on_commit_callbacks):
    old = share(cart, associate_a, django_capture_on_commit_callbacks)
    adyen.inject(kind, on="expire", retry_after=12)

    with pytest.raises(Retry) as retry:
        with django_capture_on_commit_callbacks(execute=True):
            services.cart_line_remove(cart=cart, line_id=cart.lines.first().pk, user=associate_a)

    old.refresh_from_db()
    assert (old.status, old.remote_expired_at, old.failure_reason) == (PaymentLink.Status.EXPIRED, None,
                                                                      REASONS[kind])
    if kind == "429":
        assert retry.value.when == 12.0
    text = page_text(client, associate_a, cart)
    assert f"The old payment link is not stopped at the payment provider yet. {REASONS[kind]}" in text
    assert "the old payment link was stopped" not in text

    tasks.payment_link_expire.apply((old.pk,), retries=1)

    old.refresh_from_db()
    assert old.remote_expired_at is not None and old.failure_reason == ""
    assert set(adyen.expired) == {old.provider_link_id}  # a timeout's stop may have been done twice
    assert "not stopped at the payment provider" not in page_text(client, associate_a, cart)


def test_an_unreadable_answer_to_a_stop_counts_as_stopped(adyen, cart, associate_a,
                                                          django_capture_on_commit_callbacks):
    # Adyen answered 2xx: the PATCH was taken, and asking again would only set the same status.
    old = share(cart, associate_a, django_capture_on_commit_callbacks)
    adyen.inject("malformed", on="expire")
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_clear(cart=cart, user=associate_a)
    old.refresh_from_db()
    assert old.remote_expired_at is not None and adyen.expired == [old.provider_link_id]


def test_a_stop_given_up_is_recorded_and_the_associate_told(adyen, cart, associate_a, client, conversation,
                                                            settings, django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 0
    old = share(cart, associate_a, django_capture_on_commit_callbacks)
    adyen.inject("500", on="expire")

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_clear(cart=cart, user=associate_a)

    old.refresh_from_db()
    reason = f"Gave up after repeated errors: {REASONS['500']}"
    assert (old.remote_expired_at, old.failure_reason) == (None, reason)
    assert f"The old payment link is not stopped at the payment provider yet. {reason}" in page_text(
        client, associate_a, cart)
    notice = Message.objects.get(conversation=conversation, kind="system",
                                 body__contains="could not be stopped")
    assert reason in notice.body


def test_a_new_link_waits_for_the_old_one_to_be_stopped(adyen, cart, associate_a, client,
                                                        django_capture_on_commit_callbacks):
    old = share(cart, associate_a, django_capture_on_commit_callbacks)
    adyen.inject("500", on="expire", times=2)  # the change's own stop, then the new link's
    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):
        services.cart_line_remove(cart=cart, line_id=cart.lines.first().pk, user=associate_a)

    share_and_retry(cart, associate_a, django_capture_on_commit_callbacks)

    new = PaymentLink.objects.exclude(pk=old.pk).get(cart=cart)
    assert new.failure_reason == f"The previous payment link could not be stopped yet: {REASONS['500']}"
    assert len(adyen.link_requests()) == 1  # no second payable link while the first still works
    tasks.payment_link_create.apply((new.pk,), retries=1)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.url and old.remote_expired_at is not None
    assert adyen.expired == [old.provider_link_id]
