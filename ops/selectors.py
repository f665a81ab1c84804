"""Ops reads: heartbeats and their ages, the figures metrics and doctor show."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from carts.models import Cart, PaymentEvent
from clienteling.models import BulkJob
from conversations.models import Message, WebhookEvent

from .models import Heartbeat
from .services import BEAT, WORKER_PREFIX


@dataclass(frozen=True)
class Beat:
    name: str
    at: datetime
    hostname: str
    age_seconds: float


def heartbeats(*, now: datetime | None = None) -> dict[str, list[Beat]]:
    """{"beat": [the beat heartbeat], "workers": [each worker's]}, newest first."""
    now = now or timezone.now()
    found = {"beat": [], "workers": []}
    for row in Heartbeat.objects.order_by("-at"):
        beat = Beat(row.name, row.at, row.hostname, _age(now, row.at))
        if row.name == BEAT:
            found["beat"].append(beat)
        elif row.name.startswith(WORKER_PREFIX):
            found["workers"].append(beat)
    return found


# Messages on their way out: each status has a partial index, so counting them stays cheap
# at any table size (a count of every status would read the whole table at every scrape).
IN_FLIGHT_STATUSES = ("scheduled", "queued", "sending", "unknown")


@dataclass(frozen=True)
class Figures:
    messages_in_flight: dict[str, int]
    webhook_events_pending: dict[str, int]
    webhook_lag_seconds: dict[str, float]
    payment_events_pending: int
    payment_lag_seconds: float
    due: dict[str, int]


def work_figures(*, now: datetime | None = None) -> Figures:
    """What is waiting: sends in flight, unapplied webhooks and their age, scheduled work due."""
    now = now or timezone.now()
    in_flight = dict.fromkeys(IN_FLIGHT_STATUSES, 0)
    for status in IN_FLIGHT_STATUSES:  # one index each
        in_flight[status] = Message.objects.filter(status=status).count()
    pending = WebhookEvent.objects.filter(processed_at__isnull=True).values("kind").order_by()
    events, lag = {}, {}
    for row in pending.annotate(count=Count("id"), oldest=Min("received_at")):
        events[row["kind"]] = row["count"]
        lag[row["kind"]] = _age(now, row["oldest"])
    payments = PaymentEvent.objects.filter(processed_at__isnull=True).aggregate(
        count=Count("id"), oldest=Min("received_at"))
    due = {
        "scheduled_messages": Message.objects.filter(status="scheduled", scheduled_for__lte=now).count(),
        "carts_to_expire": Cart.objects.filter(status=Cart.Status.OPEN, expires_at__lte=now).count(),
        "bulk_jobs_queued": BulkJob.objects.filter(status=BulkJob.Status.QUEUED).count(),
    }
    return Figures(
        messages_in_flight=in_flight, webhook_events_pending=events, webhook_lag_seconds=lag,
        payment_events_pending=payments["count"],
        payment_lag_seconds=_age(now, payments["oldest"]),
        due=due)


def _age(now: datetime, at: datetime | None) -> float:
    return max(0.0, (now - at).total_seconds()) if at else 0.0
