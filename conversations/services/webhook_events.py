"""Recorded provider webhooks, acted on in batches; inbound images fetched for display.

Each event is read by the provider that sent it (an InboundMessage or a DeliveryReport):
nothing here knows a provider's field names.

A webhook records its event and asks for a *drain* of its kind (`webhook_events_drain_soon`);
at most one drain task per kind waits on the broker at a time, so a flood of callbacks
costs one task per batch, not one per event. A drain claims the oldest unprocessed events
(`FOR UPDATE SKIP LOCKED`), applies them and marks them processed in one transaction: a
worker killed mid-batch leaves the whole batch unprocessed for the next drain, never half
applied. Delivery reports are applied with a few set-based updates per batch (the ladder
of statuses makes their order irrelevant); inbound messages one by one, and one batch at
a time (an advisory lock), so a customer's messages keep their order.
"""

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from clienteling.models import Channel

from ..models import Conversation, Message, WebhookEvent
from ..providers import InboundMessage, get_provider, provider_by_name
from ..selectors.rules import RANK, TERMINAL, Status
from .dispatch import message_status_update
from .inbound import inbound_receive, inbound_receive_many, store_for_number

logger = logging.getLogger(__name__)

# Inbound messages run their rules one by one (threads, keywords, replies): smaller batches.
BATCH_SIZES = {"inbound": 100, "status": 500}
# A drain hands over to a fresh task after this long, so a flood never holds one worker
# process (or its claimed rows) for long: inbound drains share that worker (Procfile).
DRAIN_SECONDS = 2.0
# How long a queued drain keeps others from being queued; a lost one (a broker restart)
# stops new ones for no longer than this, and the stale sweep catches up in any case.
DRAIN_PENDING_SECONDS = 10


def webhook_events_drain_soon(*, kind: str, force: bool = False) -> bool:
    """Queue a drain of `kind` unless one is already waiting to start; whether one was queued."""
    from ..tasks import webhook_events_drain

    key = f"webhook-drain:{kind}"
    if not force and settings.MESSAGING_WEBHOOK_DRAINS_COALESCE:
        try:
            if not cache.add(key, 1, timeout=DRAIN_PENDING_SECONDS):
                return False
        except Exception:  # noqa: BLE001  no cache: queue one per event, as before
            logger.warning("cache unavailable: queueing a drain of %s events regardless", kind)
    try:
        webhook_events_drain.delay(kind=kind)
    except Exception:
        # Not queued: the next event must try again (the stale sweep catches up otherwise).
        cache.delete(key)
        raise
    return True


def webhook_events_drain(*, kind: str, batch_size: int | None = None,
                         seconds: float = DRAIN_SECONDS) -> int:
    """Apply the recorded events of `kind`, oldest first, batch by batch; how many were applied.

    Clears the "drain queued" mark first: an event recorded from now on either is seen by
    this drain or queues the next one.
    """
    try:
        cache.delete(f"webhook-drain:{kind}")
    except Exception:  # noqa: BLE001  the mark expires by itself
        logger.warning("cache unavailable: could not clear the drain mark of %s", kind)
    size = batch_size or BATCH_SIZES.get(kind, 100)
    deadline = time.monotonic() + seconds
    applied, failed = 0, set()
    while True:
        done, bad = _drain_batch(kind=kind, size=size, skip=failed)
        applied += done
        failed |= bad
        if done + len(bad) < size:
            return applied
        if time.monotonic() > deadline:
            # More waiting: hand over to a fresh task, behind whatever else queued meanwhile.
            transaction.on_commit(lambda: webhook_events_drain_soon(kind=kind, force=True))
            return applied


def _drain_batch(*, kind: str, size: int, skip: set[int]) -> tuple[int, set[int]]:
    """One claimed batch in one transaction: (events applied, events that failed)."""
    with transaction.atomic():
        if kind == "inbound":
            _one_drain_at_a_time(kind)
        events = list(WebhookEvent.objects.select_for_update(skip_locked=True)
                      .filter(kind=kind, processed_at__isnull=True).exclude(pk__in=skip)
                      .order_by("pk")[:size])
        if not events:
            return 0, set()
        if kind == "status":
            failed = _apply_delivery_reports(events)
        elif kind == "inbound":
            failed = _apply_inbound_messages(events)
        else:
            failed = {event.pk for event in events if not _apply_one(event)}
        done = [event.pk for event in events if event.pk not in failed]
        WebhookEvent.objects.filter(pk__in=done).update(processed_at=timezone.now())
    return len(done), failed


def _one_drain_at_a_time(kind: str) -> None:
    """PostgreSQL: wait for another drain of the same kind to commit its batch (order kept)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"webhook-drain:{kind}"])


def _apply_one(event: WebhookEvent) -> bool:
    """Act on one event in a savepoint: a bad one is logged and left for the stale sweep."""
    try:
        with transaction.atomic():
            _act(event)
    except Exception:
        logger.exception("%s %s event %s failed; left for a later attempt",
                         event.provider, event.kind, event.event_id)
        return False
    return True


def _act(event: WebhookEvent) -> None:
    provider = provider_by_name(event.provider)
    payload = event.payload or {}
    if event.kind == "inbound":
        inbound = provider.parse_inbound(payload)
        if inbound is not None:
            _receive(inbound, received_at=event.received_at)
    elif event.kind == "status":
        report = provider.parse_delivery_report(payload)
        if report is None or not message_status_update(report=report, provider=provider.label):
            logger.info("%s status event %s changed nothing", event.provider, event.event_id)


def _apply_inbound_messages(events: list[WebhookEvent]) -> set[int]:
    """A batch of inbound messages: most together, the rest one by one in order; failed ids."""
    arrivals = []
    for event in events:
        inbound = provider_by_name(event.provider).parse_inbound(event.payload or {})
        if inbound is not None:
            arrivals.append((event, inbound))
    try:
        with transaction.atomic():
            left = inbound_receive_many(
                arrivals=[(inbound, event.received_at) for event, inbound in arrivals])
    except Exception:
        logger.exception("a batch of %s inbound messages failed together; applying them one by one",
                         len(arrivals))
        left = range(len(arrivals))
    return {arrivals[position][0].pk for position in left if not _apply_one(arrivals[position][0])}


def _apply_delivery_reports(events: list[WebhookEvent]) -> set[int]:
    """A batch of delivery reports: a few guarded set-based updates; the failed events' ids.

    Reports for messages found by their provider id that only move a message up the
    ladder are applied together (one UPDATE per target status, guarded so a message never
    moves backwards). Failures (consent consequences), reports that must adopt a message
    by our own id, and every report for such a message go one by one, in order.
    """
    reports = []
    for event in events:
        provider = provider_by_name(event.provider)
        report = provider.parse_delivery_report(event.payload or {})
        known = report is not None and (report.status in RANK or report.status in TERMINAL)
        if known and report.provider_sid:
            reports.append((event, report))
    found = dict(Message.objects.filter(provider_sid__in={report.provider_sid for _e, report in reports},
                                        direction=Message.Direction.OUTBOUND)
                 .values_list("provider_sid", "pk"))
    one_by_one = {report.provider_sid for _e, report in reports
                  if report.provider_sid not in found or report.status in TERMINAL}
    best: dict[int, str] = {}
    failed: set[int] = set()
    for event, report in reports:
        if report.provider_sid in one_by_one:
            if not _apply_one(event):
                failed.add(event.pk)
            continue
        pk = found[report.provider_sid]
        if RANK[report.status] > RANK[best.get(pk, Status.QUEUED)]:
            best[pk] = report.status
    by_status = defaultdict(list)
    for pk, status in best.items():
        by_status[status].append(pk)
    now = timezone.now()
    for status, pks in by_status.items():
        fields = {"status": status, "status_updated_at": now}
        if RANK[status] >= RANK[Status.SENT]:
            fields["sent_at"] = Coalesce(F("sent_at"), now)
        if status in (Status.DELIVERED, Status.READ):
            fields["delivered_at"] = Coalesce(F("delivered_at"), now)
        below = [s for s, rank in RANK.items() if rank < RANK[status]]
        Message.objects.filter(pk__in=pks, status__in=below).update(**fields)
    return failed


def webhook_event_process(*, event_id: int) -> bool:
    """Act on one recorded webhook (tasks queued before batches existed); a processed one is a no-op."""
    with transaction.atomic():
        event = (WebhookEvent.objects.select_for_update(skip_locked=True)
                 .filter(pk=event_id, processed_at__isnull=True).first())
        if event is None:
            return False
        _act(event)
        WebhookEvent.objects.filter(pk=event_id).update(processed_at=timezone.now())
    return True


def webhook_events_requeue_stale(*, now: datetime | None = None, older_than: int = 120) -> int:
    """Drain again the kinds with events no drain applied (a lost publish, a dead worker)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=older_than)
    stale = (WebhookEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
             .values_list("kind", flat=True).distinct().order_by())
    kinds = sorted(set(stale))
    for kind in kinds:
        transaction.on_commit(lambda kind=kind: webhook_events_drain_soon(kind=kind, force=True))
    return len(kinds)


def _receive(inbound: InboundMessage, *, received_at: datetime) -> Message | None:
    store = store_for_number(inbound.to_number, inbound.channel)
    if store is None and inbound.channel == Channel.WHATSAPP:
        # A shared WhatsApp sender: the store the customer last wrote to.
        last = (Conversation.objects.filter(customer__phone=inbound.from_number, channel=inbound.channel)
                .order_by("-last_message_at").select_related("store").first())
        store = last.store if last else None
    if store is None:
        logger.warning("inbound message %s to %s matches no store", inbound.provider_sid, inbound.to_number)
        return None
    return inbound_receive(store=store, from_number=inbound.from_number, to_number=inbound.to_number,
                           channel=inbound.channel, body=inbound.body, media_urls=list(inbound.media_urls),
                           provider_sid=inbound.provider_sid, received_at=received_at,
                           profile_name=inbound.profile_name)


def media_fetch(*, conversation: Conversation, url: str) -> tuple[str, bytes]:
    """An image the customer sent, fetched from the provider with its credentials (for display)."""
    return get_provider(conversation.channel).media_fetch(url=url)
