"""Outreach lists: tags marked as campaigns, with each customer's conversation state."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from clienteling.access import customers_for
from clienteling.models import BulkJob, Customer, CustomerTag, Store, Tag

from .models import Conversation, Message
from .selectors.rules import skip_reason_label

COUNT_CAP = 1_000


class CappedCount(Subquery):
    """The number of rows of a subquery LIMITed to the cap plus one (more reads as "1,000+")."""

    template = "(SELECT count(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def outreach_tag_counts(*, tags, user) -> list[Tag]:
    """Each list with how many customers the user may see are on it, counted up to 1,000.

    Counted per list and capped, as the customer list counts: a list of 100,000 customers
    costs a thousand index probes, not a join of every customer of the company.
    """
    visible = customers_for(user).filter(pk=OuterRef("customer_id"))
    on_list = (CustomerTag.objects.filter(Exists(visible), tag=OuterRef("pk"))
               .order_by().values("pk")[: COUNT_CAP + 1])
    found = list(tags.annotate(customer_count=CappedCount(on_list)))
    for tag in found:
        tag.count_capped = tag.customer_count > COUNT_CAP
        tag.customer_count = min(tag.customer_count, COUNT_CAP)
    return found


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


# --- A campaign across stores -------------------------------------------------------------


@dataclass(frozen=True)
class StoreProgress:
    """One store's share of a global campaign: its customers on the list and what reached them."""

    store: Store
    on_list: int  # customers of the list whose home store this is
    opted_out: int
    reached: int  # customers the campaign was sent to from this store
    delivered: int
    replied: int  # conversations answered after the campaign's message
    failed: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.reached / self.on_list)) if self.on_list else 0


def campaign_jobs(*, tag: Tag):
    """Every bulk send of the list, whichever store sent it."""
    return BulkJob.objects.filter(action="send_message", params__selection__query=f"tags={tag.pk}")


def campaign_progress(*, tag: Tag, user, stores) -> list[StoreProgress]:
    """Per-store progress of a campaign over the stores given (two grouped queries)."""
    stores = list(stores)
    on_list = {
        row["home_store"]: row for row in
        customers_for(user).filter(customertag__tag=tag, home_store__in=stores)
        .values("home_store").annotate(
            total=Count("pk"), opted_out=Count("pk", filter=Q(contact_history__sms_consent="opted_out")))
    }
    sends = {
        row["conversation__store"]: row for row in
        Message.objects.filter(bulk_job_id__in=campaign_jobs(tag=tag).values("pk"),
                               conversation__store__in=stores)
        .values("conversation__store").annotate(
            reached=Count("conversation__customer", distinct=True),
            delivered=Count("conversation", distinct=True, filter=Q(status__in=DELIVERED)),
            failed=Count("conversation", distinct=True, filter=Q(status__in=FAILED)),
            replied=Count("conversation", distinct=True,
                          filter=Q(conversation__last_inbound_at__gt=F("created_at"))))
    }
    progress = []
    for store in stores:
        listed, sent = on_list.get(store.pk, {}), sends.get(store.pk, {})
        if not listed and not sent:
            continue
        progress.append(StoreProgress(
            store=store, on_list=listed.get("total", 0), opted_out=listed.get("opted_out", 0),
            reached=sent.get("reached", 0), delivered=sent.get("delivered", 0),
            replied=sent.get("replied", 0), failed=sent.get("failed", 0)))
    return sorted(progress, key=lambda row: (-row.on_list, row.store.name))


PROGRESS_SECONDS = 60


def campaign_progress_recent(*, tag: Tag, user, stores) -> tuple[list[StoreProgress], datetime]:
    """`campaign_progress`, computed at most once a minute per manager, and when it was.

    Counting a list of 100,000 customers store by store reads every one of them (half a
    second at 1M customers): a manager's overview shows figures a minute old instead.
    """
    stores = list(stores)
    key = f"campaign-progress:{tag.pk}:{user.pk}:{','.join(str(store.pk) for store in stores)}"
    found = cache.get(key)
    if found is None:
        found = (campaign_progress(tag=tag, user=user, stores=stores), timezone.now())
        cache.set(key, found, PROGRESS_SECONDS)
    return found


def campaign_conversations(*, tag: Tag, stores, limit: int = 50):
    """The list's conversations in the stores given, most recent first."""
    return (Conversation.objects.filter(store__in=stores, customer__customertag__tag=tag)
            .select_related("customer", "store", "assigned_to")
            .order_by(F("last_message_at").desc(nulls_last=True), "-pk")[:limit])
