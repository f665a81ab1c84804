"""Message words and images are removed after the retention period; the rows stay."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conversations import services, tasks
from conversations.models import Conversation, Message, WebhookEvent

from .test_composer import PNG

pytestmark = pytest.mark.django_db


def age(message, days):
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_messages_older_than_the_retention_lose_their_words_and_images(settings, sms_thread, associate_a,
                                                                       demo_provider):
    settings.MESSAGING_RETENTION_DAYS = 365
    old = services.message_send(conversation=sms_thread, sender=associate_a, body="Your size 38 is here",
                                images=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    stored = f"conversations/outbound/{old.media_urls[0].rsplit('/', 1)[1]}"
    assert default_storage.exists(stored)
    recent = services.message_send(conversation=sms_thread, sender=associate_a, body="See you Friday")
    age(old, 400)
    Conversation.objects.filter(pk=sms_thread.pk).update(last_message_at=timezone.now() - timedelta(days=400))
    WebhookEvent.objects.create(provider="twilio", event_id="SM1", kind="inbound", payload={"Body": "old"})
    WebhookEvent.objects.filter(event_id="SM1").update(received_at=timezone.now() - timedelta(days=400))

    assert tasks.messages_redact_expired.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.body, old.media_urls, old.redacted_at is not None) == ("", [], True)
    assert old.status  # the row and its delivery state stay
    assert not default_storage.exists(stored)
    assert recent.body == "See you Friday" and recent.redacted_at is None
    assert Conversation.objects.get(pk=sms_thread.pk).last_message_preview == ""
    assert not WebhookEvent.objects.exists()
    assert tasks.messages_redact_expired.delay().get() == 0  # done once


def test_a_retention_of_zero_keeps_everything(settings, sms_thread, associate_a, demo_provider):
    settings.MESSAGING_RETENTION_DAYS = 0
    message = services.message_send(conversation=sms_thread, sender=associate_a, body="Kept")
    age(message, 4000)

    assert services.messages_redact_expired() == 0
    message.refresh_from_db()
    assert message.body == "Kept"
