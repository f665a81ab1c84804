"""Outreach lists: tags marked as campaigns, with each customer's conversation state."""

from django.db.models import Count, Prefetch, Q

from clienteling.access import customers_for
from clienteling.models import Customer, Tag

from .models import Conversation


def outreach_tag_counts(*, tags, user) -> list[Tag]:
    visible = customers_for(user).values("pk")
    return list(tags.annotate(customer_count=Count(
        "customertag", filter=Q(customertag__customer__in=visible))))


def outreach_rows(*, tag, user, store, limit: int = 500) -> list[dict]:
    customers = list(
        customers_for(user).filter(customertag__tag=tag)
        .select_related("contact_history")
        .prefetch_related(Prefetch(
            "conversations", queryset=Conversation.objects.filter(store=store),
            to_attr="store_conversations"))
        .order_by("last_name", "first_name", "id")[:limit]
    )
    rows = []
    for customer in customers:
        thread = customer.store_conversations[0] if customer.store_conversations else None
        rows.append({
            "customer": customer,
            "conversation": thread,
            "reachable": bool(customer.phone) and customer.can_receive_texts,
            "consent": _consent(customer),
        })
    return rows


def _consent(customer: Customer) -> str:
    try:
        return customer.contact_history.sms_consent
    except Customer.contact_history.RelatedObjectDoesNotExist:
        return "unknown"
