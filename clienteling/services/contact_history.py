"""Contact history and consent: the facts list filters need, written by conversations.

Conversations calls only these functions; it never writes clienteling tables
itself. Timestamps only move forward, so a late or replayed event cannot
make the list show an older "last text". Activities of a type that counts as
contact are recorded here too (by activity_create), so "communication within"
and the Last Contact column read one row, never the activities.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from catalog.db import fit, update_rows
from clienteling.models import (
    Activity,
    AuditAction,
    Channel,
    ConsentChange,
    ConsentState,
    Customer,
    CustomerConsent,
    CustomerContactHistory,
    LegalEntity,
    Store,
)

from .audit import audit_record

__all__ = [
    "contact_history_record_activity", "contact_history_record_inbound", "contact_history_record_message",
    "contact_history_record_messages", "contact_history_recount_activities",
    "contact_history_set_consent", "contact_history_set_next_scheduled",
    "contact_history_set_next_scheduled_many", "customer_consent_set",
    "customer_mark_unable_to_text", "customer_profile_name_note", "customer_prospect_for_phone",
]

TEXT_CHANNELS = {Channel.SMS, Channel.WHATSAPP}
CONSENT_FIELD = {Channel.SMS: "sms_consent", Channel.WHATSAPP: "whatsapp_consent",
                 Channel.EMAIL: "email_consent"}
MARKETING_FIELD = {Channel.SMS: "last_marketing_sms_at",
                   Channel.WHATSAPP: "last_marketing_whatsapp_at",
                   Channel.EMAIL: "last_marketing_email_at"}


def _ensure_row(customer_id: int) -> None:
    CustomerContactHistory.objects.bulk_create(
        [CustomerContactHistory(customer_id=customer_id)], ignore_conflicts=True)


def _not_after(field: str, at: datetime) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": at})


def _later(a, b):
    """The later of two datetimes, either of which may be NULL (one UPDATE, forward only).

    Greatest is NULL on SQLite when one side is: each side falls back on the other.
    """
    return Greatest(Coalesce(a, b), Coalesce(b, a), output_field=DateTimeField())


def _contact_at(at: datetime, *fields: str) -> dict:
    """`fields` moved forward to `at`, as update() keywords."""
    value = Value(at, output_field=DateTimeField())
    return {field: _later(F(field), value) for field in fields}


MESSAGE_FIELDS = ("last_message_at", "last_contact_at")


def contact_history_record_message(*, customer_id: int, at: datetime, preview: str, inbound: bool,
                                   is_marketing: bool, channel: str) -> None:
    """A message to or from the customer: last text (SMS/WhatsApp) and last marketing."""
    _ensure_row(customer_id)
    rows = CustomerContactHistory.objects.filter(customer_id=customer_id)
    if channel in TEXT_CHANNELS:
        # A text older than the last one is older than the last message too: nothing to move.
        rows.filter(_not_after("last_text_at", at)).update(
            last_text_at=at, last_text_preview=_preview(preview), last_text_inbound=inbound,
            updated_at=timezone.now(), **_contact_at(at, *MESSAGE_FIELDS))
    else:
        rows.update(updated_at=timezone.now(), **_contact_at(at, *MESSAGE_FIELDS))
    if is_marketing and not inbound:
        rows.filter(_not_after("last_marketing_at", at)).update(last_marketing_at=at)
        field = MARKETING_FIELD.get(channel)
        if field:
            rows.filter(_not_after(field, at)).update(**{field: at})


def contact_history_record_inbound(*, entries: Iterable[tuple[int, str, str, datetime]]) -> int:
    """Messages from many customers (a batch of webhooks): each one's latest text, forward only.

    `entries` are (customer_id, channel, preview, at). Three statements whatever the count;
    run inside the caller's transaction (the rows are locked while compared).
    """
    latest: dict[int, tuple[str, datetime]] = {}
    for customer_id, channel, preview, at in entries:
        if channel in TEXT_CHANNELS and (customer_id not in latest or at >= latest[customer_id][1]):
            latest[customer_id] = (preview, at)
    if not latest:
        return 0
    CustomerContactHistory.objects.bulk_create(
        [CustomerContactHistory(customer_id=pk) for pk in latest], ignore_conflicts=True)
    now, changed = timezone.now(), {}
    for pk, customer_id, last_text_at, last_message_at, last_contact_at in (
            CustomerContactHistory.objects.select_for_update().filter(customer_id__in=latest)
            .order_by("customer_id")
            .values_list("pk", "customer_id", "last_text_at", "last_message_at", "last_contact_at")):
        preview, at = latest[customer_id]
        if last_text_at is None or last_text_at <= at:
            changed[pk] = {"last_text_at": at, "last_text_preview": _preview(preview),
                           "last_text_inbound": True, "updated_at": now,
                           "last_message_at": max(at, last_message_at or at),
                           "last_contact_at": max(at, last_contact_at or at)}
    return update_rows(CustomerContactHistory, changed)


def contact_history_record_messages(*, entries: Iterable[tuple[int, str]], at: datetime,
                                    is_marketing: bool, channel: str) -> int:
    """Outbound messages to many customers at one time (bulk sends), in one statement.

    `entries` are (customer_id, preview). Rows whose history is newer stay as
    they are only for texts; a bulk send happens "now", so it is the newest.
    """
    entries = list(entries)
    if not entries:
        return 0
    if connection.vendor == "postgresql":
        return _record_messages_postgresql(entries, at=at, is_marketing=is_marketing, channel=channel)
    text = channel in TEXT_CHANNELS
    # "Now" is the newest: the message facts are simply set (PostgreSQL's path keeps the later).
    update_fields = ["updated_at", *MESSAGE_FIELDS]
    rows = []
    now = timezone.now()
    for customer_id, preview in entries:
        row = CustomerContactHistory(customer_id=customer_id, updated_at=now, last_message_at=at,
                                     last_contact_at=at)
        if text:
            row.last_text_at, row.last_text_inbound = at, False
            row.last_text_preview = _preview(preview)
        if is_marketing:
            row.last_marketing_at = at
            if MARKETING_FIELD.get(channel):
                setattr(row, MARKETING_FIELD[channel], at)
        rows.append(row)
    if text:
        update_fields += ["last_text_at", "last_text_preview", "last_text_inbound"]
    if is_marketing:
        update_fields += ["last_marketing_at", MARKETING_FIELD[channel]]
    CustomerContactHistory.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["customer"], update_fields=update_fields,
        batch_size=2000)
    return len(rows)


def _record_messages_postgresql(entries, *, at, is_marketing: bool, channel: str) -> int:
    """One INSERT ... ON CONFLICT from arrays (unnest): no model instances, one query plan."""
    text = channel in TEXT_CHANNELS
    marketing_field = MARKETING_FIELD[channel] if is_marketing else None
    # (column, value for a new row); existing rows only get the `updates`.
    inserted = [("customer_id", "v.customer_id"), ("updated_at", "%(now)s"),
                ("last_text_at", "%(at)s" if text else "NULL"),
                ("last_text_preview", "v.preview" if text else "''"), ("last_text_inbound", "false"),
                ("last_marketing_at", "%(at)s" if marketing_field else "NULL"),
                *[(f, "%(at)s" if f == marketing_field else "NULL") for f in MARKETING_FIELD.values()],
                ("sms_consent", "'unknown'"), ("whatsapp_consent", "'unknown'"),
                ("email_consent", "'unknown'"),
                *[(f, "%(at)s") for f in MESSAGE_FIELDS]]
    table = CustomerContactHistory._meta.db_table
    updates = ["updated_at = EXCLUDED.updated_at",
               *[f"{f} = GREATEST({table}.{f}, EXCLUDED.{f})" for f in MESSAGE_FIELDS]]
    if text:
        updates += ["last_text_at = EXCLUDED.last_text_at",
                    "last_text_preview = EXCLUDED.last_text_preview", "last_text_inbound = false"]
    if marketing_field:
        updates += ["last_marketing_at = EXCLUDED.last_marketing_at",
                    f"{marketing_field} = EXCLUDED.{marketing_field}"]
    sql = (f"INSERT INTO {table} "  # noqa: S608  fixed names only
           f"({', '.join(c for c, _v in inserted)}) SELECT {', '.join(v for _c, v in inserted)} "
           f"FROM unnest(%(ids)s::bigint[], %(previews)s::text[]) AS v(customer_id, preview) "
           f"ON CONFLICT (customer_id) DO UPDATE SET {', '.join(updates)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": timezone.now(), "at": at, "ids": [pk for pk, _p in entries],
                             "previews": [_preview(p) for _pk, p in entries]})
    return len(entries)


def contact_history_record_activity(*, customer_id: int, at: datetime) -> None:
    """An activity of a type that counts as contact: the customer was reached at `at`."""
    _ensure_row(customer_id)
    CustomerContactHistory.objects.filter(customer_id=customer_id).update(
        updated_at=timezone.now(), **_contact_at(at, "last_activity_contact_at", "last_contact_at"))


RECOUNT_CHUNK = 2000


def contact_history_recount_activities(*, customer_ids: Iterable[int] = (), activity_type=None) -> int:
    """Work the activity facts out again for these customers (or those with activities of
    `activity_type`), from their activities.

    For changes that do not only move time forward: an activity type that now counts
    or no longer does, an activity edited or deleted. Set-based, in chunks.
    """
    ids = set(customer_ids)
    if activity_type is not None:
        ids.update(Activity.objects.filter(activity_type=activity_type)
                   .values_list("customer_id", flat=True).distinct())
    ids = sorted(ids)
    latest = (Activity.objects.filter(customer_id=OuterRef("customer_id"),
                                      activity_type__counts_as_contact=True)
              .order_by("-occurred_at").values("occurred_at")[:1])
    for start in range(0, len(ids), RECOUNT_CHUNK):
        chunk = ids[start:start + RECOUNT_CHUNK]
        CustomerContactHistory.objects.bulk_create(
            [CustomerContactHistory(customer_id=pk) for pk in chunk], ignore_conflicts=True)
        rows = CustomerContactHistory.objects.filter(customer_id__in=chunk)
        rows.update(last_activity_contact_at=Subquery(latest))
        rows.update(last_contact_at=_later(F("last_message_at"), F("last_activity_contact_at")),
                    updated_at=timezone.now())
    return len(ids)


def contact_history_set_consent(*, customer_id: int, channel: str, state: str) -> None:
    field = CONSENT_FIELD[channel]
    _ensure_row(customer_id)
    CustomerContactHistory.objects.filter(customer_id=customer_id).update(
        **{field: state}, updated_at=timezone.now())


def contact_history_set_next_scheduled(*, customer_id: int, at: datetime | None) -> None:
    """The next scheduled text (None clears it), for the grid's Scheduled Text column."""
    _ensure_row(customer_id)
    CustomerContactHistory.objects.filter(customer_id=customer_id).update(
        next_scheduled_text_at=at, updated_at=timezone.now())


def contact_history_set_next_scheduled_many(*, customer_ids: Iterable[int], at: datetime) -> int:
    """Many customers got a text scheduled at `at`: keep each one's earliest."""
    customer_ids = list(customer_ids)
    CustomerContactHistory.objects.bulk_create(
        [CustomerContactHistory(customer_id=pk) for pk in customer_ids], ignore_conflicts=True,
        batch_size=2000)
    return CustomerContactHistory.objects.filter(customer_id__in=customer_ids).filter(
        Q(next_scheduled_text_at__isnull=True) | Q(next_scheduled_text_at__gt=at)).update(
        next_scheduled_text_at=at, updated_at=timezone.now())


@transaction.atomic
def customer_consent_set(*, customer: Customer, channel: str, state: str, source: str,
                         detail: str = "", at: datetime | None = None, changed_by=None,
                         message_id: int | None = None) -> CustomerConsent:
    """Record consent on one channel: the current state, a line of its history, the list facts.

    `changed_by` is the staff member who recorded it (none for the customer's own keyword
    or the provider), `message_id` the message that caused it.
    """
    if state not in ConsentState.values:
        raise ValueError(f"unknown consent state {state!r}")
    if source not in CustomerConsent.Source.values:
        raise ValueError(f"unknown consent source {source!r}")
    at = at or timezone.now()
    detail = detail[:CustomerConsent._meta.get_field("detail").max_length]
    with transaction.atomic():
        consent, _created = CustomerConsent.objects.update_or_create(
            customer=customer, channel=channel,
            defaults={"state": state, "changed_at": at, "source": source, "detail": detail},
        )
        ConsentChange.objects.create(
            customer=customer, channel=channel, state=state, source=source, detail=detail,
            changed_by=changed_by if getattr(changed_by, "pk", None) else None, changed_at=at,
            message_id=message_id)
        contact_history_set_consent(customer_id=customer.pk, channel=channel, state=state)
        audit_record(action=AuditAction.CONSENT_CHANGE, actor=changed_by, customer=customer,
                     target=channel, detail={"channel": channel, "state": state, "source": source,
                                             "message_id": message_id})
    return consent


def customer_mark_unable_to_text(*, customer: Customer) -> None:
    """The provider says the number cannot receive texts (not valid, not mobile)."""
    Customer.objects.filter(pk=customer.pk, can_receive_texts=True).update(
        can_receive_texts=False, updated_at=timezone.now())
    customer.can_receive_texts = False


def customer_prospect_for_phone(*, legal_entity: LegalEntity, store: Store, phone: str,
                                profile_name: str = "") -> Customer:
    """A prospect customer for a first message from an unknown number."""
    customer = Customer(legal_entity=legal_entity, home_store=store, phone=phone, is_prospect=True,
                        currency=store.currency or legal_entity.default_currency,
                        profile_name=profile_name[:Customer._meta.get_field("profile_name").max_length])
    customer.save()
    return customer


def customer_profile_name_note(*, customer: Customer, profile_name: str) -> None:
    """Keep the messaging app's name for a customer who has no name of their own yet."""
    profile_name = profile_name.strip()[:Customer._meta.get_field("profile_name").max_length]
    if profile_name and not customer.full_name and customer.profile_name != profile_name:
        Customer.objects.filter(pk=customer.pk).update(profile_name=profile_name)
        customer.profile_name = profile_name


def _preview(text: str | None) -> str:
    return fit(CustomerContactHistory, "last_text_preview", text or "")
