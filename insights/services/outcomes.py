"""What came of suggestions: the customer's first reply and first sale within the window.

Recorded on the suggestion (set-based updates over the store's recent suggestions, run at
each feed build and by the report's refresh), so the per-rule report reads its own columns.
"""

from datetime import datetime, timedelta

from django.db.models import DateTimeField, ExpressionWrapper, OuterRef, Subquery
from django.utils import timezone

from clienteling.models import Sale, Store
from conversations.models import Message

from ..models import InsightsSettings, Suggestion


def suggestion_outcomes_record(*, store: Store | None = None, now: datetime | None = None) -> int:
    """Fill replied_at and sale/revenue of suggestions still inside their window; returns rows touched."""
    now = now or timezone.now()
    window = timedelta(days=InsightsSettings.load().suggestion_window_days)
    recent = Suggestion.objects.filter(created_at__gte=now - window - timedelta(days=1))
    if store is not None:
        recent = recent.filter(store=store)
    until = ExpressionWrapper(OuterRef("created_at") + window, output_field=DateTimeField())
    reply = (
        Message.objects.filter(
            conversation__customer_id=OuterRef("customer_id"),
            direction=Message.Direction.INBOUND,
            created_at__gte=OuterRef("created_at"),
            created_at__lt=until,
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    touched = recent.filter(replied_at__isnull=True).update(replied_at=Subquery(reply))
    sales = Sale.objects.filter(
        customer_id=OuterRef("customer_id"),
        total__gt=0,
        sold_at__gte=OuterRef("created_at"),
        sold_at__lt=until,
    ).order_by("sold_at", "pk")
    pending = recent.filter(sale__isnull=True)
    touched += pending.update(sale_id=Subquery(sales.values("pk")[:1]))
    recent.filter(sale__isnull=False, revenue=0).update(
        revenue=Subquery(Sale.objects.filter(pk=OuterRef("sale_id")).values("total")[:1]),
        currency=Subquery(Sale.objects.filter(pk=OuterRef("sale_id")).values("currency")[:1]),
    )
    return touched
