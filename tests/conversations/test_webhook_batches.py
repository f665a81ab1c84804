"""Recorded webhooks are applied in batches: a few queries per batch, in order, a bad
event set aside, and one drain task queued however many callbacks arrive."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent, StaffProfile
from conversations import services, tasks
from conversations.models import Conversation, Message, WebhookEvent

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
                                                               settings, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    settings.MESSAGING_WEBHOOK_DRAINS_COALESCE = True  # as with Redis, the cache every process shares
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


def record_inbound(customer, body: str, sid: str, to=STORE_A_SMS) -> WebhookEvent:
    return WebhookEvent.objects.create(provider="twilio", kind="inbound", event_id=sid, payload={
        "MessageSid": sid, "From": str(customer.phone), "To": to, "Body": body, "NumMedia": "0"})


@pytest.mark.parametrize("customers", [2, 20])
def test_ordinary_messages_into_owned_threads_are_applied_together(org, twilio, messaging, associate_a,
                                                                   customers):
    from clienteling.models import CustomerContactHistory
    from tests.factories import CustomerFactory

    people = [CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                              phone=f"+1310555{n:04d}") for n in range(customers)]
    threads = [services.conversation_get_or_create(customer=person, store=org["store_a"], channel=Channel.SMS,
                                                   user=associate_a) for person in people]
    for turn in range(3):
        for n, person in enumerate(people):
            record_inbound(person, f"Message {turn} from {n}", f"SM{n:016d}{turn:016d}")
    replayed = Message.objects.create(
        conversation=threads[0], direction=Message.Direction.INBOUND, body="Stored before",
        status=Message.Status.RECEIVED, provider_sid="SM" + "e" * 32)
    record_inbound(people[0], "Stored before", replayed.provider_sid)

    with CaptureQueriesContext(connection) as queries:
        assert services.webhook_events_drain(kind="inbound") == 3 * customers + 1

    assert len(queries) <= 20, len(queries)
    for n, (person, thread) in enumerate(zip(people, threads, strict=True)):
        thread.refresh_from_db()
        bodies = list(thread.messages.filter(direction=Message.Direction.INBOUND).exclude(pk=replayed.pk)
                      .order_by("pk").values_list("body", flat=True))
        assert bodies == [f"Message {turn} from {n}" for turn in range(3)]
        assert (thread.unread_count, thread.last_message_preview) == (3, f"Message 2 from {n}")
        assert thread.last_inbound_at is not None
        history = CustomerContactHistory.objects.get(customer=person)
        assert (history.last_text_preview, history.last_text_inbound) == (f"Message 2 from {n}", True)


def test_a_keyword_sends_its_whole_thread_one_by_one_in_order(twilio, sms_thread, customer_a):
    for n, body in enumerate(["Hello", "STOP", "Sorry, I meant the scarf"]):
        record_inbound(customer_a, body, f"SM{n:032d}")

    assert services.webhook_events_drain(kind="inbound") == 3

    bodies = sms_thread.messages.filter(direction=Message.Direction.INBOUND).order_by("pk")
    assert list(bodies.values_list("body", flat=True)) == ["Hello", "STOP", "Sorry, I meant the scarf"]
    latest = CustomerConsent.objects.filter(customer=customer_a, channel=Channel.SMS).latest("pk")
    assert latest.state == ConsentState.OPTED_OUT
    sms_thread.refresh_from_db()
    assert sms_thread.unread_count == 3


def test_first_messages_open_threads_owned_by_each_customers_associate(org, twilio, messaging, associate_a):
    from tests.factories import CustomerFactory, make_staff

    elsewhere = make_staff(StaffProfile.Role.ASSOCIATE, org["store_b"])
    mine = [CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"], phone=f"+1310555{n:04d}",
                            primary_salesperson=associate_a) for n in range(5)]
    other = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"], phone="+13105559999",
                            primary_salesperson=elsewhere)
    for n, person in enumerate([*mine, other]):
        record_inbound(person, "Is the bag back in stock?", f"SM{n:032d}")

    assert services.webhook_events_drain(kind="inbound") == 6

    threads = {t.customer_id: t for t in Conversation.objects.filter(channel=Channel.SMS)}
    assert {threads[p.pk].assigned_to_id for p in mine} == {associate_a.pk}
    assert all(threads[p.pk].unread_count == 1 for p in mine)
    # Their associate does not work in this store: the one-by-one rules assign it (no shift: nobody).
    assert threads[other.pk].assigned_to_id is None
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 6


def test_without_a_shared_cache_each_callback_queues_its_drain(client, twilio, sms_thread, monkeypatch,
                                                              settings, django_capture_on_commit_callbacks):
    # The embedded default: a mark in one process's memory would keep the worker from ever clearing it.
    settings.MESSAGING_WEBHOOK_DRAINS_COALESCE = False
    queued = []
    monkeypatch.setattr(tasks.webhook_events_drain, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        for message in sent_messages(sms_thread, 3):
            post_signed(client, STATUS, {"MessageSid": message.provider_sid, "MessageStatus": "delivered"},
                        twilio.fake.auth_token)
    assert queued == [{"kind": "status"}] * 3
