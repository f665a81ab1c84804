"""Provider webhooks, one way: verify, record once by the provider's event id, answer, act in a task.

What a provider sends (its signature, its field names) is read by the provider itself
(conversations.providers); this module only knows the interface.
"""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from catalog.db import insert_once

from .models import WebhookEvent
from .providers import provider_by_name

logger = logging.getLogger(__name__)


def webhook_record(request, *, provider_name: str, kind: str) -> HttpResponse:
    """One event per request (Twilio): its kind is the URL's."""
    provider = provider_by_name(provider_name)
    fields_or_refusal = _verified_fields(request, provider, provider_name)
    if isinstance(fields_or_refusal, HttpResponse):
        return fields_or_refusal
    return _record(provider, [(kind, provider.event_id(kind, fields_or_refusal), fields_or_refusal)])


def _verified_fields(request, provider, provider_name: str) -> dict | HttpResponse:
    """The webhook's fields, or the answer to a bad signature (403) or an unreadable body (400)."""
    if not provider.signature_valid(request):
        logger.warning("%s webhook %s with a missing or invalid signature", provider_name, request.path)
        return HttpResponseForbidden()
    try:
        return provider.webhook_fields(request)
    except ValueError:
        return HttpResponseBadRequest("The body is not a JSON object.", content_type="text/plain")


def _record(provider, events: list[tuple[str, str, dict]]) -> HttpResponse:
    """Record each (kind, event id, fields) once, then ask for one drain per kind recorded."""
    from .services import webhook_events_drain_soon

    body, content_type = provider.webhook_response
    longest = WebhookEvent._meta.get_field("event_id").max_length
    recorded = set()
    for kind, event_id, fields in events:
        if not event_id:
            logger.info("%s %s webhook without a message id: ignored", provider.name, kind)
            continue
        event_pk = insert_once(WebhookEvent, unique=("provider", "event_id"), provider=provider.name,
                               event_id=event_id[:longest], kind=kind, payload=fields,
                               received_at=timezone.now())
        if event_pk is not None:
            recorded.add(kind)
    for kind in sorted(recorded):
        # robust: a broker hiccup is logged, not a 500 (the provider would retry a replay
        # that queues nothing); the reconcile sweep drains events left unprocessed. The
        # kind picks the queue: inbound messages never wait behind delivery reports.
        transaction.on_commit(lambda kind=kind: webhook_events_drain_soon(kind=kind), robust=True)
    return HttpResponse(body, content_type=content_type)


@csrf_exempt
@require_POST
def twilio_messages(request):
    """Inbound SMS/MMS/WhatsApp; one event per message."""
    return webhook_record(request, provider_name="twilio", kind="inbound")


@csrf_exempt
@require_POST
def twilio_status(request):
    """Delivery reports; one event per message and status."""
    return webhook_record(request, provider_name="twilio", kind="status")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_whatsapp(request):
    """Meta's WhatsApp Cloud API: the GET handshake, then messages and statuses in batches."""
    provider = provider_by_name("meta")
    if request.method == "GET":
        challenge = provider.verification_challenge(request)
        if challenge is None:
            logger.warning("Meta webhook handshake with a wrong verify token or no challenge")
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain")
    fields_or_refusal = _verified_fields(request, provider, "meta")
    if isinstance(fields_or_refusal, HttpResponse):
        return fields_or_refusal
    return _record(provider, provider.webhook_events(fields_or_refusal))
