"""Every clienteling write that spans rows or has side effects."""

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from catalog.models import StockLocation

from .dates import months_before
from .models import (
    AttributeOption,
    ClientBook,
    ClientBookEntry,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerMeasures,
    Sale,
    SaleLine,
    StaffProfile,
    Store,
)
from .roles import ROLE_GROUP_NAMES, STORE_OBJECT_PERMISSIONS

# --- Org and staff ------------------------------------------------------------


def store_ensure_stock_location(*, store: Store) -> StockLocation:
    """Every store sells from its own stock location (created on first need)."""
    if store.stock_location_id:
        return store.stock_location
    location, _created = StockLocation.objects.get_or_create(
        code=f"store-{store.code}", defaults={"name": store.name}
    )
    Store.objects.filter(pk=store.pk).update(stock_location=location)
    store.stock_location = location
    return location


@transaction.atomic
def staff_sync_access(*, profile: StaffProfile) -> None:
    """Put the user in their role's group and grant per-store object permissions."""
    user = profile.user
    role_group = Group.objects.get(name=ROLE_GROUP_NAMES[profile.role])
    other_roles = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values()).exclude(pk=role_group.pk)
    user.groups.remove(*other_roles)
    if profile.active:
        user.groups.add(role_group)
    else:
        user.groups.remove(role_group)
    is_admin = profile.role == StaffProfile.Role.COMPANY_ADMIN and profile.active
    if user.is_staff != is_admin and not user.is_superuser:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])

    granted = set(STORE_OBJECT_PERMISSIONS[profile.role]) if profile.active else set()
    assigned_stores = set(profile.stores.all()) if profile.active else set()
    for store in Store.objects.all():
        for codename in ("work_in_store", "manage_store"):
            if store in assigned_stores and codename in granted:
                assign_perm(f"clienteling.{codename}", user, store)
            else:
                remove_perm(f"clienteling.{codename}", user, store)


# --- Client books -------------------------------------------------------------


def client_book_for(*, owner, legal_entity) -> ClientBook:
    book, _created = ClientBook.objects.get_or_create(owner=owner, legal_entity=legal_entity)
    return book


def client_book_add(*, book: ClientBook, customer: Customer, added_by) -> ClientBookEntry:
    if customer.legal_entity_id != book.legal_entity_id:
        raise ValidationError(_("This customer belongs to another legal entity."))
    entry, _created = ClientBookEntry.objects.get_or_create(
        book=book, customer=customer, defaults={"added_by": added_by}
    )
    return entry


def client_book_add_many(*, book: ClientBook, customer_ids: Iterable[int], added_by) -> int:
    """Add customers in bulk; already present ones are skipped. Returns rows added."""
    ids = list(
        Customer.objects.filter(pk__in=list(customer_ids), legal_entity_id=book.legal_entity_id)
        .exclude(client_book_entries__book=book)
        .values_list("pk", flat=True)
    )
    ClientBookEntry.objects.bulk_create(
        [ClientBookEntry(book=book, customer_id=pk, added_by=added_by) for pk in ids],
        ignore_conflicts=True,
    )
    return len(ids)


def client_book_remove(*, book: ClientBook, customer_ids: Iterable[int]) -> int:
    deleted, _detail = ClientBookEntry.objects.filter(
        book=book, customer_id__in=list(customer_ids)
    ).delete()
    return deleted


@transaction.atomic
def client_book_reassign(*, from_book: ClientBook, to_book: ClientBook,
                         customer_ids: Iterable[int], reassigned_by) -> int:
    """Move customers between associates' books (transfers, leavers)."""
    if from_book.legal_entity_id != to_book.legal_entity_id:
        raise ValidationError(_("Both client books must belong to the same legal entity."))
    ids = list(
        ClientBookEntry.objects.filter(book=from_book, customer_id__in=list(customer_ids))
        .values_list("customer_id", flat=True)
    )
    client_book_add_many(book=to_book, customer_ids=ids, added_by=reassigned_by)
    ClientBookEntry.objects.filter(book=from_book, customer_id__in=ids).delete()
    Customer.objects.filter(pk__in=ids, primary_salesperson=from_book.owner).update(
        primary_salesperson=to_book.owner
    )
    return len(ids)


# --- Attributes ---------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


def attribute_parse_value(*, attribute: CustomerAttribute, raw) -> dict:
    """One raw value -> the typed column it goes in. Raises ValidationError."""
    kind = CustomerAttribute.DataType
    text = raw if not isinstance(raw, str) else raw.strip()
    if text in (None, ""):
        raise ValidationError(_("%(name)s: a value is required.") % {"name": attribute.name})
    if attribute.data_type == kind.TEXT:
        if len(str(text)) > 500:
            raise ValidationError(
                _("%(name)s: at most 500 characters.") % {"name": attribute.name}
            )
        return {"value_text": str(text)}
    if attribute.data_type == kind.NUMBER:
        try:
            number = int(str(text))
        except ValueError:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a whole number.")
                % {"name": attribute.name, "value": text}
            ) from None
        if abs(number) > 2**63 - 1:
            raise ValidationError(_("%(name)s: number too large.") % {"name": attribute.name})
        return {"value_int": number}
    if attribute.data_type == kind.DECIMAL:
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a number.")
                % {"name": attribute.name, "value": text}
            ) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise ValidationError(_("%(name)s: number out of range.") % {"name": attribute.name})
        return {"value_decimal": number.quantize(Decimal("0.0001"))}
    if attribute.data_type == kind.BOOLEAN:
        if isinstance(text, bool):
            return {"value_bool": text}
        lowered = str(text).lower()
        if lowered in _TRUE:
            return {"value_bool": True}
        if lowered in _FALSE:
            return {"value_bool": False}
        raise ValidationError(
            _("%(name)s: answer yes or no, not “%(value)s”.")
            % {"name": attribute.name, "value": text}
        )
    if attribute.data_type == kind.DATE:
        if isinstance(text, date):
            return {"value_date": text}
        try:
            parsed = parse_date(str(text))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a date (YYYY-MM-DD).")
                % {"name": attribute.name, "value": text}
            )
        return {"value_date": parsed}
    option = AttributeOption.objects.filter(attribute=attribute, value=str(text)).first()
    if option is None:
        raise ValidationError(
            _("%(name)s: “%(value)s” is not one of the options.")
            % {"name": attribute.name, "value": text}
        )
    return {"option": option}


@transaction.atomic
def attribute_values_set(*, customer: Customer, attribute: CustomerAttribute, raw_values) -> list:
    """Replace a customer's values for one attribute. All valid or nothing written."""
    if raw_values is None or raw_values == "":
        values = []
    elif isinstance(raw_values, (list, tuple)):
        values = [v for v in raw_values if v not in (None, "")]
    else:
        values = [raw_values]
    if len(values) > 1 and not attribute.is_multi_valued:
        raise ValidationError(
            _("%(name)s accepts a single value.") % {"name": attribute.name}
        )
    parsed = [attribute_parse_value(attribute=attribute, raw=value) for value in values]
    CustomerAttributeValue.objects.filter(customer=customer, attribute=attribute).delete()
    seen, rows = set(), []
    for columns in parsed:
        key = tuple(sorted((k, str(v)) for k, v in columns.items()))
        if key in seen:
            continue
        seen.add(key)
        rows.append(CustomerAttributeValue(customer=customer, attribute=attribute, **columns))
    return CustomerAttributeValue.objects.bulk_create(rows)


# --- Purchase history and measures ------------------------------------------------


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
    customer_measures_refresh(customer_ids=[customer.pk])
    return sale


def customer_measures_refresh(*, customer_ids: Iterable[int], today: date | None = None) -> int:
    """Recompute the sales windows of these customers in one grouped query."""
    ids = list(customer_ids)
    if not ids:
        return 0
    today = today or timezone.localdate()

    def since(months: int) -> datetime:
        return timezone.make_aware(datetime.combine(months_before(today, months), time.min))

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
    """Beat sweep: refresh rows computed before today, chunk by chunk."""
    today = today or timezone.localdate()
    done = 0
    while True:
        ids = list(
            Customer.objects.filter(Q(measures__isnull=True) | Q(measures__computed_on__lt=today))
            .order_by("pk").values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return done
        done += customer_measures_refresh(customer_ids=ids, today=today)
