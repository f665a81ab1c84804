"""/metrics: django-prometheus' figures (requests, database) and Atelier's own, read at scrape time.

Atelier's own are gauges computed when Prometheus scrapes (a few indexed queries and one
Redis round trip): Celery queue lengths, messages in flight by status, unapplied webhook
events and the age of the oldest (webhook lag), payment notifications waiting, scheduled
work due, heartbeat ages.

Several gunicorn processes: each keeps its own request counters, so a scrape would see
whichever process answered. With PROMETHEUS_MULTIPROC_DIR set (an empty directory, made
before the processes start) prometheus_client writes every process's figures there and
this view adds them up, as django-prometheus' own view does (docs/operations.md).
"""

import logging
import os

import prometheus_client
import redis
from django.conf import settings
from django.db import DatabaseError
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from catalog.background import queue_names

from . import probes, selectors

logger = logging.getLogger(__name__)

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST
# kombu's Redis transport keeps a queue's prioritised messages in lists beside its own.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue (Redis broker); None when the broker is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = probes.redis_client(url)
    try:
        pipe = client.pipeline()
        names = queue_names(settings.CELERY_TASK_DEFAULT_QUEUE)
        for name in names:
            pipe.llen(name)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{name}{_PRIORITY_SEPARATOR}{step}")
        counts = pipe.execute()
    finally:
        client.close()
    per_queue = len(_PRIORITY_STEPS) + 1
    return {name: sum(counts[i * per_queue:(i + 1) * per_queue]) for i, name in enumerate(names)}


class AtelierCollector:
    """Gauges read at each scrape; a part whose source is down is left out and counted."""

    def collect(self):
        errors = GaugeMetricFamily("atelier_metrics_source_errors",
                                   "Sources that could not be read during this scrape", labels=["source"])
        try:
            lengths = queue_lengths()
        except (redis.RedisError, OSError) as error:
            logger.warning("metrics: broker unreachable: %s", error)
            errors.add_metric(["broker"], 1)
            lengths = None
        if lengths is not None:
            queues = GaugeMetricFamily("atelier_celery_queue_length", "Tasks waiting in each Celery queue",
                                       labels=["queue"])
            for name, length in lengths.items():
                queues.add_metric([name], length)
            yield queues
        try:
            figures = selectors.work_figures()
            beats = selectors.heartbeats()
        except DatabaseError as error:
            logger.warning("metrics: database unreachable: %s", error)
            errors.add_metric(["database"], 1)
            yield errors
            return
        yield from _figure_families(figures, beats)
        yield errors


def _figure_families(figures, beats):
    messages = GaugeMetricFamily("atelier_messages", "Outgoing messages not settled yet, by status",
                                 labels=["status"])
    for status, count in figures.messages_in_flight.items():
        messages.add_metric([status], count)
    yield messages
    pending = GaugeMetricFamily("atelier_webhook_events_pending",
                                "Provider webhook events recorded but not applied yet", labels=["kind"])
    lag = GaugeMetricFamily("atelier_webhook_lag_seconds",
                            "Age of the oldest provider webhook event not applied yet (0: none waiting)",
                            labels=["kind"])
    for kind in ("inbound", "status", *sorted(set(figures.webhook_events_pending) - {"inbound", "status"})):
        pending.add_metric([kind], figures.webhook_events_pending.get(kind, 0))
        lag.add_metric([kind], figures.webhook_lag_seconds.get(kind, 0.0))
    yield pending
    yield lag
    yield GaugeMetricFamily("atelier_payment_events_pending", "Payment notifications not processed yet",
                            value=figures.payment_events_pending)
    yield GaugeMetricFamily("atelier_payment_events_lag_seconds",
                            "Age of the oldest payment notification not processed yet (0: none waiting)",
                            value=figures.payment_lag_seconds)
    due = GaugeMetricFamily("atelier_scheduled_work_due", "Work whose time has come and that beat has not "
                            "done yet", labels=["kind"])
    for kind, count in figures.due.items():
        due.add_metric([kind], count)
    yield due
    ages = GaugeMetricFamily("atelier_heartbeat_age_seconds", "Seconds since beat's and each worker's last "
                             "heartbeat", labels=["name"])
    for beat in beats["beat"] + beats["workers"]:
        ages.add_metric([beat.name], beat.age_seconds)
    yield ages


def exposition() -> bytes:
    """The text Prometheus reads: the process's (or every process's) registry, then ours."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        base = CollectorRegistry()
        multiprocess.MultiProcessCollector(base)
    else:
        base = prometheus_client.REGISTRY
    own = CollectorRegistry(auto_describe=False)
    own.register(AtelierCollector())
    return prometheus_client.generate_latest(base) + prometheus_client.generate_latest(own)
