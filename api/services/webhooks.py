"""Outbound webhooks: an event becomes one delivery per subscribed endpoint, sent by a task.

Signed like Stripe's: ``X-Atelier-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``
with ``X-Atelier-Timestamp: <unix seconds>``. A delivery is claimed with a guarded update
(pending -> sending), posted outside any transaction, then marked delivered, retried later
with the background retry policy's backoff, or failed after API_WEBHOOK_MAX_ATTEMPTS.
"""

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from catalog.background import retry_delay

logger = logging.getLogger(__name__)

__all__ = ["signature_for", "webhook_deliveries_retry_due", "webhook_delivery_send",
           "webhook_endpoint_create", "webhook_event_emit", "webhook_secret_rotate", "webhook_test_send"]

SIGNATURE_HEADER = "X-Atelier-Signature"
TIMESTAMP_HEADER = "X-Atelier-Timestamp"
STALE_SENDING = timedelta(minutes=10)  # a worker killed mid-send leaves its claim this long


def _tasks():
    from api import tasks  # tasks import services: imported late

    return tasks


def signature_for(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def webhook_endpoint_create(*, legal_entity, name: str, url: str, events: list[str],
                            active: bool = True) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret (stored encrypted, returned this once)."""
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint = WebhookEndpoint.objects.create(legal_entity=legal_entity, name=name, url=url,
                                              events=sorted(set(events)), secret=secret, active=active)
    return endpoint, secret


def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> str:
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint.secret = secret
    endpoint.save(update_fields=["secret"])
    return secret


def webhook_event_emit(*, legal_entity_id: int, event: str, data: dict) -> int:
    """One pending delivery per active endpoint of the legal entity that wants `event`,
    each sent after the caller's transaction commits. Returns how many."""
    endpoints = [endpoint for endpoint in
                 WebhookEndpoint.objects.filter(legal_entity_id=legal_entity_id, active=True)
                 .only("pk", "events") if event in (endpoint.events or [])]
    if not endpoints:
        return 0
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint_id=endpoint.pk, event=event, payload=payload, next_attempt_at=now)
        for endpoint in endpoints])
    ids = [delivery.pk for delivery in deliveries if delivery.pk]
    if not ids:  # a backend that returns no ids from bulk_create
        ids = list(WebhookDelivery.objects.filter(endpoint_id__in=[e.pk for e in endpoints], event=event,
                                                  created_at=now).values_list("pk", flat=True))
    for delivery_id in ids:
        _tasks().webhook_delivery_send.delay_on_commit(delivery_id)
    return len(ids)


def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=WebhookEvent.TEST, next_attempt_at=timezone.now(),
        payload={"message": "This is a test delivery from Atelier.", "endpoint": endpoint.pk})
    _tasks().webhook_delivery_send.delay_on_commit(delivery.pk)
    return delivery


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps({"id": str(delivery.event_id), "event": delivery.event,
                       "created_at": delivery.created_at.isoformat(), "data": delivery.payload},
                      separators=(",", ":"), sort_keys=True).encode()


def webhook_delivery_send(*, delivery_id: int, now=None) -> str | None:
    """Post one due delivery; the outcome ("delivered", "pending" to retry, "failed"), or None
    when another worker holds it, it is not due, or it is already done."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id, status=WebhookDelivery.Status.PENDING,
    ).update(status=WebhookDelivery.Status.SENDING, last_attempt_at=now)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = _body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json", "User-Agent": "Atelier-Webhooks/1",
        "X-Atelier-Event": delivery.event, "X-Atelier-Delivery": str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_for(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    status_code, error, retry_after = None, "", None
    if not endpoint.active:
        error = "endpoint disabled"
    else:
        try:
            response = requests.post(endpoint.url, data=body, headers=headers,
                                     timeout=settings.API_WEBHOOK_TIMEOUT, allow_redirects=False)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"))
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    attempts = delivery.attempts + 1
    done = timezone.now()
    if status_code is not None and 200 <= status_code < 300:
        outcome = WebhookDelivery.Status.DELIVERED
        fields = {"delivered_at": done, "next_attempt_at": None}
    elif attempts >= settings.API_WEBHOOK_MAX_ATTEMPTS or not endpoint.active:
        outcome = WebhookDelivery.Status.FAILED
        fields = {"next_attempt_at": None}
    else:
        outcome = WebhookDelivery.Status.PENDING
        fields = {"next_attempt_at": done + timedelta(seconds=retry_delay(attempts - 1, retry_after))}
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.SENDING).update(
        status=outcome, attempts=attempts, response_status=status_code, last_error=error[:500], **fields)
    if outcome != WebhookDelivery.Status.DELIVERED:
        logger.warning("webhook delivery %s to endpoint %s: %s (%s)", delivery_id, endpoint.pk, error,
                       outcome)
    return outcome


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return min(seconds, float(settings.TASK_RETRY_MAX_SECONDS)) if seconds and seconds > 0 else None


def webhook_deliveries_retry_due(*, now=None, limit: int = 1000) -> int:
    """Beat, every minute: queue the deliveries whose retry is due (and free stale claims)."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING,
                                   last_attempt_at__lt=now - STALE_SENDING).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now)
    ids = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                              next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    with transaction.atomic():
        for delivery_id in ids:
            _tasks().webhook_delivery_send.delay_on_commit(delivery_id)
    return len(ids)
