"""Recorded provider webhooks, acted on in a task; inbound images fetched for display.

Each event is read by the provider that sent it (an InboundMessage or a DeliveryReport):
nothing here knows a provider's field names.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from clienteling.models import Channel

from ..models import Conversation, Message, WebhookEvent
from ..providers import InboundMessage, get_provider, provider_by_name
from .dispatch import message_status_update
from .inbound import inbound_receive, store_for_number

logger = logging.getLogger(__name__)


def webhook_event_process(*, event_id: int) -> bool:
    """Act on one recorded webhook; a processed event is a no-op."""
    event = WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).first()
    if event is None:
        return False
    provider = provider_by_name(event.provider)
    payload = event.payload or {}
    if event.kind == "inbound":
        inbound = provider.parse_inbound(payload)
        if inbound is not None:
            _receive(inbound, received_at=event.received_at)
    elif event.kind == "status":
        report = provider.parse_delivery_report(payload)
        if report is None or not message_status_update(report=report, provider=provider.label):
            logger.info("%s status event %s changed nothing", event.provider, event.event_id)
    WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).update(processed_at=timezone.now())
    return True


def webhook_events_requeue_stale(*, now: datetime | None = None, older_than: int = 120,
                                 limit: int = 1000) -> int:
    """Queue again the recorded events no task processed (a lost publish, a dead worker)."""
    from ..tasks import webhook_event_process as process

    cutoff = (now or timezone.now()) - timedelta(seconds=older_than)
    events = list(WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
                  .order_by("pk").values_list("pk", "kind")[:limit])
    for event_id, kind in events:
        transaction.on_commit(lambda event_id=event_id, kind=kind: process.delay(event_id, kind=kind))
    return len(events)


def _receive(inbound: InboundMessage, *, received_at: datetime) -> Message | None:
    store = store_for_number(inbound.to_number, inbound.channel)
    if store is None and inbound.channel == Channel.WHATSAPP:
        # A shared WhatsApp sender: the store the customer last wrote to.
        last = (Conversation.objects.filter(customer__phone=inbound.from_number, channel=inbound.channel)
                .order_by("-last_message_at").select_related("store").first())
        store = last.store if last else None
    if store is None:
        logger.warning("inbound message %s to %s matches no store", inbound.provider_sid, inbound.to_number)
        return None
    return inbound_receive(store=store, from_number=inbound.from_number, to_number=inbound.to_number,
                           channel=inbound.channel, body=inbound.body, media_urls=list(inbound.media_urls),
                           provider_sid=inbound.provider_sid, received_at=received_at,
                           profile_name=inbound.profile_name)


def media_fetch(*, conversation: Conversation, url: str) -> tuple[str, bytes]:
    """An image the customer sent, fetched from the provider with its credentials (for display)."""
    return get_provider(conversation.channel).media_fetch(url=url)
