"""The send task's work: claim, send with no transaction open, record; delivery reports."""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit, fit_fields
from clienteling import services as clienteling_services
from clienteling.models import ConsentState, CustomerConsent

from ..models import Message
from ..providers import (
    DeliveryReport,
    PermanentError,
    TransientError,
    UnknownOutcome,
    get_provider,
    ratelimit,
)
from ..providers.addresses import messaging_settings, sender_number
from ..selectors.rules import RANK, TERMINAL, SendBlocked, Status, consent_for, send_refusal

logger = logging.getLogger(__name__)

@dataclass
class DispatchOutcome:
    result: str  # sent | noop | failed | unknown | blocked | retry | rate_limited
    retry_after: float | None = None


def _sender_key(message: Message) -> str:
    conversation = message.conversation
    number = sender_number(conversation.store, conversation.channel)
    return f"{conversation.channel}:{number or conversation.store_id}"


def _dispatchsend_refusal(message: Message, now: datetime) -> SendBlocked | None:
    """Re-check consent and address at send time: things change while a message waits."""
    conversation = message.conversation
    return send_refusal(
        conversation=conversation, customer=conversation.customer,
        consent=consent_for(conversation.customer, conversation.channel),
        settings=messaging_settings(conversation.store), kind=message.kind,
        is_marketing=message.is_marketing, template=None, now=now,
        # The window and the template were checked when the message was written;
        # a scheduled message is re-checked by the scheduled sweep.
        check_window=False, ignore_consent=message.kind == Message.Kind.SYSTEM)


def message_transition(*, message_id: int, expected: Iterable[str], **fields) -> bool:
    """Move a message on from one of the `expected` states (guarded: two workers never both win)."""
    fields.setdefault("status_updated_at", timezone.now())
    return bool(Message.objects.filter(pk=message_id, status__in=list(expected)).update(
        **fit_fields(Message, fields)))


def message_dispatch(*, message_id: int, final_attempt: bool = False,
                     max_wait: float = 1.0) -> DispatchOutcome:
    """Claim a queued message and hand it to its provider; safe to call twice.

    A wait for the sender's rate of up to `max_wait` seconds is slept here; a longer one
    is handed back ("rate_limited") for the queue to wait, not the worker process.
    """
    message = (Message.objects.select_related("conversation__customer", "conversation__store")
               .filter(pk=message_id).first())
    if message is None or message.status != Status.QUEUED:
        return DispatchOutcome("noop")
    wait = _rate_limit_wait(_sender_key(message), max_wait=max_wait)
    if wait:
        return DispatchOutcome("rate_limited", retry_after=wait)
    # The claim: of two workers holding the same task, only one gets a row back.
    if not message_transition(message_id=message_id, expected=[Status.QUEUED], status=Status.SENDING,
                 send_attempts=F("send_attempts") + 1):
        return DispatchOutcome("noop")
    now = timezone.now()
    message.status, message.status_updated_at = Status.SENDING, now
    blocked = _dispatchsend_refusal(message, now)
    if blocked:
        message_transition(message_id=message_id, expected=[Status.SENDING], status=Status.BLOCKED,
              error_code=blocked.reason_code, error_message=blocked.messages[0])
        return DispatchOutcome("blocked")
    _assert_no_transaction()
    provider = get_provider(message.conversation.channel)
    try:
        result = provider.send(message)
    except TransientError as exc:
        if final_attempt:
            reason = _("Gave up after repeated errors: %(reason)s") % {"reason": exc.message}
            message_transition(message_id=message_id, expected=[Status.SENDING],
                               status=Status.FAILED, error_code=exc.code,
                               error_message=reason)
            return DispatchOutcome("failed")
        message_transition(message_id=message_id, expected=[Status.SENDING],
                           status=Status.QUEUED, error_code=exc.code,
                           error_message=exc.message)
        return DispatchOutcome("retry", retry_after=exc.retry_after)
    except PermanentError as exc:
        message_transition(message_id=message_id, expected=[Status.SENDING],
                           status=Status.FAILED, error_code=exc.code,
                           error_message=exc.message)
        _consequence_apply(message, consequence=exc.consequence, provider=provider.label, code=exc.code)
        return DispatchOutcome("failed")
    except UnknownOutcome as exc:
        message_transition(message_id=message_id, expected=[Status.SENDING],
                           status=Status.UNKNOWN, error_code=exc.code,
                           error_message=exc.message)
        return DispatchOutcome("unknown")
    except Exception:
        # A provider bug: the request may have left, so the row is reconciled, not left SENDING.
        message_transition(message_id=message_id, expected=[Status.SENDING], status=Status.UNKNOWN,
                           error_code="error", error_message=_(
                               "The send stopped on an unexpected error: checking with the provider "
                               "whether the message left."))
        raise
    status = result.status if result.status in RANK else Status.SENT
    if RANK.get(status, 0) < RANK[Status.SENT]:
        status = Status.SENT  # accepted by the provider
    if not message_transition(message_id=message_id, expected=[Status.SENDING],
                              status=status, provider_sid=result.provider_sid,
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
        # Opening a durable block is the check itself: it raises inside another atomic block.
        with transaction.atomic(durable=True):
            pass
    except RuntimeError as exc:
        raise RuntimeError("message_dispatch calls the network: run it outside a transaction") from exc


def _rate_limit_wait(key: str, *, max_wait: float = 1.0) -> float:
    """Wait briefly in the worker for a token; hand back longer waits to the queue."""
    for _attempt in range(5):
        wait = ratelimit.acquire(key)
        if wait <= 0:
            return 0.0
        if wait > max_wait:
            return wait
        time.sleep(wait)
    return max(max_wait, 0.01)


def message_give_up(*, message_id: int, reason: str = "") -> bool:
    """Retries exhausted on a queued message: mark it failed with the last error."""
    return message_transition(message_id=message_id, expected=[Status.QUEUED], status=Status.FAILED,
                 error_message=reason or _("Gave up after repeated errors."))


def _consequence_apply(message: Message, *, consequence: str, provider: str, code: str) -> None:
    """What a refusal means for the customer (the provider says it in the interface's terms)."""
    customer = message.conversation.customer
    if consequence == "opted_out":
        clienteling_services.customer_consent_set(
            customer=customer, channel=message.conversation.channel, state=ConsentState.OPTED_OUT,
            source=CustomerConsent.Source.PROVIDER, detail=f"{provider} {code}".strip(),
            message_id=message.pk)
    elif consequence == "cannot_text":
        clienteling_services.customer_mark_unable_to_text(customer=customer)


def message_status_update(*, report: DeliveryReport, provider: str = "", at: datetime | None = None) -> bool:
    """Apply a provider's delivery report; never moves a message backwards.

    `report.message_id` (our id, echoed by the provider) lets a report adopt a message
    whose send outcome was unknown. Returns whether anything changed.
    """
    new, provider_sid, message_id = report.status, report.provider_sid, report.message_id
    if new not in RANK and new not in TERMINAL or not provider_sid:
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
        logger.info("status %s for unknown message %s", new, provider_sid)
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
        fields["error_code"] = fit(Message, "error_code", report.error_code)
        fields["error_message"] = fit(Message, "error_message",
                                      report.reason or _("The message could not be delivered."))
    changed = Message.objects.filter(pk=message.pk, status__in=expected).update(**fields)
    if changed and new in TERMINAL:
        _consequence_apply(message, consequence=report.consequence, provider=provider,
                           code=report.error_code)
    return bool(changed)

