"""Through a real Celery worker on Redis, the real Twilio SDK and the loopback fake."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import Message, WebhookEvent
from conversations.tasks import message_dispatch, messages_reconcile_unknown
from tests.celery_worker import kill_tree, running_worker, wait_until

from .conftest import STORE_A_SMS, post_signed

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
]


@pytest.fixture
def worker_env(monkeypatch, settings):
    # The worker reads its settings from the environment, not from this process.
    monkeypatch.setenv("MESSAGING_SMS_PROVIDER", "twilio")
    monkeypatch.setenv("MESSAGING_WHATSAPP_PROVIDER", "twilio")
    monkeypatch.setenv("PUBLIC_BASE_URL", settings.PUBLIC_BASE_URL)


def status_of(message) -> str:
    return Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()


def test_send_deliver_and_reply_end_to_end(client, twilio, sms_thread, associate_a, customer_a, worker_env):
    with running_worker():
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hello Claire")
        assert wait_until(lambda: status_of(message) == Message.Status.SENT)
        message.refresh_from_db()
        assert twilio.fake.last_create()["Body"] == "Hello Claire"
        response = post_signed(client, f"/webhooks/twilio/status/?mid={message.pk}",
                               {"MessageSid": message.provider_sid, "MessageStatus": "delivered"},
                               twilio.fake.auth_token)
        assert response.status_code == 200
        assert wait_until(lambda: status_of(message) == Message.Status.DELIVERED)
        post_signed(client, "/webhooks/twilio/messages/", {
            "MessageSid": "SM" + "7" * 32, "From": str(customer_a.phone), "To": STORE_A_SMS,
            "Body": " Start ", "NumMedia": "0"}, twilio.fake.auth_token)
        inbound = sms_thread.messages.filter(direction=Message.Direction.INBOUND)
        assert wait_until(lambda: inbound.count() == 1)
        assert CustomerConsent.objects.filter(customer=customer_a, channel=Channel.SMS,
                                              state=ConsentState.OPTED_IN, detail="START").exists()
        assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    assert len(twilio.fake.creates) == 1


def test_rate_limited_send_is_retried_by_the_worker(twilio, sms_thread, associate_a, worker_env):
    twilio.fake.fail_next(20429, times=2)
    with running_worker():
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hi")
        assert wait_until(lambda: status_of(message) == Message.Status.SENT)
    assert len(twilio.fake.creates) == 3


def test_a_worker_killed_mid_send_never_causes_a_second_send(twilio, sms_thread, associate_a,
                                                             worker_env, monkeypatch):
    monkeypatch.setenv("TWILIO_HTTP_TIMEOUT", "60")  # the send is still in flight when we kill it
    twilio.fake.hang_next(seconds=60)  # Twilio has taken the message; the answer never comes
    with running_worker() as worker:
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Only once")
        assert wait_until(lambda: len(twilio.fake.creates) == 1)
        assert status_of(message) == Message.Status.SENDING
        kill_tree(worker.pid)
        worker.wait(timeout=10)
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (Message.Status.SENDING, None)

    # Later: the task is delivered again (acks_late) and the beat sweep reconciles.
    Message.objects.filter(pk=message.pk).update(status_updated_at=timezone.now() - timedelta(minutes=10))
    with running_worker():
        message_dispatch.delay(message.pk)
        messages_reconcile_unknown.delay()
        assert wait_until(lambda: status_of(message) == Message.Status.SENT)
        message_dispatch.delay(message.pk)  # and once more, after it settled
        assert wait_until(lambda: False, timeout=1) is False
    message.refresh_from_db()
    assert message.provider_sid in twilio.fake.messages
    assert message.send_attempts == 1
    assert len(twilio.fake.creates) == 1
