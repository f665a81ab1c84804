"""Conversations: every write (threads, sends, consent, inbound, delivery status, sweeps).

The rules a message must pass live in one place (`_blocking_reason`), used by
the composer, bulk outreach, scheduled dispatch and the send task alike, so
no path can skip one. Sending itself happens in a Celery task queued on
commit; `message_dispatch` claims the row, calls the provider with no
transaction open and records the outcome with guarded status updates.
"""

import json
import logging
import time
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Left
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling import services as clienteling_services
from clienteling.models import (
    Channel,
    ConsentState,
    Customer,
    CustomerConsent,
    CustomerContactHistory,
    Shift,
    StaffProfile,
    Store,
)

from .models import (
    ArchivePolicy,
    ClientelingEvent,
    Conversation,
    ConversationReadState,
    Message,
    MessageTemplate,
    StoreMessagingSettings,
    WebhookEvent,
)
from .providers import PermanentError, TransientError, UnknownOutcome, get_provider, ratelimit
from .providers.addresses import (
    messaging_settings,
    recipient,
    sender_number,
    strip_channel_prefix,
)
from .templating import (
    TemplateRenderError,
    render_text,
    share_public_url,
    template_placeholders,
    template_render,
    template_render_subject,
    template_variables_for,
)

logger = logging.getLogger(__name__)
User = get_user_model()

Status = Message.Status
WINDOW = timedelta(hours=24)
CHUNK = 500
MAX_BODY = 1600  # Twilio's limit for one (concatenated) message
MMS_COUNTRIES = {"US", "CA"}
PREVIEW = 160

STOP_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_KEYWORDS = {"START", "YES", "UNSTOP"}
HELP_KEYWORDS = {"HELP"}
# Opt-outs the customer (or their carrier) made: nothing at all may be sent.
HARD_OPT_OUT_SOURCES = {CustomerConsent.Source.KEYWORD, CustomerConsent.Source.PROVIDER}

# Outbound delivery states only move up this ladder; failures end it.
RANK = {Status.QUEUED: 1, Status.SENDING: 2, Status.UNKNOWN: 2, Status.SENT: 3,
        Status.DELIVERED: 4, Status.READ: 5}
TERMINAL = {Status.FAILED, Status.UNDELIVERED}
PROVIDER_STATUS = {
    "accepted": Status.QUEUED, "scheduled": Status.QUEUED, "queued": Status.QUEUED,
    "sending": Status.SENDING, "sent": Status.SENT, "delivered": Status.DELIVERED,
    "read": Status.READ, "undelivered": Status.UNDELIVERED, "failed": Status.FAILED,
    "canceled": Status.FAILED,
}


class SendBlocked(ValidationError):
    """A message may not be sent; nothing was written. `reason_code` says which rule."""

    def __init__(self, reason_code: str, message):
        super().__init__(message, code=reason_code)
        self.reason_code = reason_code


@dataclass(frozen=True)
class ComposerState:
    can_send_text: bool
    blocked_reason: str | None
    templates_only: bool
    window_closes_at: datetime | None
    consent_state: str


@dataclass
class DispatchOutcome:
    result: str  # sent | noop | failed | unknown | blocked | retry | rate_limited
    retry_after: float | None = None


@dataclass
class BulkSendReport:
    queued: int = 0
    scheduled: int = 0
    skipped: Counter = field(default_factory=Counter)
    message_ids: list[int] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.queued + self.scheduled


# --- small helpers ---------------------------------------------------------------------


def _now(now: datetime | None = None) -> datetime:
    return now or timezone.now()


def works_in(user, store: Store) -> bool:
    if user is None:
        return False
    return StaffProfile.objects.filter(user=user, active=True, stores=store).exists()


def consent_for(customer: Customer, channel: str) -> CustomerConsent | None:
    return CustomerConsent.objects.filter(customer=customer, channel=channel).first()


def window_open(conversation: Conversation, now: datetime | None = None) -> bool:
    """WhatsApp: only a message from the customer opens the 24-hour window."""
    if conversation.channel != Channel.WHATSAPP:
        return True
    last = conversation.last_inbound_at
    return bool(last and _now(now) < last + WINDOW)


def window_closes_at(conversation: Conversation) -> datetime | None:
    if conversation.channel != Channel.WHATSAPP or not conversation.last_inbound_at:
        return None
    return conversation.last_inbound_at + WINDOW


@lru_cache(maxsize=1)
def _known_zones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def customer_tzinfo(customer: Customer, store: Store) -> zoneinfo.ZoneInfo:
    """Quiet hours follow the customer's time zone when known, else the store's."""
    if customer.timezone and customer.timezone in _known_zones():
        return zoneinfo.ZoneInfo(customer.timezone)
    return store.tzinfo


def marketing_allowed_at(settings: StoreMessagingSettings, tz, at: datetime) -> tuple[bool, datetime]:
    """(allowed, when): whether marketing may go at `at`, else the next allowed time.

    Allowed from `quiet_hours_start` (inclusive) until `quiet_hours_end`
    (exclusive), in `tz`; a window may span midnight; equal bounds mean no
    quiet hours.
    """
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start == end:
        return True, at
    local = at.astimezone(tz)
    moment = local.time().replace(tzinfo=None)
    if start < end:
        allowed = start <= moment < end
    else:
        allowed = moment >= start or moment < end
    if allowed:
        return True, at
    day: date = local.date()
    if start < end and moment >= end:
        day += timedelta(days=1)
    return False, datetime.combine(day, start, tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))


def _mms_allowed(store: Store, settings: StoreMessagingSettings) -> bool:
    return settings.mms_enabled and (store.country or "").upper() in MMS_COUNTRIES


def _consent_label(consent: CustomerConsent) -> str:
    return Channel(consent.channel).label


def _blocking_reason(*, conversation: Conversation, customer: Customer,
                     consent: CustomerConsent | None, settings: StoreMessagingSettings,
                     kind: str, is_marketing: bool, template: MessageTemplate | None,
                     media_urls: Iterable[str] = (), bulk: bool = False, recent_bulk: int = 0,
                     now: datetime | None = None, check_window: bool = True,
                     ignore_consent: bool = False) -> SendBlocked | None:
    """The first rule this message breaks, as a SendBlocked; None when it may go."""
    channel = conversation.channel
    if not recipient(customer, channel):
        if channel == Channel.EMAIL:
            return SendBlocked("no_email", _("This customer has no email address."))
        return SendBlocked("no_phone", _("This customer has no mobile number."))
    if channel != Channel.EMAIL and not customer.can_receive_texts:
        return SendBlocked("cannot_text", _("This customer's number cannot receive texts."))
    opted_out = consent is not None and consent.state == ConsentState.OPTED_OUT
    if opted_out and not ignore_consent:
        hard = consent.source in HARD_OPT_OUT_SOURCES
        if hard or is_marketing or kind == Message.Kind.OPT_IN:
            return SendBlocked("opted_out", _("The customer opted out of %(channel)s on %(date)s.") % {
                "channel": _consent_label(consent),
                "date": timezone.localtime(consent.changed_at).date().isoformat()})
    if bulk and is_marketing and (consent is None or consent.state != ConsentState.OPTED_IN):
        return SendBlocked("no_consent", _("The customer has not opted in on this channel."))
    if template is not None:
        if template.status != MessageTemplate.Status.MAPPED or not template.active:
            return SendBlocked("not_mapped", _("Only an approved, mapped template can be sent."))
        if template.channel != channel:
            return SendBlocked("template_channel", _("This template is for another channel."))
        if template.store_id not in (None, conversation.store_id):
            return SendBlocked("template_store", _("This template belongs to another store."))
    if check_window and channel == Channel.WHATSAPP and not window_open(conversation, now):
        if template is None or not template.content_sid:
            return SendBlocked("window_closed", _(
                "The WhatsApp 24-hour window is closed: only an approved template can be sent "
                "until the customer writes again."))
    media_urls = list(media_urls or ())
    if media_urls and channel == Channel.SMS and not _mms_allowed(conversation.store, settings):
        return SendBlocked("mms_unavailable", _("Images cannot be sent by text from this store."))
    if bulk and is_marketing and recent_bulk >= settings.bulk_cap_per_day:
        return SendBlocked("frequency_cap", _(
            "The customer already received %(count)s bulk marketing message(s) in the last 24 hours.")
            % {"count": recent_bulk})
    return None


def _recent_bulk_counts(customer_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Bulk marketing messages per customer in the rolling 24 hours before `now`."""
    customer_ids = list(customer_ids)
    if not customer_ids:
        return {}
    since = now - timedelta(hours=24)
    # The contact history narrows the count to customers marketed to lately. Read
    # by primary key and filtered here: during a big send the index on
    # last_marketing_at matches every customer already done, and a plan using it
    # grows with each chunk.
    recent = [customer_id for customer_id, at in CustomerContactHistory.objects.filter(
        customer_id__in=customer_ids).values_list("customer_id", "last_marketing_at")
        if at is not None and at >= since]
    if not recent:
        return {}
    rows = (Message.objects.filter(
        conversation__customer_id__in=recent, direction=Message.Direction.OUTBOUND,
        bulk_job_id__isnull=False, is_marketing=True, created_at__gte=since)
        .exclude(status__in=[Status.FAILED, Status.BLOCKED])
        .values_list("conversation__customer_id").order_by())
    return Counter(customer_id for (customer_id,) in rows)


def _send_task_on_commit(message_ids: list[int]) -> None:
    from .tasks import send_message, send_messages

    if len(message_ids) == 1:
        message_id = message_ids[0]
        transaction.on_commit(lambda: send_message.delay(message_id))
        return
    for start in range(0, len(message_ids), 100):
        chunk = message_ids[start:start + 100]
        transaction.on_commit(lambda chunk=chunk: send_messages.delay(chunk))


def _refresh_next_scheduled(customer_id: int) -> None:
    at = (Message.objects.filter(conversation__customer_id=customer_id, status=Status.SCHEDULED)
          .order_by("scheduled_for").values_list("scheduled_for", flat=True).first())
    clienteling_services.contact_history_set_next_scheduled(customer_id=customer_id, at=at)


def _bump_conversation(conversation_id: int, *, at: datetime, preview: str) -> None:
    Conversation.objects.filter(pk=conversation_id).update(
        last_message_at=at,
        last_message_preview=(preview or "")[:PREVIEW],
        status=Conversation.Status.OPEN, archive_reason="", archived_at=None,
    )


# --- threads ---------------------------------------------------------------------------


def conversation_for(*, customer: Customer, store: Store, channel: str, user=None) -> Conversation:
    """The customer's thread with the store on a channel, created on first need.

    A new thread belongs to the customer's primary salesperson when they work
    in that store, else to the user starting it.
    """
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    if customer.legal_entity_id != store.legal_entity_id:
        raise ValidationError(_("This customer belongs to another legal entity."))
    found = Conversation.objects.filter(customer=customer, store=store, channel=channel).first()
    if found:
        return found
    owner = customer.primary_salesperson if works_in(customer.primary_salesperson, store) else user
    try:
        with transaction.atomic():
            return Conversation.objects.create(customer=customer, store=store, channel=channel,
                                               assigned_to=owner, started_by=user)
    except IntegrityError:
        return Conversation.objects.get(customer=customer, store=store, channel=channel)


def conversation_mark_read(*, conversation: Conversation, user) -> None:
    now = timezone.now()
    ConversationReadState.objects.update_or_create(
        conversation=conversation, user=user, defaults={"last_read_at": now})
    Conversation.objects.filter(pk=conversation.pk, unread_count__gt=0).update(unread_count=0)
    conversation.unread_count = 0


def conversation_assign(*, conversation: Conversation, assignee, by) -> Conversation:
    """Hand a thread to a colleague; they must work in the conversation's store."""
    if not works_in(assignee, conversation.store):
        raise ValidationError(_("%(name)s does not work in %(store)s.") % {
            "name": assignee.get_full_name() or assignee.get_username(),
            "store": conversation.store.name})
    Conversation.objects.filter(pk=conversation.pk).update(assigned_to=assignee)
    conversation.assigned_to = assignee
    logger.info("conversation %s assigned to %s by %s", conversation.pk, assignee.pk,
                getattr(by, "pk", None))
    return conversation


def conversation_archive(*, conversation: Conversation, by,
                         reason: str = Conversation.ArchiveReason.MANUAL) -> bool:
    now = timezone.now()
    changed = Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.OPEN).update(
        status=Conversation.Status.ARCHIVED, archive_reason=reason, archived_at=now)
    if changed:
        conversation.status, conversation.archive_reason = Conversation.Status.ARCHIVED, reason
        conversation.archived_at = now
    return bool(changed)


def conversation_unarchive(*, conversation: Conversation, by=None) -> bool:
    changed = Conversation.objects.filter(
        pk=conversation.pk, status=Conversation.Status.ARCHIVED).update(
        status=Conversation.Status.OPEN, archive_reason="", archived_at=None)
    if changed:
        conversation.status, conversation.archive_reason = Conversation.Status.OPEN, ""
        conversation.archived_at = None
    return bool(changed)


def conversation_notice_add(*, conversation: Conversation, body: str) -> Message:
    """A line in the thread for the store team only; never sent to the customer."""
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.OUTBOUND, kind=Message.Kind.SYSTEM,
        body=body, status=Status.SENT, sent_at=now, status_updated_at=now)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_message_preview=body[:PREVIEW], unread_count=F("unread_count") + 1)
    return message


# --- sending ---------------------------------------------------------------------------


def message_send(*, conversation: Conversation, sender, body: str = "", kind: str = Message.Kind.TEXT,
                 template: MessageTemplate | None = None, variables: dict | None = None,
                 media_urls: Iterable[str] = (), is_marketing: bool = False,
                 scheduled_for: datetime | None = None, bulk_job_id: int | None = None) -> Message:
    """Validate every rule, store the message and queue its send once committed.

    `variables` fills a template: "1", "2" ... set placeholders directly; other
    keys (product, collection, cart_link, custom_text ...) feed the mapped
    data sources. Raises SendBlocked (writing nothing) when a rule forbids it.
    Marketing outside the store's allowed hours is stored SCHEDULED for the
    next allowed time, with schedule_reason "quiet_hours".
    """
    return _message_send(conversation=conversation, sender=sender, body=body, kind=kind,
                         template=template, variables=variables, media_urls=media_urls,
                         is_marketing=is_marketing, scheduled_for=scheduled_for,
                         bulk_job_id=bulk_job_id)


def _message_send(*, conversation, sender, body="", kind=Message.Kind.TEXT, template=None,
                  variables=None, media_urls=(), is_marketing=False, scheduled_for=None,
                  bulk_job_id=None, intro: str = "", ignore_consent: bool = False,
                  use_content_api: bool = True) -> Message:
    now = timezone.now()
    media_urls = [str(url) for url in (media_urls or ()) if url]
    with transaction.atomic():
        # The row lock serialises sends on one thread (frequency cap, preview).
        conversation = (Conversation.objects.select_for_update(of=("self",))
                        .select_related("customer", "store").get(pk=conversation.pk))
        customer, store, channel = conversation.customer, conversation.store, conversation.channel
        settings = messaging_settings(store)
        consent = consent_for(customer, channel)
        bulk = bulk_job_id is not None
        recent = _recent_bulk_counts([customer.pk], now).get(customer.pk, 0) if bulk and is_marketing else 0
        blocked = _blocking_reason(
            conversation=conversation, customer=customer, consent=consent, settings=settings,
            kind=kind, is_marketing=is_marketing, template=template, media_urls=media_urls, bulk=bulk,
            recent_bulk=recent, now=now, ignore_consent=ignore_consent,
            # An opt-in request with an intro is free text: the window check applies to it.
            check_window=True)
        if blocked:
            raise blocked
        subject, content_sid, values = "", "", {}
        if template is not None:
            values = template_variables_for(template=template, customer=customer, sender=sender,
                                            store=store, extra=dict(variables or {}))
            try:
                rendered = template_render(template=template, variables=values)
                subject = template_render_subject(template=template, variables=values)
            except TemplateRenderError as exc:
                raise SendBlocked("template_variable_missing", exc.messages[0]) from exc
            if channel == Channel.WHATSAPP and template.content_sid and use_content_api:
                content_sid = template.content_sid
            body = rendered
            if kind == Message.Kind.TEXT:
                kind = Message.Kind.TEMPLATE
        body = (f"{intro.strip()}\n\n{body}" if intro.strip() else body or "").strip()
        if not body and not media_urls:
            raise SendBlocked("empty", _("Write a message first."))
        if len(body) > MAX_BODY and channel != Channel.EMAIL:
            raise SendBlocked("too_long", _("The message is longer than %(max)s characters.")
                              % {"max": MAX_BODY})
        status, reason, when = Status.QUEUED, "", None
        if scheduled_for and scheduled_for > now:
            status, reason, when = Status.SCHEDULED, Message.ScheduleReason.REQUESTED, scheduled_for
        if is_marketing:
            allowed, next_at = marketing_allowed_at(settings, customer_tzinfo(customer, store), when or now)
            if not allowed:
                status, reason, when = Status.SCHEDULED, Message.ScheduleReason.QUIET_HOURS, next_at
        message = Message.objects.create(
            conversation=conversation, direction=Message.Direction.OUTBOUND, kind=kind,
            is_marketing=is_marketing, body=body, subject=subject[:200], media_urls=media_urls,
            template=template, template_variables=values if template else {},
            content_sid=content_sid, status=status, schedule_reason=reason, scheduled_for=when,
            sent_by=sender if getattr(sender, "pk", None) else None, bulk_job_id=bulk_job_id,
        )
        if status == Status.QUEUED:
            _bump_conversation(conversation.pk, at=now, preview=body)
            clienteling_services.contact_history_record_message(
                customer_id=customer.pk, at=now, preview=body, inbound=False,
                is_marketing=is_marketing, channel=channel)
            _send_task_on_commit([message.pk])
        else:
            if conversation.status == Conversation.Status.ARCHIVED:
                conversation_unarchive(conversation=conversation)
            _refresh_next_scheduled(customer.pk)
    return message


def _opt_in_template(conversation: Conversation) -> MessageTemplate | None:
    return (MessageTemplate.objects.filter(
        channel=conversation.channel, event=ClientelingEvent.OPT_IN, active=True,
        status=MessageTemplate.Status.MAPPED)
        .filter(Q(store__isnull=True) | Q(store=conversation.store))
        .order_by(F("store_id").desc(nulls_last=True), "pk").first())


def opt_in_request(*, conversation: Conversation, sender) -> Message:
    """Introduction + the opt-in template (or the built-in text); consent becomes REQUESTED.

    WhatsApp outside the 24-hour window takes a template only, so the store's
    introduction is left out there.
    """
    settings = messaging_settings(conversation.store)
    intro = settings.opt_in_intro or ""
    template = _opt_in_template(conversation)
    with transaction.atomic():
        if template is not None:
            closed = not window_open(conversation)
            message = _message_send(
                conversation=conversation, sender=sender, kind=Message.Kind.OPT_IN, template=template,
                intro="" if (closed and template.content_sid) else intro,
                use_content_api=closed or not intro)
        else:
            message = _message_send(
                conversation=conversation, sender=sender, kind=Message.Kind.OPT_IN, intro=intro,
                body=_("Reply START to chat with us, STOP to opt out."))
        now = timezone.now()
        Conversation.objects.filter(pk=conversation.pk).update(opt_in_requested_at=now)
        conversation.opt_in_requested_at = now
        consent = consent_for(conversation.customer, conversation.channel)
        if consent is None or consent.state != ConsentState.OPTED_IN:
            clienteling_services.customer_consent_set(
                customer=conversation.customer, channel=conversation.channel,
                state=ConsentState.REQUESTED, source=CustomerConsent.Source.ASSOCIATE,
                detail=_("Opt-in request sent"), at=now)
    return message


def composer_state(*, conversation: Conversation, now: datetime | None = None) -> ComposerState:
    """What the composer may offer right now, with the reason when it may not."""
    now = _now(now)
    customer = conversation.customer
    consent = consent_for(customer, conversation.channel)
    state = consent.state if consent else ConsentState.UNKNOWN
    closes = window_closes_at(conversation)
    if closes is not None and closes <= now:
        closes = None
    blocked = _blocking_reason(
        conversation=conversation, customer=customer, consent=consent,
        settings=messaging_settings(conversation.store), kind=Message.Kind.TEXT,
        is_marketing=state == ConsentState.OPTED_OUT, template=None, now=now)
    if blocked is None:
        return ComposerState(True, None, False, closes, state)
    templates_only = blocked.reason_code == "window_closed"
    return ComposerState(False, blocked.messages[0], templates_only, closes, state)


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
    # Plain rows with only the fields the rules and the data sources read:
    # model instances (and parsing every phone number) were most of the Python
    # time at 100,000 customers.
    customers = [SimpleNamespace(pk=row["id"], phone=row.pop("phone_text"), **row)
                 for row in Customer.objects.filter(pk__in=list(customer_ids)).order_by("pk").values(
                     *BULK_CUSTOMER_FIELDS, phone_text=Cast("phone", CharField()))]
    if not customers:
        return report
    ids = [c.pk for c in customers]
    consents = {row["customer_id"]: SimpleNamespace(**row) for row in CustomerConsent.objects.filter(
        customer_id__in=ids, channel=channel).values("customer_id", "channel", "state", "source",
                                                     "changed_at")}
    recent = _recent_bulk_counts(ids, now) if is_marketing else {}
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
        blocked = _blocking_reason(
            conversation=conversation, customer=customer, consent=consents.get(customer.pk),
            settings=settings, kind=Message.Kind.TEMPLATE, is_marketing=is_marketing,
            template=template, bulk=True, recent_bulk=recent.get(customer.pk, 0), now=now)
        if blocked:
            report.skipped[blocked.reason_code] += 1
            continue
        extra = dict(variables or {})
        values = template_variables_for(template=template, customer=customer, sender=sender,
                                        store=store, extra=extra, mapping=mapping)
        try:
            body = render_text(template.body, values)
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
        rows.append(BulkRow(conversation_id, body, subject[:200], values, status, reason, when))
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
        _send_task_on_commit(queued_ids)
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
    content_sid = template.content_sid if channel == Channel.WHATSAPP else ""
    sender_id = getattr(sender, "pk", None)
    if not _fast_inserts():
        created = Message.objects.bulk_create([Message(
            conversation_id=r.conversation_id, direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.TEMPLATE, is_marketing=is_marketing, body=r.body, subject=r.subject,
            template_id=template.pk, template_variables=r.variables, content_sid=content_sid,
            status=r.status, schedule_reason=r.schedule_reason, scheduled_for=r.scheduled_for,
            sent_by_id=sender_id, bulk_job_id=bulk_job_id) for r in rows], batch_size=1000)
        return [(m.pk, m.status) for m in created]
    table = Message._meta.db_table
    sql = (f"INSERT INTO {table} (conversation_id, direction, kind, is_marketing, body, subject, "  # noqa: S608
           "media_urls, template_id, template_variables, content_sid, status, schedule_reason, "
           "error_code, error_message, idempotency_key, sent_by_id, bulk_job_id, scheduled_for, "
           "send_attempts, created_at) "
           "SELECT v.conversation_id, 'out', 'template', %(marketing)s, v.body, v.subject, '[]'::jsonb, "
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
            "sender": sender_id, "job": bulk_job_id, "now": now,
            "conversations": [r.conversation_id for r in rows], "bodies": [r.body for r in rows],
            "subjects": [r.subject for r in rows],
            "variables": [json.dumps(r.variables) for r in rows],
            "statuses": [r.status for r in rows], "reasons": [r.schedule_reason for r in rows],
            "scheduled": [r.scheduled_for for r in rows], "keys": [uuid.uuid4() for _r in rows]})
        return cursor.fetchall()


# --- the send task's work --------------------------------------------------------------


def _sender_key(message: Message) -> str:
    conversation = message.conversation
    number = sender_number(conversation.store, conversation.channel)
    return f"{conversation.channel}:{number or conversation.store_id}"


def _dispatch_blocking_reason(message: Message, now: datetime) -> SendBlocked | None:
    """Re-check consent and address at send time: things change while a message waits."""
    conversation = message.conversation
    return _blocking_reason(
        conversation=conversation, customer=conversation.customer,
        consent=consent_for(conversation.customer, conversation.channel),
        settings=messaging_settings(conversation.store), kind=message.kind,
        is_marketing=message.is_marketing, template=None, now=now,
        # The window and the template were checked when the message was written;
        # a scheduled message is re-checked by the scheduled sweep.
        check_window=False, ignore_consent=message.kind == Message.Kind.SYSTEM)


def _mark(message_id: int, *, expected: Iterable[str], **fields) -> bool:
    fields.setdefault("status_updated_at", timezone.now())
    return bool(Message.objects.filter(pk=message_id, status__in=list(expected)).update(**fields))


def message_dispatch(*, message_id: int, final_attempt: bool = False) -> DispatchOutcome:
    """Claim a queued message and hand it to its provider; safe to call twice."""
    message = (Message.objects.select_related("conversation__customer", "conversation__store")
               .filter(pk=message_id).first())
    if message is None or message.status != Status.QUEUED:
        return DispatchOutcome("noop")
    wait = _rate_limit_wait(_sender_key(message))
    if wait:
        return DispatchOutcome("rate_limited", retry_after=wait)
    # The claim: of two workers holding the same task, only one gets a row back.
    if not _mark(message_id, expected=[Status.QUEUED], status=Status.SENDING,
                 send_attempts=F("send_attempts") + 1):
        return DispatchOutcome("noop")
    now = timezone.now()
    message.status, message.status_updated_at = Status.SENDING, now
    blocked = _dispatch_blocking_reason(message, now)
    if blocked:
        _mark(message_id, expected=[Status.SENDING], status=Status.BLOCKED,
              error_code=blocked.reason_code[:16], error_message=blocked.messages[0][:255])
        return DispatchOutcome("blocked")
    _assert_no_transaction()
    provider = get_provider(message.conversation.channel)
    try:
        result = provider.send(message)
    except TransientError as exc:
        if final_attempt:
            reason = _("Gave up after repeated errors: %(reason)s") % {"reason": exc.message}
            _mark(message_id, expected=[Status.SENDING], status=Status.FAILED, error_code=exc.code[:16],
                  error_message=reason[:255])
            return DispatchOutcome("failed")
        _mark(message_id, expected=[Status.SENDING], status=Status.QUEUED, error_code=exc.code[:16],
              error_message=exc.message[:255])
        return DispatchOutcome("retry", retry_after=exc.retry_after)
    except PermanentError as exc:
        _mark(message_id, expected=[Status.SENDING], status=Status.FAILED, error_code=exc.code[:16],
              error_message=exc.message[:255])
        _apply_error_side_effects(message, exc.code)
        return DispatchOutcome("failed")
    except UnknownOutcome as exc:
        _mark(message_id, expected=[Status.SENDING], status=Status.UNKNOWN, error_code=exc.code[:16],
              error_message=exc.message[:255])
        return DispatchOutcome("unknown")
    status = PROVIDER_STATUS.get(result.status, Status.SENT)
    if RANK.get(status, 0) < RANK[Status.SENT]:
        status = Status.SENT  # accepted by the provider
    if not _mark(message_id, expected=[Status.SENDING], status=status, provider_sid=result.provider_sid,
                 sent_at=timezone.now(), error_code="", error_message=""):
        # A status callback carrying our id got here first and adopted the sid.
        Message.objects.filter(pk=message_id, provider_sid__isnull=True).update(
            provider_sid=result.provider_sid)
    provider.after_sent(message_id=message_id, result=result)
    return DispatchOutcome("sent")


def _assert_no_transaction() -> None:
    """No network call inside a database transaction (a durable block refuses to nest).

    Test cases' own wrapping transaction is allowed, as Django allows it for
    durable blocks.
    """
    try:
        with transaction.atomic(durable=True):
            pass
    except RuntimeError as exc:
        raise RuntimeError("message_dispatch calls the network: run it outside a transaction") from exc


def _rate_limit_wait(key: str) -> float:
    """Wait briefly in the worker for a token; hand back longer waits to the queue."""
    for _attempt in range(5):
        wait = ratelimit.acquire(key)
        if wait <= 0:
            return 0.0
        if wait > 1.0:
            return wait
        time.sleep(wait)
    return 1.0


def message_give_up(*, message_id: int, reason: str = "") -> bool:
    """Retries exhausted on a queued message: mark it failed with the last error."""
    return _mark(message_id, expected=[Status.QUEUED], status=Status.FAILED,
                 error_message=(reason or _("Gave up after repeated errors."))[:255])


def _apply_error_side_effects(message: Message, code: str) -> None:
    from .providers.twilio import OPTED_OUT_CODES, UNABLE_TO_TEXT_CODES

    customer = message.conversation.customer
    code = str(code or "")
    if code in OPTED_OUT_CODES:
        clienteling_services.customer_consent_set(
            customer=customer, channel=message.conversation.channel, state=ConsentState.OPTED_OUT,
            source=CustomerConsent.Source.PROVIDER, detail=f"Twilio {code}")
    elif code in UNABLE_TO_TEXT_CODES:
        clienteling_services.customer_mark_unable_to_text(customer=customer)


def message_status_update(*, provider_sid: str, status: str, error_code: str = "",
                          error_message: str = "", at: datetime | None = None,
                          message_id: int | str | None = None) -> bool:
    """Apply a provider's delivery report; never moves a message backwards.

    `message_id` (our `mid` on the status callback URL) lets a report adopt a
    message whose send outcome was unknown. Returns whether anything changed.
    """
    from .providers.twilio import reason_for

    new = PROVIDER_STATUS.get((status or "").lower())
    if new is None or not provider_sid:
        return False
    at = at or timezone.now()
    message = (Message.objects.select_related("conversation__customer")
               .filter(provider_sid=provider_sid, direction=Message.Direction.OUTBOUND).first())
    if message is None and message_id and str(message_id).isdigit():
        adopted = Message.objects.filter(
            pk=int(message_id), provider_sid__isnull=True, direction=Message.Direction.OUTBOUND,
            status__in=[Status.SENDING, Status.UNKNOWN]).update(provider_sid=provider_sid)
        if adopted:
            message = Message.objects.select_related("conversation__customer").get(pk=int(message_id))
    if message is None:
        logger.info("status %s for unknown message %s", status, provider_sid)
        return False
    if new in TERMINAL:
        expected = [s for s, rank in RANK.items() if rank < RANK[Status.DELIVERED]]
    else:
        expected = [s for s, rank in RANK.items() if rank < RANK[new]]
    fields = {"status": new, "status_updated_at": at}
    if RANK.get(new, 0) >= RANK[Status.SENT] or new in TERMINAL:
        fields["sent_at"] = Coalesce(F("sent_at"), at)
    if new in (Status.DELIVERED, Status.READ):
        fields["delivered_at"] = Coalesce(F("delivered_at"), at)
    if new in TERMINAL:
        code = str(error_code or "")
        fields["error_code"] = code[:16]
        fields["error_message"] = reason_for(code, error_message)[:255]
    changed = Message.objects.filter(pk=message.pk, status__in=expected).update(**fields)
    if changed and new in TERMINAL:
        _apply_error_side_effects(message, error_code)
    return bool(changed)


# --- sweeps ----------------------------------------------------------------------------


def scheduled_messages_send_due(*, now: datetime | None = None) -> int:
    """Queue scheduled messages whose time has come, re-checking every rule then."""
    now = _now(now)
    handled = 0
    while True:
        with transaction.atomic():
            batch = list(
                Message.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("conversation__customer", "conversation__store", "template")
                .filter(status=Status.SCHEDULED, scheduled_for__lte=now)
                .order_by("scheduled_for", "pk")[:CHUNK])
            if not batch:
                break
            queued = []
            for message in batch:
                _dispatch_due(message, now, queued)
            for message in queued:
                conversation = message.conversation
                _bump_conversation(conversation.pk, at=now, preview=message.body)
                clienteling_services.contact_history_record_message(
                    customer_id=conversation.customer_id, at=now, preview=message.body,
                    inbound=False, is_marketing=message.is_marketing, channel=conversation.channel)
            for customer_id in {m.conversation.customer_id for m in batch}:
                _refresh_next_scheduled(customer_id)
            if queued:
                _send_task_on_commit([m.pk for m in queued])
        handled += len(batch)
    return handled


def _dispatch_due(message: Message, now: datetime, queued: list) -> None:
    conversation = message.conversation
    customer, store = conversation.customer, conversation.store
    settings = messaging_settings(store)
    blocked = _blocking_reason(
        conversation=conversation, customer=customer, consent=consent_for(customer, conversation.channel),
        settings=settings, kind=message.kind, is_marketing=message.is_marketing,
        template=message.template, media_urls=message.media_urls, now=now,
        check_window=not message.content_sid, ignore_consent=message.kind == Message.Kind.SYSTEM)
    if blocked:
        Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(
            status=Status.BLOCKED, error_code=blocked.reason_code[:16],
            error_message=blocked.messages[0][:255], status_updated_at=now)
        return
    if message.is_marketing:
        allowed, next_at = marketing_allowed_at(settings, customer_tzinfo(customer, store), now)
        if not allowed:
            Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(
                scheduled_for=next_at, schedule_reason=Message.ScheduleReason.QUIET_HOURS)
            return
    if Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(
            status=Status.QUEUED, status_updated_at=now):
        queued.append(message)


def _archive_in_chunks(queryset, *, reason: str, now: datetime) -> int:
    archived = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.select_for_update(skip_locked=True, of=("self",))
                       .order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return archived
            archived += Conversation.objects.filter(pk__in=ids, status=Conversation.Status.OPEN).update(
                status=Conversation.Status.ARCHIVED, archive_reason=reason, archived_at=now)


def conversations_archive_due(*, now: datetime | None = None) -> dict[str, int]:
    """Archive open threads by the policy's thresholds (each reached at exactly N days)."""
    now = _now(now)
    policy = ArchivePolicy.load()
    open_threads = Conversation.objects.filter(status=Conversation.Status.OPEN)
    consent = CustomerConsent.objects.filter(customer_id=OuterRef("customer_id"),
                                             channel=OuterRef("channel"))
    opted_out = open_threads.filter(Exists(consent.filter(
        state=ConsentState.OPTED_OUT, changed_at__lte=now - timedelta(days=policy.opted_out_days))))
    unanswered = open_threads.filter(
        Exists(consent.filter(state=ConsentState.REQUESTED)),
        opt_in_requested_at__lte=now - timedelta(days=policy.unanswered_opt_in_days),
    ).filter(Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=F("opt_in_requested_at")))
    inactive = open_threads.annotate(activity=Coalesce("last_message_at", "created_at")).filter(
        activity__lte=now - timedelta(days=policy.inactive_days))
    Reason = Conversation.ArchiveReason
    return {
        Reason.OPTED_OUT: _archive_in_chunks(opted_out, reason=Reason.OPTED_OUT, now=now),
        Reason.OPT_IN_UNANSWERED: _archive_in_chunks(unanswered, reason=Reason.OPT_IN_UNANSWERED, now=now),
        Reason.INACTIVE: _archive_in_chunks(inactive, reason=Reason.INACTIVE, now=now),
    }


def messages_reconcile_unknown(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Settle sends whose outcome is unknown, without ever resending them.

    1. A message SENDING for longer than a send can take lost its worker
       mid-send: it becomes UNKNOWN (it may or may not have left).
    2. Each UNKNOWN message is looked up at the provider: found -> it takes the
       provider's id and status; not found after the give-up delay -> FAILED
       with a reason, for the associate to send again if they want.
    The status callback (which carries our message id) settles most of them first.
    """
    from django.conf import settings

    now = _now(now)
    stale = now - timedelta(seconds=getattr(settings, "MESSAGING_SENDING_STALE_SECONDS", 300))
    give_up = now - timedelta(seconds=getattr(settings, "MESSAGING_UNKNOWN_GIVE_UP_SECONDS", 3600))
    counts = Counter()
    counts["stuck"] = Message.objects.filter(status=Status.SENDING, status_updated_at__lt=stale).update(
        status=Status.UNKNOWN, error_code="worker_lost", status_updated_at=now,
        error_message=_("The send was interrupted; checking with the provider before anything else."))
    unknown = list(Message.objects.select_related("conversation__customer", "conversation__store")
                   .filter(status=Status.UNKNOWN).order_by("pk")[:limit])
    for message in unknown:
        try:
            found = get_provider(message.conversation.channel).lookup(message)
        except (TransientError, UnknownOutcome):
            counts["lookup_failed"] += 1
            continue
        except PermanentError as exc:
            logger.warning("lookup of message %s failed: %s", message.pk, exc.message)
            found = None
        if found is not None:
            status = PROVIDER_STATUS.get(found.status, Status.SENT)
            if status not in TERMINAL and RANK.get(status, 0) < RANK[Status.SENT]:
                status = Status.SENT
            try:
                if _mark(message.pk, expected=[Status.UNKNOWN], status=status,
                         provider_sid=found.provider_sid, sent_at=message.sent_at or now,
                         error_code="", error_message=""):
                    counts["found"] += 1
            except IntegrityError:
                counts["lookup_failed"] += 1
            continue
        if (message.status_updated_at or message.created_at) < give_up:
            if _mark(message.pk, expected=[Status.UNKNOWN], status=Status.FAILED, error_code="not_found",
                     error_message=_("The provider has no record of this message, so it was not "
                                     "sent. It was not resent automatically; send it again if needed.")):
                counts["given_up"] += 1
        else:
            counts["waiting"] += 1
    return dict(counts)


# --- inbound ---------------------------------------------------------------------------


def store_for_number(number: str, channel: str) -> Store | None:
    """The store a customer wrote to, by the number (or WhatsApp sender) they wrote to."""
    field = "whatsapp_sender" if channel == Channel.WHATSAPP else "sms_number"
    settings = (StoreMessagingSettings.objects.select_related("store")
                .filter(**{field: number}, store__active=True).first())
    if settings:
        return settings.store
    # A WhatsApp sender shared by every store (on the account) matches no store
    # here: the caller routes by the customer's last thread.
    return Store.objects.filter(clienteling_phone=number, active=True).order_by("pk").first()


def _customer_for_number(store: Store, number: str) -> Customer | None:
    found = list(Customer.objects.filter(legal_entity_id=store.legal_entity_id, phone=number)
                 .order_by("pk")[:20])
    if not found:
        return None
    # Primary accounts first, then customers of this store.
    found.sort(key=lambda c: (c.primary_account_id is not None, c.home_store_id != store.pk, c.pk))
    return found[0]


def _round_robin_assignee(store: Store, now: datetime):
    settings = (StoreMessagingSettings.objects.select_for_update()
                .filter(store=store, round_robin_enabled=True).first())
    if settings is None:
        return None
    on_shift = list(Shift.objects.filter(
        store=store, starts_at__lte=now, ends_at__gt=now, staff__is_active=True,
        staff__staff_profile__active=True).order_by("staff_id")
        .values_list("staff_id", flat=True).distinct())
    if not on_shift:
        return None
    last = settings.round_robin_last_user_id
    chosen = next((pk for pk in on_shift if last is None or pk > last), on_shift[0])
    StoreMessagingSettings.objects.filter(pk=settings.pk).update(round_robin_last_user_id=chosen)
    return User.objects.get(pk=chosen)


def inbound_receive(*, store: Store, from_number: str, to_number: str, channel: str, body: str,
                    media_urls: Iterable[str], provider_sid: str,
                    received_at: datetime | None) -> Message:
    """A message from a customer: thread, unread count, window, keywords, assignment.

    Idempotent on `provider_sid`: a replay returns the message already stored.
    """
    existing = Message.objects.filter(provider_sid=provider_sid).first()
    if existing is not None:
        return existing
    prefixed_channel, number = strip_channel_prefix(from_number)
    channel = channel or prefixed_channel
    received_at = received_at or timezone.now()
    body = body or ""
    try:
        with transaction.atomic():
            message = _inbound_store(store=store, number=number, channel=channel, body=body,
                                     media_urls=[str(u) for u in media_urls or () if u],
                                     provider_sid=provider_sid, received_at=received_at)
    except IntegrityError:
        # A concurrent replay stored it first (unique provider_sid).
        existing = Message.objects.filter(provider_sid=provider_sid).first()
        if existing is None:
            raise
        return existing
    return message


def _inbound_store(*, store, number, channel, body, media_urls, provider_sid, received_at) -> Message:
    now = timezone.now()
    customer = _customer_for_number(store, number)
    if customer is None:
        customer = clienteling_services.customer_prospect_for_phone(
            legal_entity=store.legal_entity, store=store, phone=number)
    conversation, _created = Conversation.objects.get_or_create(
        customer=customer, store=store, channel=channel)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.INBOUND, kind=Message.Kind.TEXT,
        body=body, media_urls=media_urls, status=Status.RECEIVED, provider_sid=provider_sid,
        status_updated_at=received_at)
    assignee_id = conversation.assigned_to_id
    if assignee_id is None:
        primary = customer.primary_salesperson
        if primary is not None and works_in(primary, store):
            assignee_id = primary.pk
        else:
            chosen = _round_robin_assignee(store, now)
            assignee_id = chosen.pk if chosen else None
    preview = body or (_("Image") if media_urls else "")
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.OPEN, archive_reason="", archived_at=None,
        last_message_at=now, last_inbound_at=received_at, last_message_preview=preview[:PREVIEW],
        unread_count=F("unread_count") + 1, assigned_to_id=assignee_id)
    conversation.refresh_from_db()
    clienteling_services.contact_history_record_message(
        customer_id=customer.pk, at=received_at, preview=preview, inbound=True, is_marketing=False,
        channel=channel)
    keyword = body.strip().upper()
    if keyword in STOP_KEYWORDS:
        clienteling_services.customer_consent_set(
            customer=customer, channel=channel, state=ConsentState.OPTED_OUT,
            source=CustomerConsent.Source.KEYWORD, detail=keyword, at=received_at)
    elif keyword in START_KEYWORDS:
        clienteling_services.customer_consent_set(
            customer=customer, channel=channel, state=ConsentState.OPTED_IN,
            source=CustomerConsent.Source.KEYWORD, detail=keyword, at=received_at)
    elif keyword in HELP_KEYWORDS:
        help_text = messaging_settings(store).help_text or _(
            "Reply STOP to unsubscribe. Call the store for help.")
        # Transactional: allowed even to a customer who opted out.
        try:
            _message_send(conversation=conversation, sender=None, body=help_text,
                          kind=Message.Kind.SYSTEM, ignore_consent=True)
        except SendBlocked as exc:  # e.g. a number that cannot receive texts: keep the inbound
            logger.info("no HELP reply on conversation %s: %s", conversation.pk, exc.reason_code)
    return message


# --- provider webhooks -----------------------------------------------------------------


def twilio_event_process(*, event_id: int) -> bool:
    """Act on one recorded Twilio callback; a processed event is a no-op."""
    event = WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).first()
    if event is None:
        return False
    payload = event.payload or {}
    if event.kind == "inbound":
        _twilio_inbound(payload, received_at=event.received_at)
    elif event.kind == "status":
        changed = message_status_update(
            provider_sid=payload.get("MessageSid") or payload.get("SmsSid") or "",
            status=payload.get("MessageStatus") or payload.get("SmsStatus") or "",
            error_code=payload.get("ErrorCode") or "", error_message=payload.get("ErrorMessage") or "",
            message_id=(payload.get("_query") or {}).get("mid"))
        if not changed:
            logger.info("twilio status event %s changed nothing", event.event_id)
    WebhookEvent.objects.filter(pk=event_id, processed_at__isnull=True).update(processed_at=timezone.now())
    return True


def webhook_events_requeue_stale(*, now: datetime | None = None, older_than: int = 120,
                                 limit: int = 1000) -> int:
    """Queue again the recorded events no task processed (a lost publish, a dead worker)."""
    from .tasks import process_twilio_event

    cutoff = _now(now) - timedelta(seconds=older_than)
    ids = list(WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    for event_id in ids:
        transaction.on_commit(lambda event_id=event_id: process_twilio_event.delay(event_id))
    return len(ids)


def _twilio_inbound(payload: dict, *, received_at: datetime) -> Message | None:
    channel, from_number = strip_channel_prefix(payload.get("From", ""))
    _channel, to_number = strip_channel_prefix(payload.get("To", ""))
    store = store_for_number(to_number, channel)
    if store is None and channel == Channel.WHATSAPP:
        last = (Conversation.objects.filter(customer__phone=from_number, channel=channel)
                .order_by("-last_message_at").select_related("store").first())
        store = last.store if last else None
    if store is None:
        logger.warning("inbound message %s to %s matches no store", payload.get("MessageSid"), to_number)
        return None
    count = int(payload.get("NumMedia") or 0) if str(payload.get("NumMedia") or "0").isdigit() else 0
    media = [payload[f"MediaUrl{i}"] for i in range(count) if payload.get(f"MediaUrl{i}")]
    return inbound_receive(store=store, from_number=from_number, to_number=to_number, channel=channel,
                           body=payload.get("Body", ""), media_urls=media,
                           provider_sid=payload.get("MessageSid") or payload.get("SmsSid"),
                           received_at=received_at)


def media_fetch(*, url: str) -> tuple[str, bytes]:
    """Inbound media, fetched with the Twilio account's credentials (for display)."""
    from .providers.twilio import media_fetch as twilio_media_fetch

    return twilio_media_fetch(url=url)


def twilio_test_message_send(*, account, to: str, from_number: str, channel: str = Channel.SMS,
                             body: str = "") -> str:
    """The admin's "send test message": straight through the Twilio provider; returns the SID."""
    from .providers.twilio import TwilioProvider

    body = body or _("Atelier test message: your Twilio account is set up.")
    params = {"to": to, "body": body}
    if channel == Channel.WHATSAPP:
        params.update(to=f"whatsapp:{to}", from_=f"whatsapp:{from_number}")
    elif account.messaging_service_sid and not from_number:
        params["messaging_service_sid"] = account.messaging_service_sid
    else:
        params["from_"] = from_number
    return TwilioProvider().send_raw(account=account, **params).provider_sid


# --- templates -------------------------------------------------------------------------


def template_approve(*, template: MessageTemplate) -> MessageTemplate:
    return _template_transition(template, expected=MessageTemplate.Status.RECEIVED,
                                new=MessageTemplate.Status.APPROVED, rejection_reason="")


def template_reject(*, template: MessageTemplate, reason: str = "") -> MessageTemplate:
    return _template_transition(template, expected=MessageTemplate.Status.RECEIVED,
                                new=MessageTemplate.Status.REJECTED, rejection_reason=reason[:255])


@transaction.atomic
def template_map(*, template: MessageTemplate, sources: dict | None = None) -> MessageTemplate:
    """Link every placeholder to a data source; APPROVED -> MAPPED when all are linked.

    `sources` ({1: "customer_first_name", ...}) writes the links first; without
    it the links already made (e.g. in the admin inline) are checked.
    """
    from .models import TemplateVariable

    if template.status != MessageTemplate.Status.APPROVED:
        raise ValidationError(_("Only an approved template can be mapped."), code="template_not_approved")
    for position, source in (sources or {}).items():
        if source not in TemplateVariable.Source.values:
            raise ValidationError(_("Unknown data source %(source)s.") % {"source": source})
        TemplateVariable.objects.update_or_create(template=template, position=int(position),
                                                  defaults={"source": source})
    linked = set(template.variables.exclude(source="").values_list("position", flat=True))
    missing = [n for n in template_placeholders(template) if n not in linked]
    if missing:
        raise ValidationError(
            _("Link a data source to %(placeholders)s first.")
            % {"placeholders": ", ".join(f"{{{{{n}}}}}" for n in missing)}, code="template_unmapped")
    if template.channel == Channel.WHATSAPP and not template.content_sid:
        raise ValidationError(_("A WhatsApp template needs its Twilio Content SID."),
                              code="template_no_content_sid")
    return _template_transition(template, expected=MessageTemplate.Status.APPROVED,
                                new=MessageTemplate.Status.MAPPED)


def _template_transition(template: MessageTemplate, *, expected: str, new: str, **fields) -> MessageTemplate:
    changed = MessageTemplate.objects.filter(pk=template.pk, status=expected).update(
        status=new, updated_at=timezone.now(), **fields)
    if not changed:
        raise ValidationError(
            _("The template is %(status)s; it must be %(expected)s for this.") % {
                "status": template.get_status_display(),
                "expected": MessageTemplate.Status(expected).label},
            code="template_status")
    template.refresh_from_db()
    return template


# --- sharing from the catalog ----------------------------------------------------------


def event_template(*, event: str, conversation: Conversation) -> MessageTemplate | None:
    """The mapped template of a clienteling event for the thread's channel (the store's first)."""
    return (MessageTemplate.objects.filter(
        event=event, channel=conversation.channel, status=MessageTemplate.Status.MAPPED, active=True)
        .filter(Q(store__isnull=True) | Q(store=conversation.store_id))
        .order_by(F("store_id").desc(nulls_last=True), "pk").first())


def catalog_share_send(*, conversation: Conversation, user, product=None, collection=None,
                       products=None) -> Message:
    """Share a product, a collection or a product list into a thread (public, login-free link).

    Uses the mapped template of that clienteling event for the thread's channel
    when there is one, else a short text with the link.
    """
    from catalog import services as catalog_services

    with transaction.atomic():
        if product is not None:
            share = catalog_services.product_share_create(product=product, created_by=user)
            event, extra = ClientelingEvent.PRODUCT_SHARING, {"product": product, "product_share": share}
            text = f"{product.title}: {share_public_url(share)}"
        elif collection is not None:
            share = catalog_services.collection_share_create(collection=collection, created_by=user)
            event = ClientelingEvent.COLLECTION_SHARING
            extra = {"collection": collection, "collection_share": share}
            text = f"{collection.name}: {share_public_url(share)}"
        else:
            share = catalog_services.product_list_share_create(products=list(products or []),
                                                               created_by=user)
            event, extra = ClientelingEvent.PRODUCT_LIST_SHARING, {"product_list_share": share}
            text = _("A selection for you: %(link)s") % {"link": share_public_url(share)}
        template = event_template(event=event, conversation=conversation)
        if template is not None:
            return message_send(conversation=conversation, sender=user, kind=Message.Kind.PRODUCT,
                                template=template, variables=extra)
        return message_send(conversation=conversation, sender=user, kind=Message.Kind.PRODUCT, body=text)
