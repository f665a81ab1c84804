"""Recorded webhooks are applied in batches: a few queries per batch, in order, a bad
event set aside, and one drain task queued however many callbacks arrive."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services, tasks
from conversations.models import Message, WebhookEvent

from .conftest import STORE_A_SMS, opt_in, post_signed

pytestmark = pytest.mark.django_db
STATUS = "/webhooks/twilio/status/"


def sent_messages(thread, count: int) -> list[Message]:
    now = timezone.now()
    return Message.objects.bulk_create(
        Message(conversation=thread, direction=Message.Direction.OUTBOUND, body=f"Offer {n}",
                status=Message.Status.SENT, provider_sid=f"SM{thread.pk:06d}{n:026d}", sent_at=now,
                status_updated_at=now)
        for n in range(count))


def record_status(message_or_sid, value: str, **extra) -> WebhookEvent:
    sid = getattr(message_or_sid, "provider_sid", message_or_sid)
    return WebhookEvent.objects.create(
        provider="twilio", kind="status", event_id=f"{sid}:{value}",
        payload={"MessageSid": sid, "MessageStatus": value, **extra})


def statuses(messages) -> list[str]:
    found = dict(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "status"))
    return [found[m.pk] for m in messages]


@pytest.mark.parametrize("count", [40, 360])
def test_a_batch_of_delivery_reports_takes_the_same_few_queries_at_any_size(twilio, sms_thread, count):
    messages = sent_messages(sms_thread, count)
    for message in messages:
        record_status(message, "delivered")
    for message in messages[::4]:
        record_status(message, "read")
    # A late "sent" never moves a delivered message back.
    record_status(messages[1], "sent")

    with CaptureQueriesContext(connection) as queries:
        applied = services.webhook_events_drain(kind="status")

    assert applied == WebhookEvent.objects.count()
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    expected = [Message.Status.READ if n % 4 == 0 else Message.Status.DELIVERED for n in range(count)]
    assert statuses(messages) == expected
    assert not Message.objects.filter(pk__in=[m.pk for m in messages], delivered_at__isnull=True).exists()
    # claim, find the messages, one update per target status, mark processed, the empty claim
    assert len(queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]


def test_failures_and_adoptions_in_a_batch_are_applied_one_by_one(twilio, sms_thread, customer_a):
    opt_in(customer_a)
    delivered, refused = sent_messages(sms_thread, 2)
    unknown = Message.objects.create(conversation=sms_thread, direction=Message.Direction.OUTBOUND,
                                     body="Lost answer", status=Message.Status.UNKNOWN)
    record_status(delivered, "delivered")
    record_status(refused, "failed", ErrorCode="21610")
    # Our own id comes back in the callback's query: the message whose send answer was lost.
    record_status("SM" + "a" * 32, "delivered", _query={"mid": str(unknown.pk)})

    services.webhook_events_drain(kind="status")

    assert statuses([delivered, refused, unknown]) == [
        Message.Status.DELIVERED, Message.Status.FAILED, Message.Status.DELIVERED]
    unknown.refresh_from_db()
    assert unknown.provider_sid == "SM" + "a" * 32
    consent = CustomerConsent.objects.filter(customer=customer_a, channel=Channel.SMS).latest("pk")
    assert consent.state == ConsentState.OPTED_OUT


def test_a_failing_event_is_set_aside_and_the_rest_of_its_batch_applied(twilio, sms_thread, monkeypatch):
    from conversations.services import webhook_events

    good = sent_messages(sms_thread, 3)
    events = [record_status(message, "failed", ErrorCode="30007") for message in good]
    real = webhook_events.message_status_update

    def fails_for_the_second(*, report, **kwargs):
        if report.provider_sid == good[1].provider_sid:
            raise RuntimeError("a bug in one event")
        return real(report=report, **kwargs)

    monkeypatch.setattr(webhook_events, "message_status_update", fails_for_the_second)
    assert services.webhook_events_drain(kind="status") == 2

    assert statuses(good) == [Message.Status.FAILED, Message.Status.SENT, Message.Status.FAILED]
    left = WebhookEvent.objects.filter(processed_at__isnull=True)
    assert list(left.values_list("pk", flat=True)) == [events[1].pk]  # for the stale sweep to retry


def test_inbound_messages_of_a_batch_keep_their_order(twilio, messaging, customer_a):
    for n, body in enumerate(["First", "Second", "STOP", "START"]):
        WebhookEvent.objects.create(provider="twilio", kind="inbound", event_id=f"SM{n:032d}", payload={
            "MessageSid": f"SM{n:032d}", "From": str(customer_a.phone), "To": STORE_A_SMS, "Body": body,
            "NumMedia": "0"})

    assert services.webhook_events_drain(kind="inbound") == 4

    inbound = Message.objects.filter(direction=Message.Direction.INBOUND).order_by("pk")
    assert list(inbound.values_list("body", flat=True)) == ["First", "Second", "STOP", "START"]
    # START came last: the customer is opted in again.
    latest = CustomerConsent.objects.filter(customer=customer_a, channel=Channel.SMS).latest("pk")
    assert latest.state == ConsentState.OPTED_IN


def test_a_flood_of_callbacks_queues_one_drain_until_it_starts(client, twilio, sms_thread, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    messages = sent_messages(sms_thread, 30)
    queued = []
    monkeypatch.setattr(tasks.webhook_events_drain, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        for message in messages:
            params = {"MessageSid": message.provider_sid, "MessageStatus": "delivered"}
            assert post_signed(client, STATUS, params, twilio.fake.auth_token).status_code == 200
    assert queued == [{"kind": "status"}]

    # The drain starts: the next callback queues the next drain.
    monkeypatch.undo()
    assert services.webhook_events_drain(kind="status") == 30
    assert set(statuses(messages)) == {Message.Status.DELIVERED}
    queued.clear()
    monkeypatch.setattr(tasks.webhook_events_drain, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, STATUS, {"MessageSid": messages[0].provider_sid, "MessageStatus": "read"},
                    twilio.fake.auth_token)
    assert queued == [{"kind": "status"}]


def test_a_long_drain_hands_over_to_a_fresh_task(twilio, sms_thread, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    for message in sent_messages(sms_thread, 12):
        record_status(message, "delivered")
    queued = []
    monkeypatch.setattr(tasks.webhook_events_drain, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        applied = services.webhook_events_drain(kind="status", batch_size=5, seconds=0)
    assert applied == 5  # one batch, then the time was up
    assert queued == [{"kind": "status"}]
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 7
