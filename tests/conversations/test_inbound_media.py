"""Images customers send: shown through a view that checks access and fetches with the account's keys."""

import pytest
from django.test import Client
from django.urls import reverse

from conversations.models import Message

from .conftest import STORE_A_SMS, post_signed

pytestmark = pytest.mark.django_db
INBOUND = "/webhooks/twilio/messages/"


@pytest.fixture
def image_message(twilio, messaging, customer_a, django_capture_on_commit_callbacks):
    media = f"{twilio.fake.base_url}/2010-04-01/Accounts/{twilio.fake.account_sid}/Messages/MM1/Media/ME1"
    params = {"MessageSid": "SM" + "1" * 32, "AccountSid": twilio.fake.account_sid,
              "From": str(customer_a.phone), "To": STORE_A_SMS, "Body": "This one?", "NumMedia": "1",
              "MediaUrl0": media, "MediaContentType0": "image/png"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(Client(), INBOUND, params, twilio.fake.auth_token).status_code == 200
    return Message.objects.get(provider_sid=params["MessageSid"])


def media_url(message, index=0):
    return reverse("conversations:inbound_media", args=[message.conversation_id, message.pk, index])


def test_the_thread_shows_the_image_through_our_view_never_the_twilio_link(client, associate_a,
                                                                            image_message):
    client.force_login(associate_a)
    page = client.get(reverse("conversations:detail", args=[image_message.conversation_id])).content.decode()
    assert media_url(image_message) in page
    assert image_message.media_urls[0] not in page


def test_the_image_is_fetched_with_the_accounts_credentials(client, associate_a, image_message, twilio):
    client.force_login(associate_a)
    response = client.get(media_url(image_message))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")
    assert "private" in response["Cache-Control"]
    fetched = twilio.fake.requests[-1]
    assert fetched.path.endswith("/Media/ME1") and fetched.headers["Authorization"].startswith("Basic ")


def test_staff_of_another_store_cannot_see_the_image(client, associate_b, image_message, twilio):
    client.force_login(associate_b)
    before = len(twilio.fake.requests)
    assert client.get(media_url(image_message)).status_code == 404
    assert len(twilio.fake.requests) == before  # nothing was fetched for them


def test_signed_out_visitors_are_sent_to_login(client, image_message):
    response = client.get(media_url(image_message))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_index_past_the_images_is_404(client, associate_a, image_message):
    client.force_login(associate_a)
    assert client.get(media_url(image_message, index=3)).status_code == 404
