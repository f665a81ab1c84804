"""Outreach lists: tags marked as campaigns, with each customer's conversation state."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from clienteling.access import customers_for
from clienteling.models import BulkJob, Customer, Tag

from .models import Conversation, Message
from .selectors.rules import skip_reason_label


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


@dataclass(frozen=True)
class OutreachReport:
    job: BulkJob
    running: bool
    queued: int
    scheduled: int
    skipped: list[tuple[str, int]]  # (readable reason, count), most first
    failed: int  # refused by the provider or undelivered so far
    delivered: int


FAILED = [Message.Status.FAILED, Message.Status.UNDELIVERED, Message.Status.BLOCKED]
DELIVERED = [Message.Status.DELIVERED, Message.Status.READ]


def outreach_report(*, job: BulkJob) -> OutreachReport:
    """A bulk send's progress and outcome; provider failures counted from its messages (one query)."""
    report = job.report or {}
    codes = report.get("skipped_codes") or {}
    counts = Message.objects.filter(bulk_job_id=job.pk).aggregate(
        failed=Count("pk", filter=Q(status__in=FAILED)),
        delivered=Count("pk", filter=Q(status__in=DELIVERED)))
    return OutreachReport(
        job=job, running=job.status in (BulkJob.Status.QUEUED, BulkJob.Status.RUNNING),
        queued=report.get("queued", 0), scheduled=report.get("scheduled", 0),
        skipped=sorted(((skip_reason_label(code), n) for code, n in codes.items()), key=lambda r: -r[1]),
        failed=counts["failed"] or 0, delivered=counts["delivered"] or 0)
