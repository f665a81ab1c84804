"""Thin Celery tasks: load by id, call the service. Every one is safe to run twice."""

from celery import shared_task

from . import services
from .payments import TransientError

RETRY = {"autoretry_for": (TransientError,), "retry_backoff": 5, "retry_backoff_max": 600,
         "retry_jitter": True, "max_retries": 8}


@shared_task(acks_late=True, **RETRY)
def create_payment_link(link_id: int) -> None:
    # The provider call carries the link's idempotency key: a retry never makes a second link.
    services.payment_link_create(link_id=link_id)


@shared_task(acks_late=True, **RETRY)
def expire_payment_link(link_id: int) -> None:
    services.payment_link_expire(link_id=link_id)


@shared_task(acks_late=True)
def process_payment_event(event_id: int) -> str:
    # The event row is locked and stamped processed in the same transaction.
    return services.payment_event_process(event_id=event_id)


@shared_task
def expire_carts() -> int:
    """Beat, every few minutes: carts of stores whose local midnight has passed."""
    return services.carts_expire_due()


@shared_task
def requeue_payment_events() -> int:
    return services.payment_events_requeue_stale()
