"""Thin Celery tasks named after the service they run. Each is safe to run twice."""

from celery import shared_task

from catalog.background import BeatJob

from .services import webhooks


@shared_task(acks_late=True)
def webhook_delivery_send(delivery_id: int) -> str | None:
    # The claim is a guarded update (pending -> sending): a second copy finds nothing to do.
    return webhooks.webhook_delivery_send(delivery_id=delivery_id)


@shared_task(base=BeatJob)
def webhook_deliveries_retry_due() -> int:
    """Beat, every minute: deliveries whose backoff has passed are queued again."""
    return webhooks.webhook_deliveries_retry_due()
