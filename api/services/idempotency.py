"""Idempotency-Key: the first answer to a key is kept and replayed for the same body."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiKey, IdempotentResponse

__all__ = ["IdempotencyConflict", "idempotency_claim", "idempotency_release", "idempotency_store",
           "idempotent_responses_prune"]

MAX_KEY_LENGTH = IdempotentResponse._meta.get_field("key").max_length


class IdempotencyConflict(Exception):
    """`reason` is "in_flight" (same key still running) or "mismatch" (same key, another body)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def body_hash(*, path: str, body: bytes) -> str:
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


def idempotency_claim(*, api_key: ApiKey, key: str, path: str, body: bytes) -> IdempotentResponse | None:
    """None when this request is the first with `key` (it now holds the key); the stored
    answer when a finished request had the same key and body; IdempotencyConflict otherwise."""
    digest = body_hash(path=path, body=body)
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotentResponse.objects.filter(api_key=api_key, key=key, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            IdempotentResponse.objects.create(api_key=api_key, key=key, path=path, body_hash=digest)
        return None
    except IntegrityError:
        stored = IdempotentResponse.objects.filter(api_key=api_key, key=key).first()
    if stored is None:  # released in between: the caller may retry
        raise IdempotencyConflict("in_flight")
    if stored.body_hash != digest:
        raise IdempotencyConflict("mismatch")
    if stored.status_code is None:
        raise IdempotencyConflict("in_flight")
    return stored


def idempotency_store(*, api_key: ApiKey, key: str, status_code: int, body) -> None:
    IdempotentResponse.objects.filter(api_key=api_key, key=key, status_code__isnull=True).update(
        status_code=status_code, body=body)


def idempotency_release(*, api_key: ApiKey, key: str) -> None:
    """The request failed before it had an answer worth keeping: the key may be used again."""
    IdempotentResponse.objects.filter(api_key=api_key, key=key, status_code__isnull=True).delete()


def idempotent_responses_prune(*, now=None) -> int:
    cutoff = (now or timezone.now()) - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    return IdempotentResponse.objects.filter(created_at__lt=cutoff).delete()[0]
