"""The rules every message must pass, in one place: consent, address, window, quiet hours, caps.

`send_refusal` is used by the composer, bulk outreach, scheduled dispatch and
the send task alike, so no path can skip one.
"""

import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clienteling.models import (
    Channel,
    ConsentState,
    Customer,
    CustomerConsent,
    CustomerContactHistory,
    StaffProfile,
    Store,
)

from ..models import Conversation, Message, MessageTemplate, StoreMessagingSettings
from ..providers import get_provider
from ..providers.addresses import recipient

Status = Message.Status
WINDOW = timedelta(hours=24)
MAX_BODY = 1600  # Twilio's limit for one (concatenated) message
MMS_COUNTRIES = {"US", "CA", "AU"}
PREVIEW = 160

TEXT_CHANNELS = {Channel.SMS, Channel.WHATSAPP}
STOP_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_KEYWORDS = {"START", "YES", "UNSTOP"}
HELP_KEYWORDS = {"HELP", "INFO"}
# Opt-outs the customer (or their carrier) made: nothing at all may be sent.
HARD_OPT_OUT_SOURCES = {CustomerConsent.Source.KEYWORD, CustomerConsent.Source.PROVIDER}

# Outbound delivery states only move up this ladder; failures end it.
RANK = {Status.QUEUED: 1, Status.SENDING: 2, Status.UNKNOWN: 2, Status.SENT: 3,
        Status.DELIVERED: 4, Status.READ: 5}
TERMINAL = {Status.FAILED, Status.UNDELIVERED}


# What the outreach report says for each rule that kept a customer out of a bulk send.
SKIP_REASONS = {
    "no_phone": gettext_lazy("No mobile number"),
    "no_email": gettext_lazy("No email address"),
    "cannot_text": gettext_lazy("Number cannot receive texts"),
    "opted_out": gettext_lazy("Opted out"),
    "no_consent": gettext_lazy("Has not opted in"),
    "not_opted_in": gettext_lazy("Has not opted in"),
    "not_mapped": gettext_lazy("Template not ready to send"),
    "template_channel": gettext_lazy("Template is for another channel"),
    "template_store": gettext_lazy("Template belongs to another store"),
    "window_closed": gettext_lazy("WhatsApp window closed"),
    "mms_unavailable": gettext_lazy("Images not allowed"),
    "frequency_cap": gettext_lazy("Already messaged in the last 24 hours"),
    "template_variable_missing": gettext_lazy("Missing information for the template"),
    "other_legal_entity": gettext_lazy("Customer of another legal entity"),
    "no_store": gettext_lazy("No store to send from"),
}


def skip_reason_label(code: str) -> str:
    return str(SKIP_REASONS.get(code, code))


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
    images_allowed: bool = False


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
    return bool(last and (now or timezone.now()) < last + WINDOW)


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


def images_allowed(conversation: Conversation, settings: StoreMessagingSettings) -> bool:
    """MMS where the store's country allows it; WhatsApp and email (as links) always."""
    if conversation.channel == Channel.SMS:
        return _mms_allowed(conversation.store, settings)
    return True


def _consent_label(consent: CustomerConsent) -> str:
    return Channel(consent.channel).label


def send_refusal(*, conversation: Conversation, customer: Customer,
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
    opted_in = consent is not None and consent.state == ConsentState.OPTED_IN
    if is_marketing and not opted_in and not ignore_consent:
        # Marketing, in bulk or one to one (a product share, a marketing template).
        return SendBlocked("no_consent", _("The customer has not opted in on this channel."))
    if (channel in TEXT_CHANNELS and not opted_in and not ignore_consent
            and kind != Message.Kind.OPT_IN and conversation.last_inbound_at is None):
        # Texts: only the opt-in request until the customer opts in or writes first.
        return SendBlocked("not_opted_in", _(
            "The customer has not opted in to %(channel)s yet. Send the opt-in request: once they "
            "reply START (or write to you first) you can send them messages.") % {
            "channel": Channel(channel).label})
    if template is not None:
        if template.status != MessageTemplate.Status.APPROVED or not template.active:
            return SendBlocked("not_mapped", _("Only an approved template can be sent."))
        if template.channel != channel:
            return SendBlocked("template_channel", _("This template is for another channel."))
        if template.store_id not in (None, conversation.store_id):
            return SendBlocked("template_store", _("This template belongs to another store."))
    if check_window and channel == Channel.WHATSAPP and not window_open(conversation, now):
        if template is None or not get_provider(channel).template_reference(template):
            return SendBlocked("window_closed", _(
                "The WhatsApp 24-hour window is closed: only an approved template can be sent "
                "until the customer writes again."))
    media_urls = list(media_urls or ())
    if media_urls and not images_allowed(conversation, settings):
        return SendBlocked("mms_unavailable", _("Images cannot be sent by text from this store."))
    if bulk and is_marketing and recent_bulk >= settings.bulk_cap_per_day:
        return SendBlocked("frequency_cap", _(
            "The customer already received %(count)s bulk marketing message(s) in the last 24 hours.")
            % {"count": recent_bulk})
    return None


def recent_bulk_counts(customer_ids: Iterable[int], now: datetime) -> dict[int, int]:
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

