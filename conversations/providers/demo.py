"""The demo provider: records the send, reports it sent then delivered; the embedded default.

No network. The thread offers "simulate customer reply", which plays the
reply through the real inbound path (services.inbound_receive).
"""

import logging
import threading
import uuid
from dataclasses import dataclass

from django.utils import timezone

from clienteling.models import Channel

from .addresses import recipient_of
from .base import BaseProvider, DeliveryReport, SendResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoRecord:
    message_id: int
    provider_sid: str
    channel: str
    to: str
    body: str
    media_urls: tuple
    content_sid: str
    sent_at: object


# Like django.core.mail.outbox: what this process "sent", for the demo and tests.
outbox: list[DemoRecord] = []
_lock = threading.Lock()


class DemoProvider(BaseProvider):
    name = "demo"

    def template_reference(self, template) -> str:
        return template.content_sid  # as Twilio does, so the demo follows the same rules

    def send(self, message) -> SendResult:
        conversation = message.conversation
        to = recipient_of(message)
        record = DemoRecord(
            message_id=message.pk, provider_sid=f"DEMO{uuid.uuid4().hex}",
            channel=conversation.channel, to=to, body=message.body,
            media_urls=tuple(message.media_urls or ()), content_sid=message.content_sid,
            sent_at=timezone.now(),
        )
        with _lock:
            outbox.append(record)
        prefix = "whatsapp:" if conversation.channel == Channel.WHATSAPP else ""
        logger.info("demo provider: message %s to %s%s: %s", message.pk, prefix, to,
                    message.body[:80])
        return SendResult(provider_sid=record.provider_sid, status="sent")

    def lookup(self, message) -> SendResult | None:
        with _lock:
            found = [r for r in outbox if r.message_id == message.pk]
        return SendResult(found[-1].provider_sid, "sent") if found else None

    def after_sent(self, *, message_id: int, result: SendResult) -> None:
        from .. import services

        services.message_status_update(
            report=DeliveryReport(provider_sid=result.provider_sid, status="delivered"), provider=self.name)
