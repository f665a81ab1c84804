"""Messages whose send task was lost (a Redis restart) are queued again from the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Message

pytestmark = pytest.mark.django_db


def test_a_message_queued_too_long_ago_is_queued_again_and_sent_once(twilio, sms_thread, associate_a,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as lost:  # stored; the task never reaches a broker
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Still there?")
    assert lost
    # Its task is on the broker (never run here: this test commits nothing).
    recent = services.message_send(conversation=sms_thread, sender=associate_a, body="Just now")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.messages_requeue_stale() == 1
        assert services.messages_requeue_stale() == 0  # re-stamped: not again before the delay

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [create.form["Body"] for create in twilio.fake.creates] == ["Still there?"]
    assert Message.objects.get(pk=recent.pk).status == Message.Status.QUEUED  # its task is still to come
