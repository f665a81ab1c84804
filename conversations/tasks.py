"""Thin Celery tasks named after the service they run: load by id, call it. Each is safe twice.

Sending: `message_dispatch` claims the row (queued -> sending) before calling the
provider, so a redelivered or retried task finds nothing to do. A worker that
dies mid-send leaves the message SENDING with no provider id;
`messages_reconcile_unknown` turns it UNKNOWN and settles it from the status
callback (which carries our message id) or by looking the message up at the
provider -- it is never resent blindly. A send task lost before it ran (a Redis
restart) is queued again from the database by `messages_requeue_stale`. Retries
follow the one policy (catalog.background.retry_delay), a provider's Retry-After first.
"""

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings

from catalog.background import BeatJob, retry_delay

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def message_dispatch(self, message_id: int) -> str:
    retries = self.request.retries or 0
    limit = settings.TASK_MAX_RETRIES
    outcome = services.message_dispatch(message_id=message_id, final_attempt=retries >= limit)
    if outcome.result == "rate_limited":
        # The sender's shared bucket is empty: come back later without using a retry.
        message_dispatch.apply_async((message_id,), countdown=outcome.retry_after)
    elif outcome.result == "retry":
        if self.request.is_eager:
            # Eager mode (tests, embedded runs) propagates Retry instead of re-running:
            # run the next attempt now, with the retry count a worker would see.
            if retries >= limit:
                services.message_give_up(message_id=message_id)
                return "failed"
            return message_dispatch.apply((message_id,), retries=retries + 1).result
        try:
            raise self.retry(countdown=retry_delay(retries, outcome.retry_after), max_retries=limit)
        except MaxRetriesExceededError:
            services.message_give_up(message_id=message_id)
    return outcome.result


# A batch sleeps for its sender's rate only this long: past it, the rest of the batch goes
# back on the queue to wait there, so a slow rate never holds a worker process (and the
# delivery reports queued behind it) for minutes.
BATCH_MAX_WAIT_SECONDS = 0.05


@shared_task(bind=True, acks_late=True)
def messages_dispatch(self, message_ids: list[int]) -> int:
    """A batch queued by bulk outreach; each message is still claimed on its own."""
    # Eager runs (tests) have no queue to wait on: they wait here, as a single send does.
    eager = self.request.is_eager
    sent = 0
    for position, message_id in enumerate(message_ids):
        outcome = services.message_dispatch(message_id=message_id,
                                            max_wait=1.0 if eager else BATCH_MAX_WAIT_SECONDS)
        if outcome.result == "rate_limited" and not eager:
            messages_dispatch.apply_async((message_ids[position:],), countdown=outcome.retry_after)
            break
        if outcome.result in ("rate_limited", "retry"):
            message_dispatch.apply_async((message_id,), countdown=retry_delay(0, outcome.retry_after))
        sent += outcome.result == "sent"
    return sent


@shared_task(base=BeatJob)
def scheduled_messages_send_due() -> int:
    return services.scheduled_messages_send_due()


@shared_task(base=BeatJob)
def conversations_archive_due() -> dict:
    return services.conversations_archive_due()


@shared_task(base=BeatJob)
def messages_reconcile_unknown() -> dict:
    result = services.messages_reconcile_unknown()
    result["requeued"] = services.messages_requeue_stale()
    result["events_requeued"] = services.webhook_events_requeue_stale()
    return result


@shared_task(acks_late=True)
def webhook_events_drain(kind: str) -> int:
    """`kind` ("inbound" or "status") also routes the task to its queue (config/celery.py)."""
    return services.webhook_events_drain(kind=kind)


@shared_task(acks_late=True)
def webhook_event_process(event_id: int, kind: str = "status") -> bool:
    """One event: tasks queued before drains existed (a deploy with a backlog) still run."""
    return services.webhook_event_process(event_id=event_id)


@shared_task(base=BeatJob)
def messages_redact_expired() -> int:
    return services.messages_redact_expired()


@shared_task(base=BeatJob)
def webhook_events_prune() -> int:
    return services.webhook_events_prune()


@shared_task(base=BeatJob)
def templates_approval_sync() -> dict:
    return services.templates_approval_sync()
