"""Recorded Twilio callbacks, acted on in a task; the admin's test message."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.models import Channel

from ..models import Conversation, Message, WebhookEvent
from ..providers.addresses import strip_channel_prefix
from .dispatch import message_status_update
from .inbound import inbound_receive, store_for_number

logger = logging.getLogger(__name__)


def twilio_event_process(*, event_id: int) -> bool:
    """Act on one recorded Twilio callback; a processed event is a no-op."""
    event = WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).first()
    if event is None:
        return False
    payload = event.payload or {}
    if event.kind == "inbound":
        _twilio_inbound(payload, received_at=event.received_at)
    elif event.kind == "status":
        changed = message_status_update(
            provider_sid=payload.get("MessageSid") or payload.get("SmsSid") or "",
            status=payload.get("MessageStatus") or payload.get("SmsStatus") or "",
            error_code=payload.get("ErrorCode") or "", error_message=payload.get("ErrorMessage") or "",
            message_id=(payload.get("_query") or {}).get("mid"))
        if not changed:
            logger.info("twilio status event %s changed nothing", event.event_id)
    WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).update(processed_at=timezone.now())
    return True


def webhook_events_requeue_stale(*, now: datetime | None = None, older_than: int = 120,
                                 limit: int = 1000) -> int:
    """Queue again the recorded events no task processed (a lost publish, a dead worker)."""
    from ..tasks import process_twilio_event

    cutoff = (now or timezone.now()) - timedelta(seconds=older_than)
    ids = list(WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    for event_id in ids:
        transaction.on_commit(lambda event_id=event_id: process_twilio_event.delay(event_id))
    return len(ids)


def _twilio_inbound(payload: dict, *, received_at: datetime) -> Message | None:
    channel, from_number = strip_channel_prefix(payload.get("From", ""))
    _channel, to_number = strip_channel_prefix(payload.get("To", ""))
    store = store_for_number(to_number, channel)
    if store is None and channel == Channel.WHATSAPP:
        last = (Conversation.objects.filter(customer__phone=from_number, channel=channel)
                .order_by("-last_message_at").select_related("store").first())
        store = last.store if last else None
    if store is None:
        logger.warning("inbound message %s to %s matches no store", payload.get("MessageSid"), to_number)
        return None
    count = int(payload.get("NumMedia") or 0) if str(payload.get("NumMedia") or "0").isdigit() else 0
    media = [payload[f"MediaUrl{i}"] for i in range(count) if payload.get(f"MediaUrl{i}")]
    return inbound_receive(store=store, from_number=from_number, to_number=to_number, channel=channel,
                           body=payload.get("Body", ""), media_urls=media,
                           provider_sid=payload.get("MessageSid") or payload.get("SmsSid"),
                           received_at=received_at, profile_name=payload.get("ProfileName", ""))


def media_fetch(*, url: str) -> tuple[str, bytes]:
    """Inbound media, fetched with the Twilio account's credentials (for display)."""
    from ..providers.twilio import media_fetch as twilio_media_fetch

    return twilio_media_fetch(url=url)


def twilio_test_message_send(*, account, to: str, from_number: str, channel: str = Channel.SMS,
                             body: str = "") -> str:
    """The admin's "send test message": straight through the Twilio provider; returns the SID."""
    from ..providers.twilio import TwilioProvider

    body = body or _("Atelier test message: your Twilio account is set up.")
    params = {"to": to, "body": body}
    if channel == Channel.WHATSAPP:
        params.update(to=f"whatsapp:{to}", from_=f"whatsapp:{from_number}")
    elif account.messaging_service_sid and not from_number:
        params["messaging_service_sid"] = account.messaging_service_sid
    else:
        params["from_"] = from_number
    return TwilioProvider().send_raw(account=account, **params).provider_sid

