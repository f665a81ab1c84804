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
from clienteling.events import SALES_RECORDED, event_occurred
from clienteling.measures import history, rfm  # history registers the any_of lookup
from clienteling.measures import model as measure_model
from clienteling.measures.features import FEATURES, features_of, next_window, usual_interval
from clienteling.models import Customer, CustomerMeasures, MeasuresModel, Sale, SaleLine, Store


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
    event_occurred(event=SALES_RECORDED, legal_entity_id=customer.legal_entity_id,
                   data={"sale_ids": [sale.pk], "changed_sale_ids": []})
    return sale


def _zones_of(customer_ids: list[int], default: tzinfo) -> dict[tzinfo, list[int]]:
    """Customers by the time zone of their home store (`default` without one)."""
    zones: dict[str, list[int]] = {}
    for pk, zone in Customer.objects.filter(pk__any_of=customer_ids).values_list(
            "pk", "home_store__timezone"):
        zones.setdefault(zone or "", []).append(pk)
    return {(ZoneInfo(zone) if zone else default): ids for zone, ids in zones.items()}


def customer_measures_refresh(*, customer_ids: Iterable[int], today: date | None = None,
                              default_tz: tzinfo | None = None, scores: bool = True) -> int:
    """Recompute the sales windows of these customers, one grouped query per time zone.

    "The last 12 months" starts at midnight in the customer's home store, on the
    store's today (a worker runs in UTC, the store may already be on tomorrow).
    `default_tz` is for customers without a home store (the sale's store, else UTC).
    `scores=False` writes the windows only (seed_demo's bulk load; the refresh after it scores).
    """
    ids = list(customer_ids)
    if not ids:
        return 0
    default_tz = default_tz or timezone.get_default_timezone()
    measures: dict[int, CustomerMeasures] = {}
    days = {}
    for zone, zone_ids in _zones_of(ids, default_tz).items():
        day = today or timezone.now().astimezone(zone).date()
        measures.update(_windows(zone_ids, today=day, zone=zone))
        days.update(dict.fromkeys(zone_ids, day))
    if not scores:
        return _save(measures, fields=WINDOW_FIELDS)
    # Scored and written once for the whole batch, whatever the zones.
    _score(measures, list(measures), days=days)
    return _save(measures)


def _refresh(ids: list[int], *, today: date, zone: tzinfo) -> int:
    measures = _windows(ids, today=today, zone=zone)
    _score(measures, ids, days=dict.fromkeys(ids, today))
    return _save(measures)


def _windows(ids: list[int], *, today: date, zone: tzinfo) -> dict[int, CustomerMeasures]:
    def since(months: int) -> datetime:
        return datetime.combine(months_before(today, months), time.min, tzinfo=zone)

    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    counted = ~Q(kind=SaleLine.Kind.LAYAWAY_PAYMENT)

    def window(months: int | None):
        condition = counted if months is None else counted & Q(sold_at__gte=since(months))
        return Coalesce(Sum("amount", filter=condition), zero, output_field=money)

    rows = (
        SaleLine.objects.filter(customer_id__any_of=ids)
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
    return measures


WINDOW_FIELDS = ["last_purchase_at", "last_goods_sale_at", "sales_6mo", "sales_12mo", "sales_24mo",
                 "sales_all", "orders_count", "computed_on"]


def _save(measures: dict[int, CustomerMeasures], *, fields: list[str] | None = None) -> int:
    fields = fields or [*WINDOW_FIELDS, *SCORED_FIELDS]
    CustomerMeasures.objects.bulk_create(
        measures.values(), update_conflicts=True, unique_fields=["customer"], update_fields=fields,
        batch_size=2000,
    )
    return len(measures)


SCORED_FIELDS = [
    "first_purchase_at", "average_order_value", "usual_interval_days", "rfm_recency",
    "rfm_frequency", "rfm_monetary", "segment", "preferred_designer_ids", "preferred_category_ids",
    "churn_risk", "predicted_spend_12mo", "next_purchase_from", "next_purchase_to", "scored_at",
]
CENT = Decimal("0.01")
PROBABILITY = Decimal("0.001")


def _score(measures: dict[int, CustomerMeasures], ids: list[int], *, days: dict[int, date]) -> None:
    """Order rhythm, RFM, preferences and the model's scores: three grouped queries a batch.

    `days` is each customer's today (in their home store's zone).
    """
    orders = history.orders_of(ids)
    designers, categories = history.preferences_of(ids)
    found = measure_model.latest()
    edges = found[1] if found else rfm.DEFAULT_EDGES
    now = timezone.now()
    scored, rows = [], []
    for pk in ids:
        m = measures[pk]
        day = days[pk].toordinal()
        m.preferred_designer_ids = designers.get(pk, [])
        m.preferred_category_ids = categories.get(pk, [])
        m.scored_at = now
        mine = orders.get(pk)
        row = features_of(mine, day + 1) if mine else None
        if row is None:
            m.first_purchase_at = m.average_order_value = m.usual_interval_days = None
            m.rfm_recency = m.rfm_frequency = m.rfm_monetary = None
            m.segment = ""
            m.churn_risk = m.predicted_spend_12mo = None
            m.next_purchase_from = m.next_purchase_to = None
            continue
        count = len(mine.days)
        m.first_purchase_at = datetime.combine(date.fromordinal(mine.days[0]), time.min,
                                               tzinfo=timezone.get_default_timezone())
        m.average_order_value = Decimal(sum(mine.amounts) / count).quantize(CENT)
        m.usual_interval_days = usual_interval(mine)
        recency = day - mine.days[-1]
        r, f, money = rfm.scores(edges, recency_days=recency, orders=count, monetary=sum(mine.amounts))
        m.rfm_recency, m.rfm_frequency, m.rfm_monetary = r, f, money
        m.segment = rfm.segment(r, f, money, orders=count)
        window = next_window(mine, day)
        m.next_purchase_from, m.next_purchase_to = (
            (date.fromordinal(window[0]), date.fromordinal(window[1])) if window else (None, None))
        scored.append(m)
        rows.append(row)
    if found and rows:
        churn, spend = measure_model.predict(found[0], rows)
        for m, p, amount in zip(scored, churn, spend, strict=True):
            m.churn_risk = Decimal(float(p)).quantize(PROBABILITY)
            m.predicted_spend_12mo = Decimal(float(amount)).quantize(CENT)
    else:
        for m in scored:
            m.churn_risk = m.predicted_spend_12mo = None


def customer_measures_refresh_all(*, chunk_size: int = 5000, stale_only: bool = False,
                                  today: date | None = None) -> int:
    """Refresh every customer (or the stale ones), in keyset chunks of ids: bounded memory."""
    if stale_only:
        return customer_measures_refresh_stale(today=today, chunk_size=chunk_size)
    default_tz = timezone.get_default_timezone()
    after, done = 0, 0
    while True:
        ids = list(Customer.objects.filter(pk__gt=after).order_by("pk")
                   .values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return done
        after = ids[-1]
        done += customer_measures_refresh(customer_ids=ids, today=today, default_tz=default_tz)


def customer_measures_fit(*, today: date | None = None, max_customers: int = 300_000) -> MeasuresModel:
    """Fit the churn and spend models on purchase history and persist them for every process."""
    today = today or timezone.localdate()
    result = measure_model.fit(today_ordinal=today.toordinal(), max_customers=max_customers)
    quality = {**result["quality"], "rfm_edges": result["edges"]}
    return MeasuresModel.objects.create(
        cutoff=date.fromordinal(result["cutoff"]), horizon_days=measure_model.CHURN_HORIZON_DAYS,
        features=FEATURES, payload=measure_model.dumps(result["fitted"]), quality=quality,
        training_rows=result["rows"],
    )


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
