"""Ops reads: heartbeats and their ages, the figures metrics and doctor show."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

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
        beat = Beat(row.name, row.at, row.hostname, max(0.0, (now - row.at).total_seconds()))
        if row.name == BEAT:
            found["beat"].append(beat)
        elif row.name.startswith(WORKER_PREFIX):
            found["workers"].append(beat)
    return found
