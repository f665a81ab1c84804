"""Beat sweeps: due scheduled messages, lost send tasks, auto-archiving, unknown send outcomes; batched."""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling import services as clienteling_services
from clienteling.models import ConsentState, CustomerConsent

from ..models import ArchivePolicy, Conversation, Message
from ..providers import PermanentError, TransientError, UnknownOutcome, get_provider
from ..providers.addresses import messaging_settings
from ..selectors.rules import (
    RANK,
    TERMINAL,
    Status,
    consent_for,
    customer_tzinfo,
    marketing_allowed_at,
    send_refusal,
)
from .dispatch import message_transition
from .threads import conversation_touch, customer_next_scheduled_refresh, message_sends_queue

logger = logging.getLogger(__name__)

CHUNK = 500


def scheduled_messages_send_due(*, now: datetime | None = None) -> int:
    """Queue scheduled messages whose time has come, re-checking every rule then."""
    now = now or timezone.now()
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
                conversation_touch(conversation_id=conversation.pk, at=now, preview=message.body)
                clienteling_services.contact_history_record_message(
                    customer_id=conversation.customer_id, at=now, preview=message.body,
                    inbound=False, is_marketing=message.is_marketing, channel=conversation.channel)
            for customer_id in {m.conversation.customer_id for m in batch}:
                customer_next_scheduled_refresh(customer_id=customer_id)
            if queued:
                message_sends_queue(message_ids=[m.pk for m in queued])
        handled += len(batch)
    return handled


def messages_requeue_stale(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue again the send tasks of messages queued too long ago (never sent twice).

    A task is lost when Redis restarts without its data, or when a worker dies between the
    commit that stored its messages and handing their tasks to the broker. A message still
    queued after MESSAGING_QUEUED_STALE_SECONDS is queued again and re-stamped (so at most
    once per that delay): the send claims the row first, so a task that was only late finds
    nothing left to do.
    """
    from django.conf import settings

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MESSAGING_QUEUED_STALE_SECONDS)
    with transaction.atomic():
        ids = list(Message.objects.select_for_update(skip_locked=True)
                   .filter(status=Status.QUEUED, created_at__lt=stale)
                   .filter(Q(status_updated_at__isnull=True) | Q(status_updated_at__lt=stale))
                   .order_by("created_at").values_list("pk", flat=True)[:limit])
        if ids:
            Message.objects.filter(pk__in=ids).update(status_updated_at=now)
            message_sends_queue(message_ids=ids)
    return len(ids)


def _dispatch_due(message: Message, now: datetime, queued: list) -> None:
    conversation = message.conversation
    customer, store = conversation.customer, conversation.store
    settings = messaging_settings(store)
    blocked = send_refusal(
        conversation=conversation, customer=customer, consent=consent_for(customer, conversation.channel),
        settings=settings, kind=message.kind, is_marketing=message.is_marketing,
        template=message.template, media_urls=message.media_urls, now=now,
        check_window=not message.content_sid, ignore_consent=message.kind == Message.Kind.SYSTEM)
    if blocked:
        Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(
            status=Status.BLOCKED, error_code=fit(Message, "error_code", blocked.reason_code),
            error_message=fit(Message, "error_message", blocked.messages[0]), status_updated_at=now)
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
    now = now or timezone.now()
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

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MESSAGING_SENDING_STALE_SECONDS)
    give_up = now - timedelta(seconds=settings.MESSAGING_UNKNOWN_GIVE_UP_SECONDS)
    counts = Counter()
    # The claim's time stays: the lookup searches the provider's messages from it.
    counts["stuck"] = Message.objects.filter(status=Status.SENDING, status_updated_at__lt=stale).update(
        status=Status.UNKNOWN, error_code="worker_lost",
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
            status = found.status if found.status in RANK or found.status in TERMINAL else Status.SENT
            if status not in TERMINAL and RANK.get(status, 0) < RANK[Status.SENT]:
                status = Status.SENT
            try:
                if message_transition(message_id=message.pk, expected=[Status.UNKNOWN], status=status,
                         provider_sid=found.provider_sid, sent_at=message.sent_at or now,
                         error_code="", error_message=""):
                    counts["found"] += 1
            except IntegrityError:
                counts["lookup_failed"] += 1
            continue
        if (message.status_updated_at or message.created_at) < give_up:
            if message_transition(message_id=message.pk, expected=[Status.UNKNOWN],
                                  status=Status.FAILED, error_code="not_found",
                                  error_message=_("The provider has no record of this message, so it was not "
                                  "sent. It was not resent automatically; send it again if needed.")):
                counts["given_up"] += 1
        else:
            counts["waiting"] += 1
    return dict(counts)

