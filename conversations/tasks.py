"""Thin Celery tasks: load by id, call the service. Every one is safe to run twice.

Sending: `send_message` claims the row (queued -> sending) before calling the
provider, so a redelivered or retried task finds nothing to do. A worker that
dies mid-send leaves the message SENDING with no provider id;
`reconcile_unknown_sends` turns it UNKNOWN and settles it from the status
callback (which carries our message id) or by looking the message up at the
provider -- it is never resent blindly.
"""

import random

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings

from . import services


def _backoff(retries: int, retry_after: float | None) -> float:
    if retry_after:
        return float(retry_after)
    base = float(getattr(settings, "MESSAGING_RETRY_BASE_SECONDS", 5))
    cap = float(getattr(settings, "MESSAGING_RETRY_MAX_SECONDS", 600))
    return min(cap, base * (2 ** retries)) + random.uniform(0, base / 2)


def _max_retries() -> int:
    return int(getattr(settings, "MESSAGING_SEND_MAX_RETRIES", 6))


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_message(self, message_id: int) -> str:
    retries = self.request.retries or 0
    outcome = services.message_dispatch(message_id=message_id, final_attempt=retries >= _max_retries())
    if outcome.result == "rate_limited":
        # The sender's shared bucket is empty: come back later without using a retry.
        send_message.apply_async((message_id,), countdown=outcome.retry_after)
    elif outcome.result == "retry":
        if self.request.is_eager:
            # Eager mode (tests, embedded runs) propagates Retry instead of re-running:
            # run the next attempt now, with the retry count a worker would see.
            if retries >= _max_retries():
                services.message_give_up(message_id=message_id)
                return "failed"
            return send_message.apply((message_id,), retries=retries + 1).result
        try:
            raise self.retry(countdown=_backoff(retries, outcome.retry_after),
                             max_retries=_max_retries())
        except MaxRetriesExceededError:
            services.message_give_up(message_id=message_id)
    return outcome.result


@shared_task(acks_late=True)
def send_messages(message_ids: list[int]) -> int:
    """A batch queued by bulk outreach; each message is still claimed on its own."""
    sent = 0
    for message_id in message_ids:
        outcome = services.message_dispatch(message_id=message_id)
        if outcome.result in ("rate_limited", "retry"):
            send_message.apply_async((message_id,), countdown=_backoff(0, outcome.retry_after))
        sent += outcome.result == "sent"
    return sent


@shared_task
def send_due_scheduled_messages() -> int:
    return services.scheduled_messages_send_due()


@shared_task
def archive_conversations() -> dict:
    return services.conversations_archive_due()


@shared_task
def reconcile_unknown_sends() -> dict:
    result = services.messages_reconcile_unknown()
    result["events_requeued"] = services.webhook_events_requeue_stale()
    return result


@shared_task(acks_late=True)
def process_twilio_event(event_id: int) -> bool:
    return services.twilio_event_process(event_id=event_id)


@shared_task
def redact_expired_messages() -> int:
    return services.messages_redact_expired()
