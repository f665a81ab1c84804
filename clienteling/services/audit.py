"""The audit trail: one call records an action; recording never breaks the action itself."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clienteling.models import AuditEvent, Customer

logger = logging.getLogger(__name__)

__all__ = ["audit_events_prune", "audit_record"]


def _address(request) -> str | None:
    if request is None:
        return None
    # The proxy-aware address django-axes already works out, else the socket's.
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def audit_record(*, action: str, actor=None, actor_name: str = "", customer: Customer | int | None = None,
                 target: str = "", detail: dict | None = None, request=None) -> AuditEvent | None:
    """Add one audit event. A failure to write it is logged, never raised.

    Never put personal data in `detail` or `target` (ids, counts, field names only): the
    trail outlives erasure.
    """
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    name = actor_name or (actor.get_username() if actor is not None else "")
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the caller's work intact
            return AuditEvent.objects.create(
                action=action, actor=actor if getattr(actor, "pk", None) else None,
                actor_name=name[:150], customer_id=customer_id,
                target=target[:AuditEvent._meta.get_field("target").max_length],
                ip_address=_address(request), detail=detail or {})
    except Exception:  # noqa: BLE001  the audit must never take the action down with it
        logger.exception("audit event %s could not be recorded", action)
        return None


def audit_events_prune(*, now=None, chunk_size: int = 5000) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS, a chunk per transaction."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(AuditEvent.objects.filter(at__lt=cutoff).order_by("pk")
                   .values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += AuditEvent.objects.filter(pk__in=ids).delete()[0]
