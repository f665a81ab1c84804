"""Background work's one retry policy, and its queues by workload.

Retries: exponential backoff with jitter, capped. A provider that says how long to wait
(HTTP 429 Retry-After) is believed. Every task that retries uses this (conversations'
sends, carts' payment links), with TASK_MAX_RETRIES attempts; each task is safe to run
twice.

Queues: a flood of one kind of work never starves another. A campaign's delivery reports
queue on `status`, never in front of a customer's STOP on `inbound`; a 100,000-customer
outreach runs on `bulk`, never in front of an associate's reply on `sends`. The Procfile
runs two workers (PROCESS_WORKLOADS): one for short work (inbound, status, sends,
payments), one for long work (bulk, sweeps); a worker started without `-Q` (the embedded
default's) takes every queue. config/celery.py installs `route_task`.

Lost database: every task's base (`Background`, installed by config/celery.py) runs a
task again, by the same policy, when its database connection broke (PostgreSQL restarted
or failed over, the backend was terminated): its transaction was rolled back, and every
task is safe to run twice.
"""

import logging
import random

from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, close_old_connections

logger = logging.getLogger(__name__)


def retry_delay(retries: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `retries + 1`."""
    if retry_after:
        return float(retry_after)
    base = float(settings.TASK_RETRY_BASE_SECONDS)
    return min(float(settings.TASK_RETRY_MAX_SECONDS), base * (2 ** retries)) + random.uniform(0, base / 2)


WORKLOADS = ("inbound", "sends", "payments", "status", "bulk", "sweeps")

# The Procfile's two workers (a test holds the Procfile to this): what a person waits for,
# plus the default queue, and the long work. Delivery reports go with the first: drained in
# batches, their queue holds a drain or two at most, and a drain hands over every couple of
# seconds, so they never wait behind a campaign's send batches and never hold a STOP back.
PROCESS_WORKLOADS = {"worker": ("inbound", "status", "sends", "payments"), "background": ("bulk", "sweeps")}

TASK_WORKLOADS = {
    "conversations.tasks.message_dispatch": "sends",
    "clienteling.tasks.push_send": "sends",
    "conversations.tasks.messages_dispatch": "bulk",
    "clienteling.tasks.bulk_job_run": "bulk",
    "clienteling.tasks.bulk_jobs_requeue_stale": "sweeps",
    "clienteling.tasks.tag_upload_run": "bulk",
    "imports.tasks.import_job_run": "bulk",
    "imports.tasks.import_jobs_requeue_stale": "sweeps",
    "carts.tasks.payment_event_process": "payments",
    "carts.tasks.payment_link_create": "payments",
    "carts.tasks.payment_link_expire": "payments",
    "carts.tasks.carts_expire_due": "sweeps",
    "carts.tasks.payment_events_requeue_stale": "sweeps",
    "clienteling.tasks.audit_events_prune": "sweeps",
    "clienteling.tasks.customer_measures_refresh_stale": "sweeps",
    "clienteling.tasks.customer_measures_fit": "sweeps",
    "conversations.tasks.scheduled_messages_send_due": "sweeps",
    "conversations.tasks.conversations_archive_due": "sweeps",
    "conversations.tasks.messages_redact_expired": "sweeps",
    "conversations.tasks.messages_reconcile_unknown": "sweeps",
    "conversations.tasks.webhook_events_prune": "sweeps",
    "conversations.tasks.templates_approval_sync": "sweeps",
    "insights.tasks.action_feeds_build_due": "sweeps",
    "insights.tasks.sale_credits_assign_due": "sweeps",
    "insights.tasks.sale_credits_assign": "sweeps",  # a few sales each: short, not urgent to the second
    "insights.tasks.credit_recompute_run": "bulk",
    "ops.tasks.heartbeat": "sweeps",
    "appointments.tasks.appointment_reminders_send_due": "sweeps",
    "appointments.tasks.appointment_confirmation_send": "sends",
}
# The tasks that act on recorded webhooks: their `kind` argument picks the queue.
WEBHOOK_EVENT_TASKS = {"conversations.tasks.webhook_events_drain",
                       "conversations.tasks.webhook_event_process"}


def queue_names(base: str) -> list[str]:
    """The default queue (anything unrouted) and one per workload: `atelier`, `atelier.inbound`, …"""
    return [base, *(f"{base}.{workload}" for workload in WORKLOADS)]


def route_task(name, args, kwargs, options, task=None, **extra):
    """Celery router: the workload's queue, named after the default queue of the moment
    (a test or a benchmark swaps the default queue for one of its own)."""
    from celery import current_app

    if name in WEBHOOK_EVENT_TASKS:
        workload = "inbound" if (kwargs or {}).get("kind") == "inbound" else "status"
    else:
        workload = TASK_WORKLOADS.get(name)
    if workload is None:
        return None
    return {"queue": f"{current_app.conf.task_default_queue}.{workload}"}


# A broken or lost connection, a deadlock, a statement cancelled: the work is rolled back
# with its transaction and can run again.
TRANSIENT_DATABASE_ERRORS = (InterfaceError, OperationalError)


class Background(DjangoTask):
    """Every task's base (Celery's for Django, with `delay_on_commit`): one that loses its
    database connection is run again later."""

    def __call__(self, *args, **kwargs):
        request = self.request
        if request.called_directly:
            return super().__call__(*args, **kwargs)
        # In a worker the request is already pushed: run the body as Celery does.
        try:
            return self.run(*args, **kwargs)
        except TRANSIENT_DATABASE_ERRORS as error:
            if request.is_eager:
                raise
            logger.warning("%s: database error, retrying: %s", self.name, error)
            close_old_connections()  # the next attempt connects afresh
            raise self.retry(exc=error, countdown=retry_delay(request.retries or 0),
                             max_retries=settings.TASK_MAX_RETRIES) from error


class BeatJob(Background):
    """A periodic job that does its work once per period, however many beats sent it.

    Beat must run once, but a second one started by mistake (a redeploy, two hosts) would
    send every job twice. In a worker, the first run of a period (CELERY_BEAT_SCHEDULE's)
    takes a slot in the shared cache for most of it, and a copy that finds the slot taken
    returns without working. Called directly or eagerly (a test, a shell), it just runs.
    """

    def __call__(self, *args, **kwargs):
        request = self.request
        period = None if (request.called_directly or request.is_eager) else beat_period(self.name)
        # A retry (Background's) is the same run: its slot is already its own.
        if period and not request.retries and not cache.add(f"beat-slot:{self.name}", 1,
                                                             timeout=max(1, int(period * 0.8))):
            logger.warning("%s: this period's run was already taken (a second beat?); skipped", self.name)
            return None
        return super().__call__(*args, **kwargs)


def beat_period(task_name: str) -> float | None:
    """Seconds between the runs beat sends of this task (None: not a beat job)."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"] == task_name:
            return float(entry["schedule"])
    return None
