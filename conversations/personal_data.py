"""What conversations hold about a customer, for data requests (export and erasure)."""

from django.core.files.storage import default_storage
from django.db.models import Q

from .models import Conversation, Message, WebhookEvent
from .services.retention import messages_redact, stored_media_name
from .services.sending import MEDIA_FOLDER

REDACTED = {"redacted": True}


def _messages(customer):
    return (Message.objects.filter(conversation__customer=customer)
            .select_related("conversation__store").order_by("created_at", "pk"))


def export(customer) -> list[dict]:
    return [{
        "conversation": message.conversation_id, "channel": message.conversation.channel,
        "store": message.conversation.store.name, "direction": message.direction, "kind": message.kind,
        "created_at": str(message.created_at), "status": message.status, "subject": message.subject,
        "body": message.body, "media": " ".join(message.media_urls or []),
        "sent_by": message.sent_by_id or "", "provider_id": message.provider_sid or "",
    } for message in _messages(customer)]


def files(customer) -> list[tuple[str, bytes]]:
    found = []
    for message in _messages(customer).exclude(media_urls=[]):
        for url in message.media_urls or []:
            name = stored_media_name(url)
            path = f"{MEDIA_FOLDER}/{name}" if name else None
            if path and default_storage.exists(path):
                with default_storage.open(path, "rb") as handle:
                    found.append((name, handle.read()))
    return found


def erase(customer) -> list[str]:
    """Blank every message's words and images, and the raw webhooks that carried them."""
    follow_ups, sids = [], []
    mine = Message.objects.filter(conversation__customer=customer)
    for sid, media in mine.exclude(provider_sid=None).values_list("provider_sid", "media_urls"):
        sids.append(sid)
        follow_ups.append(f"Twilio message {sid}" + (" (with media)" if media else ""))
    messages_redact(messages=mine)
    Conversation.objects.filter(customer=customer).update(last_message_preview="")
    number = str(customer.phone) if customer.phone else ""
    webhooks = Q(payload__MessageSid__in=sids) | Q(payload__SmsSid__in=sids)
    if number:
        webhooks |= Q(payload__From__in=[number, f"whatsapp:{number}"]) | Q(
            payload__To__in=[number, f"whatsapp:{number}"])
    WebhookEvent.objects.filter(webhooks).update(payload=REDACTED)
    return follow_ups
