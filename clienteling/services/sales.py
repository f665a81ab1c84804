"""Purchase history and the measures computed from it."""

from collections.abc import Iterable
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.dates import months_before
from clienteling.models import Customer, CustomerMeasures, Sale, SaleLine, Store


@transaction.atomic
def sale_record(*, customer: Customer, store: Store, salesperson, sold_at: datetime,
                lines: list[dict], channel: str = "store", source: str = Sale.Source.POS,
                external_id: str | None = None) -> Sale:
    """Record a receipt and its lines; refresh the customer's measures."""
    if not lines:
        raise ValidationError(_("A sale needs at least one line."))
    if external_id:
        existing = Sale.objects.filter(source=source, external_id=external_id).first()
        if existing:
            return existing
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    sale = Sale.objects.create(
        customer=customer, store=store, salesperson=salesperson, channel=channel, source=source,
        external_id=external_id, sold_at=sold_at, currency=store.currency, total=total,
    )
    SaleLine.objects.bulk_create(
        SaleLine(sale=sale, customer=customer, salesperson=salesperson, sold_at=sold_at, **line)
        for line in lines
    )
    customer_measures_refresh(customer_ids=[customer.pk], default_tz=store.tzinfo)
    return sale


def _zones_of(customer_ids: list[int], default: tzinfo) -> dict[tzinfo, list[int]]:
    """Customers by the time zone of their home store (`default` without one)."""
    zones: dict[str, list[int]] = {}
    for pk, zone in Customer.objects.filter(pk__in=customer_ids).values_list(
            "pk", "home_store__timezone"):
        zones.setdefault(zone or "", []).append(pk)
    return {(ZoneInfo(zone) if zone else default): ids for zone, ids in zones.items()}


def customer_measures_refresh(*, customer_ids: Iterable[int], today: date | None = None,
                              default_tz: tzinfo | None = None) -> int:
    """Recompute the sales windows of these customers, one grouped query per time zone.

    "The last 12 months" starts at midnight in the customer's home store, on the
    store's today (a worker runs in UTC, the store may already be on tomorrow).
    `default_tz` is for customers without a home store (the sale's store, else UTC).
    """
    ids = list(customer_ids)
    if not ids:
        return 0
    default_tz = default_tz or timezone.get_default_timezone()
    done = 0
    for zone, zone_ids in _zones_of(ids, default_tz).items():
        done += _refresh(zone_ids, today=today or timezone.now().astimezone(zone).date(), zone=zone)
    return done


def _refresh(ids: list[int], *, today: date, zone: tzinfo) -> int:
    def since(months: int) -> datetime:
        return datetime.combine(months_before(today, months), time.min, tzinfo=zone)

    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    counted = ~Q(kind=SaleLine.Kind.LAYAWAY_PAYMENT)

    def window(months: int | None):
        condition = counted if months is None else counted & Q(sold_at__gte=since(months))
        return Coalesce(Sum("amount", filter=condition), zero, output_field=money)

    rows = (
        SaleLine.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(
            last_purchase_at=Max("sold_at"),
            last_goods_sale_at=Max("sold_at", filter=Q(kind=SaleLine.Kind.GOODS)),
            sales_6mo=window(6),
            sales_12mo=window(12),
            sales_24mo=window(24),
            sales_all=window(None),
            orders_count=Count("sale_id", distinct=True),
        )
    )
    measures = {
        row["customer_id"]: CustomerMeasures(customer_id=row["customer_id"], computed_on=today,
                                             **{k: v for k, v in row.items() if k != "customer_id"})
        for row in rows
    }
    for pk in ids:
        measures.setdefault(pk, CustomerMeasures(customer_id=pk, computed_on=today))
    fields = ["last_purchase_at", "last_goods_sale_at", "sales_6mo", "sales_12mo", "sales_24mo",
              "sales_all", "orders_count", "computed_on"]
    CustomerMeasures.objects.bulk_create(
        measures.values(), update_conflicts=True, unique_fields=["customer"], update_fields=fields,
        batch_size=2000,
    )
    return len(measures)


def customer_measures_refresh_stale(*, today: date | None = None, chunk_size: int = 5000) -> int:
    """Beat sweep: refresh rows computed before their store's today, zone by zone, in chunks."""
    default_tz = timezone.get_default_timezone()
    zones = set(Store.objects.values_list("timezone", flat=True).distinct())
    done = 0
    for zone_name in sorted(zones) + [""]:
        zone = ZoneInfo(zone_name) if zone_name else default_tz
        day = today or timezone.now().astimezone(zone).date()
        in_zone = (Q(home_store__timezone=zone_name) if zone_name
                   else Q(home_store__isnull=True))
        stale = Customer.objects.filter(in_zone).filter(
            Q(measures__isnull=True) | Q(measures__computed_on__lt=day))
        while True:
            ids = list(stale.order_by("pk").values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            done += _refresh(ids, today=day, zone=zone)
    return done
