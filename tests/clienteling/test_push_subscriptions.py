"""Switching push notifications on and off per device: the views the console's static JS
calls, their refusals (400, never 500), and whose subscription each one may touch."""

import pytest
from django.urls import reverse

from clienteling.models import PushSubscription
from clienteling.services import push
from tests.fakes.push_fake import FakePushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def push_service():
    with FakePushService() as fake:
        yield fake


@pytest.fixture
def signed_in(client, associate_a):
    client.force_login(associate_a)
    return client


def test_a_staff_member_switches_this_device_on_and_off(signed_in, associate_a, push_service):
    device = push_service.subscription("phone")

    response = signed_in.post(reverse("pwa:subscribe"), device, HTTP_USER_AGENT="Mozilla/5.0 (Android)")

    assert response.status_code == 201 and "on for this device" in response.json()["message"]
    saved = PushSubscription.objects.get()
    assert (saved.user, saved.endpoint, saved.p256dh, saved.auth) == (
        associate_a, device["endpoint"], device["p256dh"], device["auth"])
    assert saved.user_agent == "Mozilla/5.0 (Android)"
    state = signed_in.get(reverse("pwa:vapid_key"), {"endpoint": device["endpoint"]}).json()
    assert state == {"publicKey": push.settings.PUSH_VAPID_PUBLIC_KEY, "subscribed": True}

    response = signed_in.post(reverse("pwa:unsubscribe"), {"endpoint": device["endpoint"]})

    assert response.status_code == 200 and not PushSubscription.objects.exists()
    state = signed_in.get(reverse("pwa:vapid_key"), {"endpoint": device["endpoint"]}).json()
    assert state["subscribed"] is False


def test_subscribing_twice_keeps_one_row_and_a_shared_browser_belongs_to_its_last_person(
        client, associate_a, manager, push_service):
    device = push_service.subscription("shared-tablet")
    client.force_login(associate_a)
    client.post(reverse("pwa:subscribe"), device)
    client.post(reverse("pwa:subscribe"), device)
    assert PushSubscription.objects.get().user == associate_a

    client.force_login(manager)
    assert client.post(reverse("pwa:subscribe"), device).status_code == 201

    assert list(PushSubscription.objects.values_list("user", flat=True)) == [manager.pk]


def test_nobody_unsubscribes_someone_elses_device(client, associate_a, manager, push_service):
    device = push_service.subscription("managers-phone")
    push.push_subscribe(user=manager, **device)
    client.force_login(associate_a)

    assert client.post(reverse("pwa:unsubscribe"), {"endpoint": device["endpoint"]}).status_code == 200

    assert PushSubscription.objects.get().user == manager
    state = client.get(reverse("pwa:vapid_key"), {"endpoint": device["endpoint"]}).json()
    assert state["subscribed"] is False


@pytest.mark.parametrize("change, error", [
    ({"endpoint": ""}, "Push address"),
    ({"endpoint": "ftp://push.example.com/x"}, "push address Atelier cannot use"),
    ({"endpoint": "https:///no-host"}, "push address Atelier cannot use"),
    ({"endpoint": "https://push.example.com/" + "x" * 1000}, "Push address"),
    ({"p256dh": "not-a-key"}, "push keys Atelier cannot use"),
    ({"p256dh": ""}, "Public key"),
    ({"auth": "AAAA"}, "push keys Atelier cannot use"),
    ({"auth": "%%%%"}, "push keys Atelier cannot use"),
])
def test_a_malformed_subscription_is_refused_with_a_reason(signed_in, push_service, change, error):
    device = {**push_service.subscription("phone"), **change}

    response = signed_in.post(reverse("pwa:subscribe"), device)

    assert response.status_code == 400 and error in response.content.decode()
    assert not PushSubscription.objects.exists()


def test_production_takes_only_https_push_services(signed_in, push_service, settings):
    settings.PROVIDER_TEST_DOUBLES = False
    device = push_service.subscription("phone")  # http://127.0.0.1:…

    assert signed_in.post(reverse("pwa:subscribe"), device).status_code == 400

    secure = {**device, "endpoint": "https://fcm.googleapis.com/fcm/send/abc:def"}
    assert signed_in.post(reverse("pwa:subscribe"), secure).status_code == 201


def test_unsubscribe_needs_an_endpoint(signed_in):
    response = signed_in.post(reverse("pwa:unsubscribe"), {})
    assert response.status_code == 400 and "Push address" in response.content.decode()


def test_without_vapid_keys_push_is_off_and_says_so(signed_in, push_service, settings):
    settings.PUSH_VAPID_PRIVATE_KEY = settings.PUSH_VAPID_PUBLIC_KEY = ""

    page = signed_in.get(reverse("pwa:notifications")).content.decode()

    assert "Notifications are not set up on this server." in page and "data-push-panel" not in page
    assert signed_in.get(reverse("pwa:vapid_key")).json() == {"publicKey": "", "subscribed": False}
    response = signed_in.post(reverse("pwa:subscribe"), push_service.subscription("phone"))
    assert response.status_code == 400 and not PushSubscription.objects.exists()


def test_the_notifications_page_offers_the_button_and_counts_my_devices(
        signed_in, associate_a, manager, push_service, django_assert_num_queries):
    push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
    push.push_subscribe(user=associate_a, **push_service.subscription("laptop"))
    push.push_subscribe(user=manager, **push_service.subscription("managers-phone"))

    # session, user, staff profile (the gate), its store (the middleware's timezone), count of my
    # devices, then the page's navigation: module settings, rights (user's and groups'), and the
    # session saved by the middleware (savepoint, update, release)
    with django_assert_num_queries(11):
        response = signed_in.get(reverse("pwa:notifications"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Notify me on this device" in page and "Notifications are on for 2 devices." in page
    assert f'data-public-key="{push.settings.PUSH_VAPID_PUBLIC_KEY}"' in page
    assert 'data-subscribe-url="/account/notifications/subscribe/"' in page


def test_a_signed_in_user_without_a_staff_profile_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("outsider", password="pass-word-123")
    client.force_login(user)

    assert client.get(reverse("pwa:notifications")).status_code == 403
    assert client.post(reverse("pwa:subscribe"), {}).status_code == 403
