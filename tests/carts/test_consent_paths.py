"""Every way a message leaves obeys one consent rule, through the screen an associate uses.

Before the customer opts in (and unless they wrote first), only the opt-in request may be
sent on SMS and WhatsApp: the composer, a quick reply, a product share, a cart share, a
template, a scheduled message and a bulk send are all refused, and nothing is written.
After the customer replies START, each of them goes.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carts import services as cart_services
from carts.models import PaymentLink
from clienteling.models import BulkJob, Channel, ConsentState, CustomerConsent, CustomerTag
from conversations import services as conversation_services
from conversations.models import Message, QuickReply
from tests.conversations.conftest import at_noon, mapped_template, reply  # noqa: F401  fixture
from tests.factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def thread(shop, customer_a, associate_a, demo_account, settings):
    """A first thread with a client who was never asked to opt in."""
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    return conversation_services.conversation_get_or_create(customer=customer_a, store=shop.store,
                                                            channel=Channel.SMS, user=associate_a)


def composer(client, thread, **data):
    return client.post(reverse("conversations:send", args=[thread.pk]), data, **HTMX)


def cart_share(client, thread, shop, associate_a):
    cart = cart_services.cart_open(customer=thread.customer, store=shop.store, user=associate_a,
                                   conversation=thread)
    cart_services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    return client.post(reverse("carts:share", args=[cart.pk]), {}, **HTMX)


def outreach(client, thread, associate_a):
    tag = TagFactory(name="Spring", is_outreach_list=True)
    CustomerTag.objects.create(customer=thread.customer, tag=tag)
    template = mapped_template(name="Spring outreach", category="utility")
    return client.post(reverse("conversations:outreach_send", args=[tag.pk]), {"template": template.pk})


PATHS = {
    "composer": lambda client, thread, **_: composer(client, thread, body="The coat is in"),
    "quick reply": lambda client, thread, **_: composer(
        client, thread,
        body=QuickReply.objects.create(title="Ready", body="Your alterations are ready").body),
    "template": lambda client, thread, **_: composer(
        client, thread, template=mapped_template(category="utility").pk),
    "scheduled": lambda client, thread, **_: composer(
        client, thread, body="See you tomorrow",
        send_at=(timezone.localtime(timezone.now(), thread.store.tzinfo) + timedelta(days=1))
        .strftime("%Y-%m-%dT%H:%M")),
    "product share": lambda client, thread, **_: client.post(
        reverse("conversations:product_share", args=[thread.pk]), {"product": ProductFactory().pk}, **HTMX),
    "cart share": lambda client, thread, shop, associate_a: cart_share(client, thread, shop, associate_a),
}


def outbound(thread):
    return Message.objects.filter(conversation=thread, direction=Message.Direction.OUTBOUND)


@pytest.mark.parametrize("path", PATHS)
def test_before_the_opt_in_every_path_is_refused_and_writes_nothing(client, thread, shop, associate_a, path,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = PATHS[path](client, thread, shop=shop, associate_a=associate_a)

    assert "has not opted in" in response.content.decode()
    assert not outbound(thread).exists() and not PaymentLink.objects.exists()


def test_before_the_opt_in_a_bulk_send_skips_the_customer_and_says_why(client, thread, associate_a,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        outreach(client, thread, associate_a)

    assert not outbound(thread).exists()
    job = BulkJob.objects.get()
    assert job.report["skipped"] == {"Has not opted in": 1}


def test_after_start_a_bulk_send_reaches_the_customer(client, thread, associate_a, at_noon,  # noqa: F811
                                                      django_capture_on_commit_callbacks):
    conversation_services.opt_in_request(conversation=thread, sender=associate_a)
    reply(thread, "START")
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        outreach(client, thread, associate_a)

    assert BulkJob.objects.get().report["queued"] == 1
    assert outbound(thread).filter(bulk_job_id__isnull=False).count() == 1


@pytest.mark.parametrize("path", PATHS)
def test_after_start_every_path_goes(client, thread, shop, associate_a, customer_a, path, at_noon,  # noqa: F811
                                     django_capture_on_commit_callbacks):
    conversation_services.opt_in_request(conversation=thread, sender=associate_a)
    reply(thread, "START")
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert consent.state == ConsentState.OPTED_IN
    client.force_login(associate_a)
    before = outbound(thread).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = PATHS[path](client, thread, shop=shop, associate_a=associate_a)

    assert response.status_code == 200, response.content.decode()[:500]
    assert outbound(thread).count() == before + 1


def test_a_product_shared_one_to_one_counts_as_marketing_contact(client, thread, associate_a, customer_a,
                                                                 at_noon,  # noqa: F811
                                                                 django_capture_on_commit_callbacks):
    from clienteling.models import CustomerContactHistory

    conversation_services.opt_in_request(conversation=thread, sender=associate_a)
    reply(thread, "START")
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        PATHS["product share"](client, thread)

    shared = outbound(thread).get(kind=Message.Kind.PRODUCT)
    history = CustomerContactHistory.objects.get(customer=customer_a)
    assert shared.is_marketing and history.last_marketing_sms_at is not None
