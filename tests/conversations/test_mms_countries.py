"""Images by text (MMS) from stores in the US, Canada and Australia only."""

import pytest

from conversations import selectors, services
from conversations.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("country", "allowed"), [
    ("US", True), ("CA", True), ("AU", True), ("au", True), ("GB", False), ("FR", False), ("", False)])
def test_mms_by_the_store_country(sms_thread, messaging, country, allowed):
    sms_thread.store.country = country
    sms_thread.store.save()
    assert selectors.images_allowed(sms_thread, messaging["store_a"]) is allowed


def test_an_australian_store_sends_an_image_by_text(sms_thread, associate_a, demo_provider):
    sms_thread.store.country, sms_thread.store.timezone = "AU", "Australia/Sydney"
    sms_thread.store.save()
    message = services.message_send(conversation=sms_thread, sender=associate_a, body="The look",
                                    media_urls=["https://cdn.example.com/look.jpg"])
    assert message.status == Message.Status.QUEUED
    assert message.media_urls == ["https://cdn.example.com/look.jpg"]


def test_an_australian_store_with_mms_switched_off_sends_none(sms_thread, associate_a, messaging):
    sms_thread.store.country = "AU"
    sms_thread.store.save()
    messaging["store_a"].mms_enabled = False
    messaging["store_a"].save()
    with pytest.raises(services.SendBlocked) as caught:
        services.message_send(conversation=sms_thread, sender=associate_a, body="Look",
                              media_urls=["https://cdn.example.com/look.jpg"])
    assert caught.value.reason_code == "mms_unavailable"
