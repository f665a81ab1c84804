"""Sales credited to associates: each sale once, by a fixed precedence.

Precedence (the first that applies wins):

1. salesperson: a store or e-commerce sale with a salesperson is theirs (they rang it up);
2. cart: a paid remote cart is its associate's (carts record the sale with the associate
   as salesperson already; the reason says it came through a cart);
3. appointment: the associate of the customer's latest appointment held (or booked and
   not cancelled) in the appointment window before the sale;
4. conversation: the associate who sent the customer's latest one-to-one message in the
   conversation window before the sale;
5. outreach: the sender of the latest campaign message in the outreach window.

A face-to-face meeting is stronger evidence of influence than a message, and a personal
message stronger than a campaign, hence that order. A sale matching none is credited to
nobody. A return (a sale whose total is below zero) reverses: it is credited, negative, to
whoever was credited with the customer's latest sale before it, with `reverses` pointing
at that credit. Windows come from InsightsSettings; a change of them queues a recompute
(CreditJob, with progress) that credits again every sale since `since`.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, Max, OuterRef, Q, Subquery
from django.utils import timezone

from appointments.models import Appointment
from carts.models import Cart
from clienteling.models import Sale
from conversations.models import Message

from ..models import CreditJob, CreditReason, InsightsSettings, SaleCredit

logger = logging.getLogger(__name__)

CHUNK = 1000
RECENT_DAYS = 3  # the sweep credits sales recorded in the last days that have no credit yet
RECOMPUTE_DAYS = 400
LOOKBACK_IDS = 10_000


def _candidates(sales, windows: dict[str, timedelta]):
    """The sales annotated with each precedence step's associate (one query a chunk)."""

    def before(window: timedelta):
        return ExpressionWrapper(OuterRef("sold_at") - window, output_field=DateTimeField())

    cart = Cart.objects.filter(sale_id=OuterRef("pk")).values("associate_id")[:1]
    appointment = (
        Appointment.objects.filter(
            customer_id=OuterRef("customer_id"),
            starts_at__lte=OuterRef("sold_at"),
            starts_at__gte=before(windows["appointment"]),
        )
        .exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
        .order_by("-starts_at")
        .values("associate_id")[:1]
    )
    sent = Message.objects.filter(
        conversation__customer_id=OuterRef("customer_id"),
        direction=Message.Direction.OUTBOUND,
        sent_by__isnull=False,
        created_at__lte=OuterRef("sold_at"),
    )
    conversation = (
        sent.filter(bulk_job_id__isnull=True, created_at__gte=before(windows["conversation"]))
        .order_by("-created_at")
        .values("sent_by_id")[:1]
    )
    outreach = (
        sent.filter(bulk_job_id__isnull=False, created_at__gte=before(windows["outreach"]))
        .order_by("-created_at")
        .values("sent_by_id")[:1]
    )
    return sales.annotate(
        cart_associate=Subquery(cart),
        appointment_associate=Subquery(appointment),
        conversation_associate=Subquery(conversation),
        outreach_associate=Subquery(outreach),
    )


def credit_for(sale) -> tuple[int, str] | None:
    """(associate id, reason) by the precedence, from an annotated sale."""
    if sale.cart_associate:
        return sale.cart_associate, CreditReason.CART
    if sale.salesperson_id and sale.source != Sale.Source.REMOTE_CART:
        return sale.salesperson_id, CreditReason.SALESPERSON
    for reason in (CreditReason.APPOINTMENT, CreditReason.CONVERSATION, CreditReason.OUTREACH):
        associate = getattr(sale, f"{reason}_associate")
        if associate:
            return associate, reason
    return None


@transaction.atomic
def sale_credits_assign(*, sale_ids: list[int], replace: bool = False) -> int:
    """Credit these sales (in sale order, so a return finds the credit it reverses); returns
    how many credits were written. Sales already credited keep theirs unless `replace`."""
    if not sale_ids:
        return 0
    windows = InsightsSettings.load().windows()
    # The sales' rows locked first: the sweep and the task a new sale queues may credit the same
    # sale at once, and the second then sees the first's credit instead of writing another.
    list(Sale.objects.select_for_update().filter(pk__in=sale_ids).order_by("pk").values_list("pk", flat=True))
    if replace:
        SaleCredit.objects.filter(sale_id__in=sale_ids).delete()
    done = set(SaleCredit.objects.filter(sale_id__in=sale_ids).values_list("sale_id", flat=True))
    todo = [pk for pk in sale_ids if pk not in done]
    sales = _candidates(
        Sale.objects.filter(pk__in=todo)
        .order_by("sold_at", "pk")
        .only("pk", "customer_id", "store_id", "salesperson_id", "source", "sold_at", "total", "currency"),
        windows,
    )
    written = 0
    for sale in sales:
        if sale.total < 0:
            credit = _reversal(sale)
        else:
            found = credit_for(sale)
            credit = (
                None
                if found is None
                else SaleCredit(
                    sale_id=sale.pk,
                    associate_id=found[0],
                    reason=found[1],
                    store_id=sale.store_id,
                    customer_id=sale.customer_id,
                    amount=sale.total,
                    currency=sale.currency,
                    credited_at=sale.sold_at,
                )
            )
        if credit is not None:
            credit.save()
            written += 1
    return written


def _reversal(sale) -> SaleCredit | None:
    original = (
        SaleCredit.objects.filter(customer_id=sale.customer_id, amount__gt=0, credited_at__lte=sale.sold_at)
        .exclude(sale_id=sale.pk)
        .order_by("-credited_at", "-pk")
        .first()
    )
    if original is None:
        return None
    return SaleCredit(
        sale_id=sale.pk,
        associate_id=original.associate_id,
        store_id=sale.store_id,
        customer_id=sale.customer_id,
        reason=CreditReason.RETURN,
        amount=sale.total,
        currency=sale.currency,
        credited_at=sale.sold_at,
        reverses=original,
    )


def sale_credits_assign_due(*, now: datetime | None = None) -> int:
    """The sweep: credit sales recorded lately that have none (a sale arrives from the POS, an
    import or a paid cart; clienteling knows nothing of credit).

    Sales have no index on their recording time; their ids grow as they are recorded, so the
    sweep walks the primary key from a little below the newest credited sale (LOOKBACK_IDS:
    sales recorded out of order, or credited to nobody yet) and keeps those recorded in the
    last RECENT_DAYS: a range scan, whatever the size of the history.
    """
    now = now or timezone.now()
    newest = SaleCredit.objects.aggregate(newest=Max("sale_id"))["newest"] or 0
    pending = (
        Sale.objects.filter(pk__gt=newest - LOOKBACK_IDS, created_at__gte=now - timedelta(days=RECENT_DAYS),
                            credit__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    ids = list(pending[: CHUNK * 10])
    for start in range(0, len(ids), CHUNK):
        written += sale_credits_assign(sale_ids=ids[start : start + CHUNK])
    return written


def credit_recompute_start(*, user=None, days: int = RECOMPUTE_DAYS) -> CreditJob:
    """Queue a recompute of every credit of the sales of the last `days` (after the rules changed)."""
    from ..tasks import credit_recompute_run  # the task module imports services

    since = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        job = CreditJob.objects.create(
            since=since, created_by=user, total=Sale.objects.filter(sold_at__gte=since).count()
        )
        credit_recompute_run.delay_on_commit(job.pk)
    return job


def credit_recompute_run(*, job_id: int) -> CreditJob:
    """Run (or resume) a recompute, a chunk of sales per transaction, in sale order."""
    claimed = CreditJob.objects.filter(
        pk=job_id, status__in=[CreditJob.Status.QUEUED, CreditJob.Status.RUNNING]
    ).update(status=CreditJob.Status.RUNNING)
    job = CreditJob.objects.get(pk=job_id)
    if not claimed:
        return job
    sales = Sale.objects.filter(sold_at__gte=job.since)
    while True:
        # Sale order is by time (a return needs its sale credited first): page on (sold_at, id).
        last = Sale.objects.filter(pk=job.last_sale_id).values_list("sold_at", flat=True).first()
        page = sales.order_by("sold_at", "pk")
        if last is not None:
            page = page.filter(Q(sold_at__gt=last) | Q(sold_at=last, pk__gt=job.last_sale_id))
        ids = list(page.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        with transaction.atomic():
            sale_credits_assign(sale_ids=ids, replace=True)
            job.done += len(ids)
            job.last_sale_id = ids[-1]
            CreditJob.objects.filter(pk=job.pk).update(done=job.done, last_sale_id=job.last_sale_id)
    CreditJob.objects.filter(pk=job.pk).update(
        status=CreditJob.Status.DONE, finished_at=timezone.now(), total=max(job.total, job.done)
    )
    job.refresh_from_db()
    return job
