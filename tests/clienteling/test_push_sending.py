"""Sending Web Push with the real pywebpush to a loopback push service (tests/fakes/push_fake.py):
VAPID-signed, encrypted for the device, in the recipient's language; a device the push
service no longer knows is forgotten, a busy one is tried again."""

import pytest
from django.utils.translation import get_language

from clienteling.models import PushSubscription, StaffProfile
from clienteling.registry import PushKind, PushNotice, push_kinds
from clienteling.services import push
from clienteling.tasks import push_send
from tests.fakes.push_fake import FakePushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with FakePushService() as fake:
        yield fake


@pytest.fixture
def greeting():
    """A kind of notification of the test's own: object ids are user ids, told in their language."""
    kind = PushKind("test_greeting", "Greeting", lambda ids: [
        PushNotice((user_id,), lambda user_id=user_id: {"title": f"Hello {user_id}", "body": get_language(),
                                                        "url": "/", "tag": f"greeting-{user_id}"})
        for user_id in ids])
    push_kinds.register(kind)
    yield kind.key
    push_kinds._items.pop(kind.key)


def test_a_notification_is_vapid_signed_and_encrypted_for_the_device(push_service, associate_a, greeting,
                                                                    settings):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))

    outcome = push.push_send(kind=greeting, object_ids=[associate_a.pk])

    assert (outcome.sent, outcome.gone, outcome.retry) == (1, 0, [])
    [sent] = push_service.to("phone")
    assert sent.status == 201 and sent.headers["content-encoding"] == "aes128gcm"
    assert sent.headers["ttl"] == str(settings.PUSH_TTL_SECONDS) and sent.headers["urgency"] == "high"
    assert b"Hello" not in sent.body  # encrypted: only the device's key opens it
    assert push_service.decrypt(sent) == {"title": f"Hello {associate_a.pk}", "body": "en", "url": "/",
                                          "tag": f"greeting-{associate_a.pk}"}
    claims, key = push_service.vapid(sent)
    assert key == settings.PUSH_VAPID_PUBLIC_KEY
    assert claims["aud"] == push_service.base_url and claims["sub"] == settings.PUSH_VAPID_SUBJECT
    assert PushSubscription.objects.get().last_sent_at is not None


def test_every_device_of_the_person_gets_it_in_their_own_language(push_service, associate_a, manager,
                                                                  greeting):
    StaffProfile.objects.filter(user=associate_a).update(language="fr")
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    push.push_subscribe(user=associate_a, **push_service.subscription("laptop"))
    push.push_subscribe(user=manager, **push_service.subscription("managers-phone"))

    assert push.push_send(kind=greeting, object_ids=[associate_a.pk]).sent == 2

    assert [push_service.decrypt(p)["body"] for p in push_service.pushes] == ["fr", "fr"]
    assert push_service.to("managers-phone") == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_no_longer_knows_is_forgotten(push_service, associate_a, greeting, status):
    push.push_subscribe(user=associate_a, **push_service.subscription("old-phone"))
    kept = push.push_subscribe(user=associate_a, **push_service.subscription("new-phone"))
    push_service.answer("old-phone", status)

    outcome = push.push_send(kind=greeting, object_ids=[associate_a.pk])

    assert (outcome.sent, outcome.gone) == (1, 1)
    assert [p.status for p in push_service.to("old-phone")] == [status]
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_busy_push_service_is_tried_again_for_that_device_only(push_service, associate_a, greeting):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    busy = push.push_subscribe(user=associate_a, **push_service.subscription("tablet"))
    push_service.answer("tablet", 429, retry_after=30)

    outcome = push.push_send(kind=greeting, object_ids=[associate_a.pk])

    assert (outcome.sent, outcome.retry, outcome.retry_after) == (1, [busy.pk], 30.0)
    assert PushSubscription.objects.count() == 2  # kept for the retry

    again = push.push_send(kind=greeting, object_ids=[associate_a.pk], subscription_ids=outcome.retry)

    assert again.sent == 1 and [p.status for p in push_service.to("tablet")] == [429, 201]
    assert len(push_service.to("phone")) == 1  # the retry went to the busy device alone


def test_an_unreachable_push_service_is_a_retry_not_an_error(push_service, associate_a, greeting, settings):
    settings.PUSH_HTTP_TIMEOUT = 0.5
    dead = push_service.subscription("phone")
    dead["endpoint"] = "http://127.0.0.1:9/push/phone"  # the discard port: nothing listens
    saved = push.push_subscribe(user=associate_a, **dead)

    assert push.push_send(kind=greeting, object_ids=[associate_a.pk]).retry == [saved.pk]
    assert PushSubscription.objects.filter(pk=saved.pk).exists()


def test_a_refused_push_is_neither_retried_nor_forgotten(push_service, associate_a, greeting):
    saved = push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    push_service.answer("phone", 403)  # the server's key changed since the browser subscribed

    outcome = push.push_send(kind=greeting, object_ids=[associate_a.pk])

    assert (outcome.sent, outcome.gone, outcome.retry) == (0, 0, [])
    assert PushSubscription.objects.filter(pk=saved.pk).exists()


def test_the_task_sends_after_the_callers_commit(push_service, associate_a, greeting,
                                                 django_capture_on_commit_callbacks):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push.push_notify(kind=greeting, object_ids=[associate_a.pk, associate_a.pk, None])
    assert len(callbacks) == 1 and push_service.pushes == []  # nothing before the commit

    callbacks[0]()
    assert len(push_service.to("phone")) == 1


def test_nothing_is_queued_without_keys_or_for_an_unknown_kind(push_service, associate_a, greeting, settings,
                                                               django_capture_on_commit_callbacks):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        push.push_notify(kind="no_such_kind", object_ids=[associate_a.pk])
        push.push_notify(kind=greeting, object_ids=[])
        settings.PUSH_VAPID_PRIVATE_KEY = ""
        push.push_notify(kind=greeting, object_ids=[associate_a.pk])
    assert callbacks == [] and push_service.pushes == []
    assert push_send.apply(args=(greeting, [associate_a.pk])).result == 0


def test_an_inactive_user_gets_nothing(push_service, associate_a, greeting):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    associate_a.is_active = False
    associate_a.save()

    assert push.push_send(kind=greeting, object_ids=[associate_a.pk]).sent == 0
    assert push_service.pushes == []


@pytest.mark.parametrize("devices", [1, 6])
def test_sending_reads_the_same_few_rows_for_any_number_of_devices(push_service, associate_a, greeting,
                                                                  django_assert_num_queries, devices):
    for n in range(devices):
        push.push_subscribe(user=associate_a, **push_service.subscription(f"device-{n}"))

    # the subscriptions, their owners' languages, one update of last_sent_at
    with django_assert_num_queries(3):
        assert push.push_send(kind=greeting, object_ids=[associate_a.pk]).sent == devices
