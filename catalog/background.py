"""The one retry policy of background work: exponential backoff with jitter, capped.

A provider that says how long to wait (HTTP 429 Retry-After) is believed. Every task
that retries uses this (conversations' sends, carts' payment links), with
TASK_MAX_RETRIES attempts; each task is safe to run twice.
"""

import random

from django.conf import settings


def retry_delay(retries: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `retries + 1`."""
    if retry_after:
        return float(retry_after)
    base = float(settings.TASK_RETRY_BASE_SECONDS)
    return min(float(settings.TASK_RETRY_MAX_SECONDS), base * (2 ** retries)) + random.uniform(0, base / 2)
