"""A paid cart pushes a notification (real pywebpush, loopback push service) to the cart's
associate: the demo provider's pay page, the real notification path."""

import pytest
from django.urls import reverse

from carts.models import Cart, PaymentLink
from catalog.money import format_money
from clienteling.models import ModuleSettings
from clienteling.services import push
from tests.fakes.push_fake import FakePushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with FakePushService() as fake:
        yield fake


def pay(client, cart, capture):
    link = PaymentLink.objects.get(cart=cart)
    with capture(execute=True):
        response = client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]),
                               {"outcome": "pay"})
    assert response.status_code == 302
    cart.refresh_from_db()


def test_the_carts_associate_is_told_it_was_paid(client, shared, associate_a, manager, push_service,
                                                 django_capture_on_commit_callbacks):
    push.push_subscribe(user=associate_a, **push_service.subscription("associate"))
    push.push_subscribe(user=manager, **push_service.subscription("manager"))

    pay(client, shared, django_capture_on_commit_callbacks)

    assert shared.status == Cart.Status.PAID
    [sent] = push_service.to("associate")
    assert push_service.decrypt(sent) == {
        "title": "Cart paid", "body": f"Claire Dupont paid {format_money(shared.total, 'USD')}.",
        "url": f"/carts/{shared.pk}/", "tag": f"cart-{shared.pk}"}
    assert push_service.to("manager") == []


def test_a_declined_payment_tells_nobody(client, shared, associate_a, push_service,
                                         django_capture_on_commit_callbacks):
    push.push_subscribe(user=associate_a, **push_service.subscription("associate"))
    link = PaymentLink.objects.get(cart=shared)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]), {"outcome": "decline"})

    assert push_service.pushes == []


def test_with_remote_carts_switched_off_the_associate_is_not_told(client, shared, associate_a, push_service,
                                                                  django_capture_on_commit_callbacks):
    push.push_subscribe(user=associate_a, **push_service.subscription("associate"))
    module = ModuleSettings.load()
    module.switches = {"remote_carts": False}
    module.save()

    pay(client, shared, django_capture_on_commit_callbacks)

    assert shared.status == Cart.Status.PAID and push_service.pushes == []
