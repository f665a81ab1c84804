"""Provider webhooks, one way: verify, record once by the provider's event id, answer, act in a task.

What a provider sends (its signature, its field names) is read by the provider itself
(conversations.providers); this module only knows the interface.
"""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.db import insert_once

from .models import WebhookEvent
from .providers import provider_by_name

logger = logging.getLogger(__name__)


def webhook_record(request, *, provider_name: str, kind: str) -> HttpResponse:
    from .services import webhook_events_drain_soon

    provider = provider_by_name(provider_name)
    if not provider.signature_valid(request):
        logger.warning("%s webhook %s with a missing or invalid signature", provider_name, request.path)
        return HttpResponseForbidden()
    try:
        fields = provider.webhook_fields(request)
    except ValueError:
        return HttpResponseBadRequest("The body is not a JSON object.", content_type="text/plain")
    event_id = provider.event_id(kind, fields)
    body, content_type = provider.webhook_response
    if not event_id:
        logger.info("%s %s webhook without a message id: ignored", provider_name, kind)
        return HttpResponse(body, content_type=content_type)
    event_pk = insert_once(WebhookEvent, unique=("provider", "event_id"), provider=provider.name,
                           event_id=event_id[:WebhookEvent._meta.get_field("event_id").max_length],
                           kind=kind, payload=fields, received_at=timezone.now())
    if event_pk is not None:
        # robust: a broker hiccup is logged, not a 500 (the provider would retry a replay
        # that queues nothing); the reconcile sweep drains events left unprocessed. The
        # kind picks the queue: inbound messages never wait behind delivery reports.
        transaction.on_commit(lambda: webhook_events_drain_soon(kind=kind), robust=True)
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
