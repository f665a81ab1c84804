"""Ops writes: heartbeats."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.db import fit

from .models import Heartbeat

BEAT = "beat"
WORKER_PREFIX = "worker:"


def heartbeat_record(*, name: str, hostname: str = "", at: datetime | None = None) -> datetime:
    """Stamp a heartbeat now: one upsert, so two beaters of the same name never collide."""
    at = at or timezone.now()
    row = Heartbeat(name=fit(Heartbeat, "name", name), at=at, hostname=fit(Heartbeat, "hostname", hostname))
    with transaction.atomic():
        Heartbeat.objects.bulk_create(
            [row],
            update_conflicts=True, unique_fields=["name"], update_fields=["at", "hostname"])
    return at


def worker_heartbeat_record(*, hostname: str) -> datetime:
    return heartbeat_record(name=f"{WORKER_PREFIX}{hostname}", hostname=hostname)
