"""A customer's new message pushes a notification (real pywebpush, loopback push service) to
the thread's associate, or to the store's staff while nobody looks after the thread."""

from datetime import UTC, datetime

import pytest

from clienteling.models import Channel, ModuleSettings, StaffProfile
from clienteling.services import push
from conversations import services
from conversations.models import Conversation, WebhookEvent
from tests.factories import CustomerFactory, make_staff
from tests.fakes.push_fake import FakePushService

from .conftest import STORE_A_SMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with FakePushService() as fake:
        yield fake


def devices(push_service, **people) -> None:
    for name, user in people.items():
        push.push_subscribe(user=user, **push_service.subscription(name))


def receive(customer, body: str, sid: str, capture):
    with capture(execute=True):
        return services.inbound_receive(
            store=customer.home_store, from_number=str(customer.phone), to_number=STORE_A_SMS,
            channel=Channel.SMS, body=body, media_urls=[], provider_sid=sid,
            received_at=datetime.now(UTC))


def test_the_threads_associate_is_told_and_nobody_else(push_service, sms_thread, customer_a, associate_a,
                                                       manager, django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a, manager=manager)
    assert sms_thread.assigned_to == associate_a

    receive(customer_a, "Is the camel coat back in size S? I would love to try it on Saturday.",
            "SM" + "1" * 32, django_capture_on_commit_callbacks)

    [sent] = push_service.to("associate")
    assert push_service.decrypt(sent) == {
        "title": "New message from Claire Dupont",
        "body": "Is the camel coat back in size S? I would love to try it on Saturday.",
        "url": f"/conversations/{sms_thread.pk}/", "tag": f"conversation-{sms_thread.pk}"}
    assert push_service.vapid(sent)[0]["aud"] == push_service.base_url
    assert push_service.to("manager") == []


def test_an_unowned_thread_tells_the_stores_staff_who_may_read_it(org, push_service, messaging, associate_a,
                                                                  manager, associate_b,
                                                                  django_capture_on_commit_callbacks):
    elsewhere = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="boston")
    gone = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="left")
    StaffProfile.objects.filter(user=gone).update(active=False)
    devices(push_service, associate=associate_a, manager=manager, paris=associate_b, boston=elsewhere,
            left=gone)
    walk_in = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"], first_name="Iris",
                              last_name="Blum", phone="+12125550177", primary_salesperson=None)

    receive(walk_in, "Hello, do you open on Sunday?", "SM" + "2" * 32, django_capture_on_commit_callbacks)

    thread = Conversation.objects.get(customer=walk_in)
    assert thread.assigned_to_id is None
    told = sorted(push.name for push in push_service.pushes)
    assert told == ["associate", "manager"]
    assert all(push_service.decrypt(p)["url"] == f"/conversations/{thread.pk}/" for p in push_service.pushes)


def test_a_prospect_is_named_as_the_console_names_them_never_by_number(org, push_service, messaging,
                                                                       associate_a,
                                                                       django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.inbound_receive(store=org["store_a"], from_number="+12125550188", to_number=STORE_A_SMS,
                                 channel=Channel.SMS, body="Hi", media_urls=[], provider_sid="SM" + "3" * 32,
                                 received_at=datetime.now(UTC))

    [sent] = push_service.to("associate")
    title = push_service.decrypt(sent)["title"]
    assert title.startswith("New message from ") and "5550188" not in title


def test_stop_and_keywords_answered_by_atelier_notify_nobody(push_service, sms_thread, customer_a,
                                                            associate_a, django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a)

    receive(customer_a, "STOP", "SM" + "4" * 32, django_capture_on_commit_callbacks)

    assert push_service.pushes == []


def test_messages_applied_in_a_batch_notify_once_per_thread(org, push_service, twilio, sms_thread, customer_a,
                                                            associate_a, django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a)
    for n, body in enumerate(["Hello", "Is the coat in?"]):
        WebhookEvent.objects.create(provider="twilio", kind="inbound", event_id=f"SM{n:032d}", payload={
            "MessageSid": f"SM{n:032d}", "From": str(customer_a.phone), "To": STORE_A_SMS, "Body": body,
            "NumMedia": "0"})

    with django_capture_on_commit_callbacks(execute=True):
        assert services.webhook_events_drain(kind="inbound") == 2

    [sent] = push_service.to("associate")
    assert push_service.decrypt(sent)["body"] == "Is the coat in?"  # the thread's newest


def test_with_conversations_switched_off_nobody_is_told(push_service, sms_thread, customer_a, associate_a,
                                                        django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a)
    module = ModuleSettings.load()
    module.switches = {"conversations": False}
    module.save()

    receive(customer_a, "Hello?", "SM" + "5" * 32, django_capture_on_commit_callbacks)

    assert push_service.pushes == []


def test_without_push_the_message_still_lands_and_counts_as_unread(push_service, sms_thread, customer_a,
                                                                   associate_a, settings,
                                                                   django_capture_on_commit_callbacks):
    devices(push_service, associate=associate_a)
    settings.PUSH_VAPID_PRIVATE_KEY = settings.PUSH_VAPID_PUBLIC_KEY = ""

    receive(customer_a, "Hello?", "SM" + "6" * 32, django_capture_on_commit_callbacks)

    sms_thread.refresh_from_db()
    assert sms_thread.unread_count == 1 and push_service.pushes == []
