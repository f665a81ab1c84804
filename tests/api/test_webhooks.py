"""Outbound webhooks over real HTTP (a loopback server): signing, retries with backoff, the log,
the events the lower apps send, and the admin's secret-once and send-test."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api import tasks
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from api.services.webhooks import (
    webhook_delivery_send,
    webhook_endpoint_create,
    webhook_event_emit,
    webhook_test_send,
)
from clienteling.services.contact_history import customer_consent_set
from tests.carts.conftest import conversation, demo_account, shop, two_coats_cart  # noqa: F401
from tests.conversations.conftest import fake_twilio, messaging, twilio  # noqa: F401
from tests.fakes.loopback import LoopbackFake

pytestmark = pytest.mark.django_db


class Receiver(LoopbackFake):
    """An integrator's endpoint: records each request, answers the next queued status (200 after)."""

    def __init__(self, statuses=()):
        super().__init__()
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def _handle(self, handler, method):
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self.lock:
            self.requests.append({"headers": dict(handler.headers.items()), "body": body})
            status = self.statuses.pop(0) if self.statuses else 200
        handler.send_response(status)
        if status == 429:
            handler.send_header("Retry-After", "7")
        handler.send_header("Content-Length", "0")
        handler.end_headers()


@pytest.fixture
def receiver():
    fake = Receiver()
    with fake:
        yield fake


@pytest.fixture
def endpoint(org, receiver):
    endpoint, secret = webhook_endpoint_create(
        legal_entity=org["entity"], name="CRM", url=f"{receiver.base_url}/hooks",
        events=[e for e in WebhookEvent.values if e != WebhookEvent.TEST])
    endpoint.plain_secret = secret
    return endpoint


def verify(request, secret) -> dict:
    """What an integrator does (docs/api.md): recompute the HMAC over "<timestamp>.<body>"."""
    timestamp = request["headers"]["X-Atelier-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"],
                                hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, request["headers"]["X-Atelier-Signature"])
    return json.loads(request["body"])


def test_the_secret_is_encrypted_at_rest(endpoint):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert endpoint.plain_secret.startswith("whsec_") and endpoint.plain_secret not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.plain_secret


def test_a_delivery_is_signed_and_logged(endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_event_emit(legal_entity_id=endpoint.legal_entity_id, event="cart.paid",
                                  data={"cart_id": 5, "total": "10.00"}) == 1
    [request] = receiver.requests
    payload = verify(request, endpoint.plain_secret)
    assert payload["event"] == "cart.paid" and payload["data"] == {"cart_id": 5, "total": "10.00"}
    assert request["headers"]["X-Atelier-Event"] == "cart.paid"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.response_status == 200
    assert str(delivery.event_id) == payload["id"] == request["headers"]["X-Atelier-Delivery"]


def test_a_tampered_body_fails_verification(endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(endpoint=endpoint)
    request = dict(receiver.requests[0], body=receiver.requests[0]["body"].replace(b"test", b"tost"))
    with pytest.raises(AssertionError):
        verify(request, endpoint.plain_secret)


def test_failures_retry_with_backoff_then_deliver(endpoint, receiver, settings):
    settings.TASK_RETRY_BASE_SECONDS = 5
    receiver.statuses = [500, 429]
    delivery = webhook_test_send(endpoint=endpoint)
    assert webhook_delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    first_wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert delivery.attempts == 1 and delivery.response_status == 500 and first_wait >= 5
    assert webhook_delivery_send(delivery_id=delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhook_delivery_send(delivery_id=delivery.pk, now=later) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 429"
    assert 6 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 8  # Retry-After: 7
    assert webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "delivered"
    assert len(receiver.requests) == 3
    assert webhook_delivery_send(delivery_id=delivery.pk, now=later + timedelta(days=1)) is None


def test_gives_up_after_the_last_attempt(endpoint, receiver, settings):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [503, 503, 503]
    delivery = webhook_test_send(endpoint=endpoint)
    webhook_delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2 and delivery.next_attempt_at is None


def test_unreachable_endpoint_is_retried(org):
    endpoint, _secret = webhook_endpoint_create(legal_entity=org["entity"], name="Down",
                                                url="http://127.0.0.1:9/hooks", events=["cart.paid"])
    delivery = webhook_test_send(endpoint=endpoint)
    assert webhook_delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.response_status is None and "ConnectionError" in delivery.last_error


def test_the_beat_job_queues_due_deliveries_and_frees_stale_claims(endpoint, receiver,
                                                                     django_capture_on_commit_callbacks):
    due = webhook_test_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=due.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    stale = webhook_test_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=stale.pk).update(
        status="sending", last_attempt_at=timezone.now() - timedelta(hours=1))
    later = webhook_test_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.webhook_deliveries_retry_due() == 2
    assert set(WebhookDelivery.objects.filter(status="delivered").values_list("pk", flat=True)) == {
        due.pk, stale.pk}
    assert WebhookDelivery.objects.get(pk=later.pk).status == "pending"


def test_consent_change_reaches_only_subscribed_endpoints_of_the_entity(
        org, customer_a, endpoint, receiver, django_capture_on_commit_callbacks):
    webhook_endpoint_create(legal_entity=org["other_entity"], name="FR", url=endpoint.url,
                            events=["customer.opted_out"])
    webhook_endpoint_create(legal_entity=org["entity"], name="Carts only", url=endpoint.url,
                            events=["cart.paid"])
    with django_capture_on_commit_callbacks(execute=True):
        customer_consent_set(customer=customer_a, channel="sms", state="opted_out", source="keyword")
    [request] = receiver.requests
    payload = verify(request, endpoint.plain_secret)
    assert payload["event"] == "customer.opted_out"
    assert payload["data"]["customer_id"] == customer_a.pk and payload["data"]["channel"] == "sms"


def test_a_failing_webhook_never_breaks_the_senders_write(org, customer_a, endpoint, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from api import registrations

    monkeypatch.setattr(registrations, "webhook_event_emit", lambda **kw: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        customer_consent_set(customer=customer_a, channel="sms", state="opted_in", source="keyword")
    assert customer_a.consents.get(channel="sms").state == "opted_in"


def test_cart_shared_and_paid_events(endpoint, receiver, client, two_coats_cart, associate_a,  # noqa: F811
                                     demo_account, django_capture_on_commit_callbacks):  # noqa: F811
    from carts import services as cart_services
    from carts.models import PaymentLink

    with django_capture_on_commit_callbacks(execute=True):
        cart_services.cart_share(cart=two_coats_cart, user=associate_a)
    link = PaymentLink.objects.get(cart=two_coats_cart)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:demo_pay", args=[link.idempotency_key]), {"outcome": "pay"})
    payloads = {p["event"]: p for p in (verify(r, endpoint.plain_secret) for r in receiver.requests)}
    assert payloads["cart.shared"]["data"]["cart_id"] == two_coats_cart.pk
    paid = payloads["cart.paid"]["data"]
    assert paid["sale"]["external_id"] == f"RC-{two_coats_cart.pk}" and len(paid["sale"]["lines"]) == 3


def test_inbound_message_event(org, customer_a, endpoint, receiver, messaging, twilio,  # noqa: F811
                               django_capture_on_commit_callbacks):
    from conversations import services as conversation_services
    from tests.conversations.conftest import STORE_A_SMS

    customer_a.phone = "+12125550199"
    customer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        conversation_services.inbound_receive(
            store=org["store_a"], from_number="+12125550199", to_number=STORE_A_SMS, channel="sms",
            body="Is the coat in?", received_at=timezone.now(), provider_sid="SM" + "7" * 32, media_urls=[])
    [payload] = [json.loads(r["body"]) for r in receiver.requests]
    assert payload["event"] == "message.received" and payload["data"]["body"] == "Is the coat in?"


def test_admin_shows_the_secret_once_and_sends_a_test(admin_client_staff, org, receiver,
                                                      django_capture_on_commit_callbacks):
    client = admin_client_staff
    response = client.post(reverse("admin:api_webhookendpoint_add"), {
        "name": "ERP", "legal_entity": org["entity"].pk, "url": f"{receiver.base_url}/erp",
        "events": ["cart.paid"], "active": "on"}, follow=True)
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(name="ERP")
    assert endpoint.secret in response.content.decode()
    page = client.get(reverse("admin:api_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page and "Send test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:api_webhookendpoint_test", args=[endpoint.pk]))
    assert response.status_code == 302
    assert json.loads(receiver.requests[0]["body"])["event"] == "webhook.test"
    log = client.get(reverse("admin:api_webhookdelivery_changelist")).content.decode()
    assert "webhook.test" in log or "Test" in log


def test_integrators_read_their_delivery_log(api, endpoint, org, make_key):
    webhook_test_send(endpoint=endpoint)
    other, _secret = webhook_endpoint_create(legal_entity=org["other_entity"], name="FR",
                                             url=endpoint.url, events=["cart.paid"])
    webhook_test_send(endpoint=other)
    body = api.get("/api/v1/webhooks/deliveries/").json()
    assert [(row["endpoint_id"], row["status"]) for row in body["results"]] == [(endpoint.pk, "pending")]
    assert api.get("/api/v1/webhooks/deliveries/", {"status": "delivered"}).json()["results"] == []
    assert api.get("/api/v1/webhooks/deliveries/", {"status": "lost"}).status_code == 400


def test_consent_imported_in_bulk_reaches_the_endpoints_too(org, endpoint, receiver,
                                                             django_capture_on_commit_callbacks):
    """A file import or the bulk API writes consent without post_save; its opt-ins and opt-outs
    still go out, one delivery each, after the commit."""
    from clienteling.services.ingest import customers_upsert

    records = [{"external_id": "IMP-1", "first_name": "Ines", "last_name": "Import",
                "consent": {"email": "opted_in", "sms": "opted_out"}},
               {"external_id": "IMP-2", "first_name": "Ivo", "last_name": "Import",
                "consent": {"email": "unknown"}}]
    with django_capture_on_commit_callbacks(execute=True):
        result = customers_upsert(legal_entity=org["entity"], records=records, source="import test.csv")
    assert result.created == 2 and not result.rejected
    payloads = [verify(r, endpoint.plain_secret) for r in receiver.requests]
    events = sorted((payload["event"], payload["data"]["channel"]) for payload in payloads)
    assert events == [("customer.opted_in", "email"), ("customer.opted_out", "sms")]
    data = verify(receiver.requests[0], endpoint.plain_secret)["data"]
    assert data["customer_external_id"] == "IMP-1"
