"""Message words and images are kept for MESSAGING_RETENTION_DAYS, then removed (beat, daily).

The rows stay (who wrote when, delivery status) so threads, counts and reports still add
up; the text, the subject, the template values and the images go, and so do the raw
webhook payloads that carried them.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import Resolver404, resolve
from django.utils import timezone

from ..models import Conversation, Message, WebhookEvent
from .sending import MEDIA_FOLDER

CHUNK = 2000


def stored_media_name(url: str) -> str | None:
    """The file behind one of our own image links (sent to a customer), else None."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:  # the provider's address of an image the customer sent
        return None
    return match.kwargs.get("name") if match.url_name == "public_media" else None


def messages_redact(*, messages: QuerySet[Message], now: datetime | None = None) -> int:
    """Remove the words and images of these messages (their stored image files too)."""
    now = now or timezone.now()
    for urls in messages.exclude(media_urls=[]).values_list("media_urls", flat=True):
        for url in urls or []:
            name = stored_media_name(url)
            if name:
                default_storage.delete(f"{MEDIA_FOLDER}/{name}")
    return messages.update(body="", subject="", media_urls=[], template_variables={}, error_message="",
                           redacted_at=now)


def messages_redact_expired(*, now: datetime | None = None) -> int:
    """Beat: redact what passed the retention period, a chunk per transaction; idempotent."""
    days = settings.MESSAGING_RETENTION_DAYS
    if not days:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    done = 0
    while True:
        ids = list(Message.objects.filter(redacted_at__isnull=True, created_at__lt=cutoff)
                   .order_by("created_at").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        with transaction.atomic():
            done += messages_redact(messages=Message.objects.filter(pk__in=ids), now=now)
    Conversation.objects.filter(last_message_at__lt=cutoff).exclude(last_message_preview="").update(
        last_message_preview="")
    webhook_events_prune(now=now)
    return done


def webhook_events_prune(*, now: datetime | None = None) -> int:
    """Beat: delete processed webhooks past the replay window and any past the retention; idempotent.

    The window (MESSAGING_WEBHOOK_DEDUP_DAYS) is how long a provider's replay is still
    recognised by its event id; past it a replay is recorded again and changes nothing
    (inbound messages are unique by provider id, delivery states never move back).
    Unprocessed events are left to the drains until the retention removes their words.
    """
    now = now or timezone.now()
    retention = settings.MESSAGING_RETENTION_DAYS
    windows = [days for days in (settings.MESSAGING_WEBHOOK_DEDUP_DAYS, retention) if days]
    done = 0
    if windows:
        done += _delete_in_batches(WebhookEvent.objects.filter(
            processed_at__isnull=False, received_at__lt=now - timedelta(days=min(windows)))
            .order_by("received_at", "pk"))
    if retention:
        done += _delete_in_batches(WebhookEvent.objects.filter(
            processed_at__isnull=True, received_at__lt=now - timedelta(days=retention))
            .order_by("kind", "pk"))
    return done


def _delete_in_batches(events: QuerySet[WebhookEvent]) -> int:
    # Short statements: a drain or a webhook never waits behind one long delete.
    done = 0
    while ids := list(events.values_list("pk", flat=True)[:CHUNK]):
        done += WebhookEvent.objects.filter(pk__in=ids).delete()[0]
    return done
