"""The composer through its views: images, scheduled messages, preview, product sharing, bad input."""

import base64
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from clienteling.models import Channel, CustomerContactHistory
from conversations import services
from conversations.models import ClientelingEvent, Message
from tests.factories import ProductFactory

from .conftest import mapped_template, opt_in

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
# 10:00 on 10 June 2026 in New York (EDT, UTC-4).
MORNING_NY = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def signed_in(client, associate_a):
    client.force_login(associate_a)
    return client


@pytest.fixture
def ready(sms_thread, customer_a, demo_provider):
    opt_in(customer_a)
    return sms_thread


def send_url(thread):
    return reverse("conversations:send", args=[thread.pk])


def stored_images() -> int:
    folder = "conversations/outbound"
    return len(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else 0


def png(name="look.png", content=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- images ----------------------------------------------------------------------------


def test_an_image_goes_by_mms_from_a_us_store_at_an_unguessable_public_url(
        signed_in, ready, demo_provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(send_url(ready), {"body": "The look", "image": png()})
    assert response.status_code == 302
    message = Message.objects.get(conversation=ready)
    [url] = message.media_urls
    name = url.rsplit("/", 1)[1]
    assert len(name.split(".")[0]) == 32 and name.endswith(".png")
    assert demo_provider[-1].media_urls == (url,)
    served = Client().get(url)  # the provider fetches it without signing in
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG


def test_an_image_alone_is_a_message(signed_in, ready):
    assert signed_in.post(send_url(ready), {"image": png()}).status_code == 302
    assert Message.objects.get(conversation=ready).media_urls


def test_a_file_that_is_not_an_image_is_refused(signed_in, ready):
    upload = png("invoice.png", b"%PDF-1.7 not an image", "image/png")
    response = signed_in.post(send_url(ready), {"body": "See", "image": upload})
    assert response.status_code == 400
    assert "Attach a JPEG, PNG or GIF image." in response.content.decode()
    assert not Message.objects.exists()


def test_an_image_over_5_mb_is_refused(signed_in, ready):
    upload = png(content=PNG + b"\0" * (5 * 1024 * 1024))
    response = signed_in.post(send_url(ready), {"image": upload})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_no_mms_from_a_store_in_a_country_without_it(org, messaging, associate_b, customer_b,
                                                       demo_provider):
    thread = services.conversation_get_or_create(customer=customer_b, store=org["store_b"],
                                                 channel=Channel.SMS)
    opt_in(customer_b)
    client = Client()
    client.force_login(associate_b)
    stored_before = stored_images()
    page = client.get(reverse("conversations:detail", args=[thread.pk]))
    assert 'name="image"' not in page.content.decode()  # the composer offers no image button
    response = client.post(send_url(thread), {"body": "Look", "image": png()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Images cannot be sent by text from this store." in response.content.decode()
    assert not Message.objects.exists()
    assert stored_images() == stored_before  # nothing was written for a refused send


def test_an_unknown_media_name_is_404(client):
    assert client.get("/conversations/media/..%2F..%2Fsecret.png").status_code == 404
    assert client.get(reverse("conversations:public_media", args=["x" * 32 + ".png"])).status_code == 404


# --- scheduled messages ----------------------------------------------------------------


@time_machine.travel(MORNING_NY, tick=False)
def test_a_message_scheduled_in_store_time_shows_in_the_scheduled_text_column(signed_in, ready, customer_a):
    response = signed_in.post(send_url(ready), {"body": "See you at 6", "send_at": "2026-06-10T18:00"})
    assert response.status_code == 302
    message = Message.objects.get(conversation=ready)
    expected = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)  # 18:00 EDT
    assert (message.status, message.scheduled_for) == (Message.Status.SCHEDULED, expected)
    assert CustomerContactHistory.objects.get(customer=customer_a).next_scheduled_text_at == expected


@time_machine.travel(MORNING_NY, tick=False)
def test_a_scheduled_message_can_be_cancelled_before_it_goes(signed_in, ready, customer_a):
    signed_in.post(send_url(ready), {"body": "Later", "send_at": "2026-06-10T18:00"})
    message = Message.objects.get(conversation=ready)
    cancel = reverse("conversations:scheduled_cancel", args=[ready.pk, message.pk])
    assert signed_in.post(cancel).status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELED
    assert CustomerContactHistory.objects.get(customer=customer_a).next_scheduled_text_at is None
    assert services.scheduled_messages_send_due(now=datetime(2026, 6, 11, tzinfo=UTC)) == 0
    again = signed_in.post(cancel, HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and "no longer scheduled" in again.content.decode()


@time_machine.travel(MORNING_NY, tick=False)
def test_a_time_in_the_past_is_refused(signed_in, ready):
    response = signed_in.post(send_url(ready), {"body": "Hi", "send_at": "2026-06-10T09:00"})
    assert response.status_code == 400
    assert "Choose a time in the future." in response.content.decode()


def test_a_scheduled_message_of_another_thread_cannot_be_cancelled(signed_in, org, ready, associate_a):
    other = services.conversation_get_or_create(customer=ready.customer, store=org["store_a"],
                                                channel=Channel.EMAIL)
    message = services.message_send(conversation=other, sender=associate_a, body="x",
                                    scheduled_for=datetime(2030, 1, 1, tzinfo=UTC))
    cancel = reverse("conversations:scheduled_cancel", args=[ready.pk, message.pk])
    assert signed_in.post(cancel).status_code == 404


# --- preview ---------------------------------------------------------------------------


def test_preview_renders_the_template_with_this_conversations_data(signed_in, ready):
    template = mapped_template(body="Hi {{1}}, {{2}} from {{3}}.",
                               sources=("customer_first_name", "custom_text", "store_name"))
    response = signed_in.get(reverse("conversations:preview", args=[ready.pk]),
                             {"template": template.pk, "body": "your coat is ready"},
                             HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Hi Claire, your coat is ready from New York." in response.content.decode()


def test_preview_says_what_is_missing(signed_in, ready):
    template = mapped_template(body="Hi {{1}}, {{2}}.", sources=("customer_first_name", "custom_text"))
    response = signed_in.get(reverse("conversations:preview", args=[ready.pk]), {"template": template.pk})
    assert response.status_code == 200
    assert "{{2}}" in response.content.decode()


def test_preview_of_a_template_of_another_channel_is_400(signed_in, ready):
    template = mapped_template(channel=Channel.WHATSAPP, body="Hi {{1}}", sources=("customer_first_name",))
    response = signed_in.get(reverse("conversations:preview", args=[ready.pk]), {"template": template.pk})
    assert response.status_code == 400


# --- product sharing -------------------------------------------------------------------


def test_the_product_button_uses_the_product_sharing_template(signed_in, ready):
    mapped_template(event=ClientelingEvent.PRODUCT_SHARING, body="{{1}}, you may like {{2}}: {{3}}",
                    sources=("customer_first_name", "product_title", "product_link"))
    product = ProductFactory(title="Cashmere wrap")
    response = signed_in.post(reverse("conversations:product_share", args=[ready.pk]),
                              {"product": product.pk})
    assert response.status_code == 302
    message = Message.objects.get(conversation=ready)
    assert message.kind == Message.Kind.PRODUCT and message.template is not None
    assert message.body.startswith("Claire, you may like Cashmere wrap: http")


# --- bad input: a 400 that says what was wrong, never a 500 -----------------------------


@pytest.mark.parametrize("view, data, says", [
    ("send", {"template": "abc"}, "ready to send"),
    ("send", {"template": "999999"}, "ready to send"),
    ("send", {"body": "x", "send_at": "tomorrow"}, "Send at"),
    ("product_share", {"product": "abc"}, "not available"),
    ("product_share", {}, "Choose a product."),
    ("assign", {"assignee": "abc"}, "Choose a colleague of this store."),
    ("assign", {"assignee": "999999"}, "Choose a colleague of this store."),
    ("assign", {}, "Choose a colleague."),
])
def test_bad_input_on_a_thread_is_a_400_with_the_reason(signed_in, ready, view, data, says):
    response = signed_in.post(reverse(f"conversations:{view}", args=[ready.pk]), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Message.objects.exists()


def test_assigning_to_staff_of_another_store_is_a_400(signed_in, ready, associate_b):
    response = signed_in.post(reverse("conversations:assign", args=[ready.pk]), {"assignee": associate_b.pk})
    assert response.status_code == 400
    ready.refresh_from_db()
    assert ready.assigned_to != associate_b


@pytest.mark.parametrize("data, says", [
    ({"store": "abc"}, "Choose one of your stores."),
    ({}, "Choose a store."),
    ({"store": "STORE_B"}, "Choose one of your stores."),
    ({"store": "STORE_A", "channel": "pigeon"}, "Channel"),
])
def test_bad_input_when_starting_a_thread_is_a_400(signed_in, org, customer_a, data, says):
    data = {k: str(org["store_b"].pk if v == "STORE_B" else org["store_a"].pk if v == "STORE_A" else v)
            for k, v in data.items()}
    response = signed_in.post(reverse("conversations:start", args=[customer_a.pk]), data)
    assert response.status_code == 400
    assert says in response.content.decode()


def test_an_empty_demo_reply_is_a_400(signed_in, ready):
    response = signed_in.post(reverse("conversations:simulate_reply", args=[ready.pk]), {"body": " "})
    assert response.status_code == 400
    assert escape("Type the customer's reply.") in response.content.decode()


# --- live updates -------------------------------------------------------------------------


def test_the_thread_polls_at_once_while_a_sent_message_waits_for_its_report_then_backs_off(
        signed_in, ready, django_capture_on_commit_callbacks):
    poll = reverse("conversations:poll", args=[ready.pk])
    with time_machine.travel(MORNING_NY, tick=False):
        assert 'hx-trigger="every 20s"' in signed_in.get(poll).content.decode()  # nothing yet: quiet
        with django_capture_on_commit_callbacks(execute=False):  # the send task has not run yet
            sent = signed_in.post(send_url(ready), {"body": "Your coat is in"}, HTTP_HX_REQUEST="true")
        assert 'hx-trigger="every 1s"' in sent.content.decode()  # waiting for "Delivered"
        Message.objects.filter(conversation=ready).update(status=Message.Status.DELIVERED)
        assert 'hx-trigger="every 5s"' in signed_in.get(poll).content.decode()  # delivered: live
    with time_machine.travel(MORNING_NY.replace(hour=15), tick=False):
        assert 'hx-trigger="every 20s"' in signed_in.get(poll).content.decode()  # an hour on: quiet
