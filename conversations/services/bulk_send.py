"""Bulk outreach for one chunk of customers, set-based, under the same rules as message_send."""

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast, Left
from django.utils import timezone

from catalog.db import fit
from clienteling import services as clienteling_services
from clienteling.models import Channel, Customer, CustomerConsent, StaffProfile, Store

from ..models import Conversation, Message, MessageTemplate
from ..providers import get_provider
from ..providers.addresses import messaging_settings
from ..selectors.rules import (
    PREVIEW,
    Status,
    customer_tzinfo,
    marketing_allowed_at,
    recent_bulk_counts,
    send_refusal,
)
from ..templating import (
    TemplateRenderError,
    render_text,
    template_media_urls,
    template_render,
    template_variables_for,
)
from .threads import message_sends_queue


@dataclass
class BulkSendReport:
    queued: int = 0
    scheduled: int = 0
    skipped: Counter = field(default_factory=Counter)
    message_ids: list[int] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.queued + self.scheduled


BULK_CUSTOMER_FIELDS = ("id", "legal_entity_id", "first_name", "last_name", "email",
                        "can_receive_texts", "primary_salesperson_id", "timezone", "home_store_id")


@transaction.atomic
def message_send_bulk(*, customer_ids: Iterable[int], store: Store, channel: str, sender,
                      template: MessageTemplate, variables: dict | None = None,
                      bulk_job_id: int, is_marketing: bool = True) -> BulkSendReport:
    """Bulk outreach for one chunk of customers, set-based: the same rules as message_send.

    The caller runs it per chunk inside a transaction (the bulk job runner
    does). Customers a rule excludes are counted in `skipped` by reason code.
    """
    now = timezone.now()
    report = BulkSendReport()
    settings = messaging_settings(store)
    mapping = list(template.variables.all())
    media_urls = template_media_urls(template)
    # Plain rows with only the fields the rules and the data sources read:
    # model instances (and parsing every phone number) were most of the Python
    # time at 100,000 customers.
    customers = [SimpleNamespace(pk=row["id"], phone=row.pop("phone_text"), **row)
                 for row in Customer.objects.filter(pk__in=list(customer_ids)).order_by("pk").values(
                     *BULK_CUSTOMER_FIELDS, phone_text=Cast("phone", CharField()))]
    # A store texts only the customers of its own legal entity, whatever the selection holds.
    foreign = [c for c in customers if c.legal_entity_id != store.legal_entity_id]
    if foreign:
        report.skipped["other_legal_entity"] += len(foreign)
        customers = [c for c in customers if c.legal_entity_id == store.legal_entity_id]
    if not customers:
        return report
    ids = [c.pk for c in customers]
    consents = {row["customer_id"]: SimpleNamespace(**row) for row in CustomerConsent.objects.filter(
        customer_id__in=ids, channel=channel).values("customer_id", "channel", "state", "source",
                                                     "changed_at")}
    recent = recent_bulk_counts(ids, now) if is_marketing else {}
    existing = {c.customer_id: c for c in Conversation.objects.filter(
        customer_id__in=ids, store=store, channel=channel).only(
        "id", "customer_id", "store_id", "channel", "last_inbound_at")}
    passing = []
    # A thread not made yet is checked as a new one (WhatsApp window closed).
    new_thread = Conversation(store=store, channel=channel)
    for thread in existing.values():
        thread.store = store
    for customer in customers:
        conversation = existing.get(customer.pk, new_thread)
        blocked = send_refusal(
            conversation=conversation, customer=customer, consent=consents.get(customer.pk),
            settings=settings, kind=Message.Kind.TEMPLATE, is_marketing=is_marketing,
            template=template, bulk=True, recent_bulk=recent.get(customer.pk, 0), now=now,
            media_urls=media_urls)
        if blocked:
            report.skipped[blocked.reason_code] += 1
            continue
        extra = dict(variables or {})
        values = template_variables_for(template=template, customer=customer, sender=sender,
                                        store=store, extra=extra, mapping=mapping)
        try:
            body = template_render(template=template, variables=values)
            subject = render_text(template.subject, values) if template.subject else ""
        except TemplateRenderError:
            report.skipped["template_variable_missing"] += 1
            continue
        status, reason, when = Status.QUEUED, "", None
        if is_marketing:
            allowed, next_at = marketing_allowed_at(settings, customer_tzinfo(customer, store), now)
            if not allowed:
                status, reason, when = Status.SCHEDULED, Message.ScheduleReason.QUIET_HOURS, next_at
        passing.append((customer, values, body, subject, status, reason, when))
    # New threads start with their first message as the preview; existing ones
    # are bumped by one UPDATE below.
    previews = {c.pk: (now, body) for c, _v, body, _s, status, *_r in passing if status == Status.QUEUED}
    conversations = _conversations_for_many([c for c, *_rest in passing], store=store, channel=channel,
                                            user=sender, existing=existing, previews=previews)
    rows, queued_previews, scheduled_at = [], [], {}
    bumped: list[int] = []
    for customer, values, body, subject, status, reason, when in passing:
        conversation_id = conversations[customer.pk]
        subject = fit(Message, "subject", subject)
        rows.append(BulkRow(conversation_id, body, subject, values, status, reason, when))
        if status == Status.QUEUED:
            if customer.pk in existing:
                bumped.append(conversation_id)
            queued_previews.append((customer.pk, body))
        else:
            scheduled_at.setdefault(when, []).append(customer.pk)
    created = _insert_bulk_messages(rows, template=template, channel=channel, sender=sender,
                                    is_marketing=is_marketing, bulk_job_id=bulk_job_id, now=now)
    queued_ids = [pk for pk, status in created if status == Status.QUEUED]
    if bumped:
        # One UPDATE; each thread's preview is its new message (bulk_update's CASE
        # per row is quadratic in the chunk size).
        preview = (Message.objects.filter(conversation_id=OuterRef("pk"), pk__in=queued_ids)
                   .order_by().values(text=Left("body", PREVIEW))[:1])
        Conversation.objects.filter(pk__in=bumped).update(
            last_message_at=now, last_message_preview=Subquery(preview),
            status=Conversation.Status.OPEN, archive_reason="", archived_at=None)
    clienteling_services.contact_history_record_messages(
        entries=queued_previews, at=now, is_marketing=is_marketing, channel=channel)
    for when, customer_ids_at in scheduled_at.items():
        clienteling_services.contact_history_set_next_scheduled_many(
            customer_ids=customer_ids_at, at=when)
    if queued_ids:
        message_sends_queue(message_ids=queued_ids)
    report.message_ids = sorted(pk for pk, _status in created)
    report.queued = len(queued_ids)
    report.scheduled = len(created) - report.queued
    return report


def _conversations_for_many(customers: list[Customer], *, store: Store, channel: str, user,
                            existing: dict[int, Conversation],
                            previews: dict[int, tuple[datetime, str]]) -> dict[int, int]:
    """customer id -> conversation id, creating the threads that do not exist yet."""
    found = {pk: c.pk for pk, c in existing.items()}
    missing = [c for c in customers if c.pk not in found]
    if missing:
        staff = set(StaffProfile.objects.filter(active=True, stores=store).values_list("user_id", flat=True))
        user_id = getattr(user, "pk", None)
        new = [(c.pk, c.primary_salesperson_id if c.primary_salesperson_id in staff else user_id,
                *previews.get(c.pk, (None, ""))) for c in missing]
        if _fast_inserts():
            found.update(_insert_conversations_postgresql(new, store=store, channel=channel, user_id=user_id))
        else:
            Conversation.objects.bulk_create([
                Conversation(customer_id=customer_id, store_id=store.pk, channel=channel,
                             started_by_id=user_id, assigned_to_id=assignee_id, last_message_at=at,
                             last_message_preview=preview[:PREVIEW])
                for customer_id, assignee_id, at, preview in new], ignore_conflicts=True, batch_size=1000)
        lost = [c.pk for c in missing if c.pk not in found]  # made meanwhile by someone else
        if lost:
            found.update(Conversation.objects.filter(customer_id__in=lost, store=store, channel=channel)
                         .values_list("customer_id", "pk"))
    return found


def _fast_inserts() -> bool:
    """Bulk outreach writes with INSERT ... SELECT FROM unnest(...) on PostgreSQL.

    Building 100,000 model instances and preparing every field was most of the
    time of a 100,000-customer send; the ORM path stays for SQLite.
    """
    return connection.vendor == "postgresql"


def _insert_conversations_postgresql(new: list, *, store: Store, channel: str,
                                     user_id: int | None) -> dict[int, int]:
    table = Conversation._meta.db_table
    sql = (f"INSERT INTO {table} (customer_id, store_id, channel, assigned_to_id, started_by_id, "  # noqa: S608
           "status, archive_reason, last_message_at, last_message_preview, unread_count, created_at) "
           "SELECT v.customer_id, %(store)s, %(channel)s, v.assignee_id, %(user)s, 'open', '', v.at, "
           "v.preview, 0, %(now)s FROM unnest(%(customers)s::bigint[], %(assignees)s::bigint[], "
           "%(ats)s::timestamptz[], %(previews)s::text[]) AS v(customer_id, assignee_id, at, preview) "
           "ON CONFLICT (customer_id, store_id, channel) DO NOTHING RETURNING customer_id, id")
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "store": store.pk, "channel": channel, "user": user_id, "now": timezone.now(),
            "customers": [row[0] for row in new], "assignees": [row[1] for row in new],
            "ats": [row[2] for row in new], "previews": [row[3][:PREVIEW] for row in new]})
        return dict(cursor.fetchall())


@dataclass(frozen=True)
class BulkRow:
    conversation_id: int
    body: str
    subject: str
    variables: dict
    status: str
    schedule_reason: str
    scheduled_for: datetime | None


def _insert_bulk_messages(rows: list[BulkRow], *, template, channel, sender, is_marketing, bulk_job_id,
                          now) -> list[tuple[int, str]]:
    """Store the chunk's messages; returns (id, status) of each."""
    content_sid = get_provider(channel).template_reference(template) if channel == Channel.WHATSAPP else ""
    media_urls = template_media_urls(template)  # a media template's header image
    sender_id = getattr(sender, "pk", None)
    if not _fast_inserts():
        created = Message.objects.bulk_create([Message(
            conversation_id=r.conversation_id, direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.TEMPLATE, is_marketing=is_marketing, body=r.body, subject=r.subject,
            media_urls=media_urls, template_id=template.pk, template_variables=r.variables,
            content_sid=content_sid,
            status=r.status, schedule_reason=r.schedule_reason, scheduled_for=r.scheduled_for,
            sent_by_id=sender_id, bulk_job_id=bulk_job_id) for r in rows], batch_size=1000)
        return [(m.pk, m.status) for m in created]
    table = Message._meta.db_table
    sql = (f"INSERT INTO {table} (conversation_id, direction, kind, is_marketing, body, subject, "  # noqa: S608
           "media_urls, template_id, template_variables, content_sid, status, schedule_reason, "
           "error_code, error_message, idempotency_key, sent_by_id, bulk_job_id, scheduled_for, "
           "send_attempts, created_at) "
           "SELECT v.conversation_id, 'out', 'template', %(marketing)s, v.body, v.subject, %(media)s::jsonb, "
           "%(template)s, v.variables::jsonb, %(content_sid)s, v.status, v.reason, '', '', v.key, "
           "%(sender)s, %(job)s, v.scheduled_for, 0, %(now)s "
           "FROM unnest(%(conversations)s::bigint[], %(bodies)s::text[], %(subjects)s::text[], "
           "%(variables)s::text[], %(statuses)s::text[], %(reasons)s::text[], "
           "%(scheduled)s::timestamptz[], %(keys)s::uuid[]) "
           "AS v(conversation_id, body, subject, variables, status, reason, scheduled_for, key) "
           "RETURNING id, status")
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "marketing": is_marketing, "template": template.pk, "content_sid": content_sid,
            "media": json.dumps(media_urls), "sender": sender_id, "job": bulk_job_id, "now": now,
            "conversations": [r.conversation_id for r in rows], "bodies": [r.body for r in rows],
            "subjects": [r.subject for r in rows],
            "variables": [json.dumps(r.variables) for r in rows],
            "statuses": [r.status for r in rows], "reasons": [r.schedule_reason for r in rows],
            "scheduled": [r.scheduled_for for r in rows], "keys": [uuid.uuid4() for _r in rows]})
        return cursor.fetchall()

