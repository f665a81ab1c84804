"""Thin Celery tasks named after the service they run: load by id, call it. Each is safe twice."""

from celery import shared_task
from django.conf import settings

from catalog.background import BeatJob, retry_delay

from . import services
from .payments import TransientError


@shared_task(bind=True, acks_late=True, max_retries=None)
def payment_link_create(self, link_id: int) -> None:
    # The provider call carries the link's idempotency key: a retry never makes a second link.
    try:
        services.payment_link_create(link_id=link_id, final_attempt=_final_attempt(self))
    except TransientError as error:
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries, error.retry_after),
                         max_retries=settings.TASK_MAX_RETRIES) from error


@shared_task(bind=True, acks_late=True, max_retries=None)
def payment_link_expire(self, link_id: int) -> None:
    try:
        services.payment_link_expire(link_id=link_id, final_attempt=_final_attempt(self))
    except TransientError as error:
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries, error.retry_after),
                         max_retries=settings.TASK_MAX_RETRIES) from error


def _final_attempt(task) -> bool:
    """The last try the retry policy allows: the service records the failure instead of retrying."""
    return (task.request.retries or 0) >= settings.TASK_MAX_RETRIES


@shared_task(acks_late=True)
def payment_event_process(event_id: int) -> str:
    # The event row is locked and stamped processed in the same transaction.
    return services.payment_event_process(event_id=event_id)


@shared_task(base=BeatJob)
def carts_expire_due() -> int:
    """Beat, every few minutes: carts of stores whose local midnight has passed."""
    return services.carts_expire_due()


@shared_task(base=BeatJob)
def payment_events_requeue_stale() -> int:
    return services.payment_events_requeue_stale()
