"""Messages from customers: routing to a store, prospects, keywords, assignment."""

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import update_rows
from clienteling import services as clienteling_services
from clienteling.events import event_occurred
from clienteling.models import (
    Channel,
    ConsentState,
    Customer,
    CustomerConsent,
    LegalEntity,
    Shift,
    StaffProfile,
    Store,
)
from clienteling.services.push import push_notify

from ..models import Conversation, Message, StoreMessagingSettings
from ..providers import InboundMessage
from ..providers.addresses import messaging_settings
from ..push import INBOUND_MESSAGE
from ..selectors.rules import (
    HELP_KEYWORDS,
    PREVIEW,
    START_KEYWORDS,
    STOP_KEYWORDS,
    SendBlocked,
    Status,
    consent_for,
    works_in,
)
from .sending import message_send

logger = logging.getLogger(__name__)
User = get_user_model()
KEYWORDS = STOP_KEYWORDS | START_KEYWORDS | HELP_KEYWORDS


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


def prospect_lock(*, legal_entity_id: int, number: str) -> None:
    """Serialise prospect creation for one number in one legal entity (inside a transaction).

    PostgreSQL: a transaction-scoped advisory lock on a hash of the pair, so other
    numbers never wait. Elsewhere: the legal entity's row (SQLite writes one at a time anyway).
    """
    if connection.vendor == "postgresql":
        digest = hashlib.blake2b(f"prospect:{legal_entity_id}:{number}".encode(), digest_size=8).digest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])
        return
    LegalEntity.objects.select_for_update().filter(pk=legal_entity_id).first()


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
                    received_at: datetime | None, profile_name: str = "") -> Message:
    """A message from a customer: thread, unread count, window, keywords, assignment.

    Idempotent on `provider_sid`: a replay returns the message already stored.
    """
    existing = Message.objects.filter(provider_sid=provider_sid).first()
    if existing is not None:
        return existing
    number = from_number.strip()
    received_at = received_at or timezone.now()
    body = body or ""
    try:
        with transaction.atomic():
            message = _inbound_store(store=store, number=number, channel=channel, body=body,
                                     media_urls=[str(u) for u in media_urls or () if u],
                                     provider_sid=provider_sid, received_at=received_at,
                                     profile_name=profile_name or "")
    except IntegrityError:
        # A concurrent replay stored it first (unique provider_sid).
        existing = Message.objects.filter(provider_sid=provider_sid).first()
        if existing is None:
            raise
        return existing
    return message


def _inbound_store(*, store, number, channel, body, media_urls, provider_sid, received_at,
                   profile_name) -> Message:
    now = timezone.now()
    customer = _customer_for_number(store, number)
    if customer is None:
        # Two first messages from one new number (different MessageSids) arrive together:
        # one prospect only. The lock lasts until this transaction ends; look again under it.
        prospect_lock(legal_entity_id=store.legal_entity_id, number=number)
        customer = _customer_for_number(store, number)
    if customer is None:
        customer = clienteling_services.customer_prospect_for_phone(
            legal_entity=store.legal_entity, store=store, phone=number, profile_name=profile_name)
    else:
        clienteling_services.customer_profile_name_note(customer=customer, profile_name=profile_name)
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
            source=CustomerConsent.Source.KEYWORD, detail=keyword, at=received_at, message_id=message.pk)
    elif keyword in START_KEYWORDS:
        current = consent_for(customer, channel)
        answered = current is not None and current.state == ConsentState.REQUESTED
        clienteling_services.customer_consent_set(
            customer=customer, channel=channel, state=ConsentState.OPTED_IN,
            source=CustomerConsent.Source.OPT_IN_REPLY if answered else CustomerConsent.Source.KEYWORD,
            detail=keyword, at=received_at, message_id=message.pk)
    elif keyword in HELP_KEYWORDS:
        help_text = messaging_settings(store).help_text or _(
            "Reply STOP to unsubscribe. Call the store for help.")
        # Transactional: allowed even to a customer who opted out.
        try:
            message_send(conversation=conversation, sender=None, body=help_text,
                          kind=Message.Kind.SYSTEM, ignore_consent=True)
        except SendBlocked as exc:  # e.g. a number that cannot receive texts: keep the inbound
            logger.info("no HELP reply on conversation %s: %s", conversation.pk, exc.reason_code)
    if keyword not in KEYWORDS:  # Atelier answers STOP, START and HELP itself
        push_notify(kind=INBOUND_MESSAGE, object_ids=[message.pk])
    event_occurred(event="message.received", legal_entity_id=customer.legal_entity_id, data={
        "message_id": message.pk, "conversation_id": conversation.pk, "customer_id": customer.pk,
        "customer_external_id": customer.external_id, "channel": channel, "body": body})
    return message



def inbound_receive_many(*, arrivals: list[tuple[InboundMessage, datetime]]) -> list[int]:
    """Messages from many customers at once (a batch of webhooks), with a few statements.

    Applied together: ordinary messages from known customers into threads that exist and
    have an owner, the bulk of a busy store's traffic. Returns the positions it left for
    `inbound_receive`, to be applied one by one in order: a first message, a prospect, an
    unknown number, a keyword (STOP, START, HELP), and every other message of a thread that
    has one of those in the batch, so a customer's messages keep their order. Run it in a
    transaction; a message already stored is neither applied nor left.
    """
    stored = set(Message.objects.filter(provider_sid__in=[a.provider_sid for a, _at in arrivals])
                 .values_list("provider_sid", flat=True))
    stores: dict[tuple[str, str], Store | None] = {}
    for inbound, _at in arrivals:
        key = (inbound.to_number, inbound.channel)
        if key not in stores:
            stores[key] = store_for_number(*key)
    numbers = {a.from_number.strip() for a, _at in arrivals}
    entities = {store.legal_entity_id for store in stores.values() if store is not None}
    customers: dict[tuple[int, str], list[Customer]] = {}
    for customer in Customer.objects.filter(legal_entity_id__in=entities, phone__in=numbers).order_by("pk"):
        customers.setdefault((customer.legal_entity_id, str(customer.phone)), []).append(customer)

    # Who wrote, to which thread: None where the message needs the one-by-one path.
    plan: list[tuple[Store, Customer] | None] = []
    for inbound, _at in arrivals:
        store = stores[(inbound.to_number, inbound.channel)]
        found = customers.get((store.legal_entity_id, inbound.from_number.strip())) if store else None
        if not found or (inbound.body or "").strip().upper() in KEYWORDS:
            plan.append(None)
            continue
        # As _customer_for_number: primary accounts first, then customers of this store.
        customer = min(found, key=lambda c, store=store: (
            c.primary_account_id is not None, c.home_store_id != store.pk, c.pk))
        plan.append((store, customer))
    wanted = [p for p in plan if p]
    threads = _threads_locked(wanted, channels={a.channel for a, _at in arrivals})
    # First messages from known customers whose own associate works in the store: their
    # threads are made here, owned by that associate (others take the one-by-one path).
    new = {(customer.pk, store.pk, inbound.channel): (customer, store)
           for (inbound, _at), planned in zip(arrivals, plan, strict=True) if planned
           for store, customer in [planned] if (customer.pk, store.pk, inbound.channel) not in threads}
    staffed = set(StaffProfile.objects.filter(
        active=True, user_id__in={c.primary_salesperson_id for c, _s in new.values()},
        stores__in={s.pk for _c, s in new.values()}).values_list("user_id", "stores"))
    owned = [Conversation(customer=customer, store=store, channel=channel, status=Conversation.Status.OPEN,
                          assigned_to_id=customer.primary_salesperson_id)
             for (_c, _s, channel), (customer, store) in new.items()
             if (customer.primary_salesperson_id, store.pk) in staffed]
    if owned:
        Conversation.objects.bulk_create(owned, ignore_conflicts=True)  # a concurrent first message wins
        threads = _threads_locked(wanted, channels={a.channel for a, _at in arrivals})

    left, held, mine = [], set(), []
    for position, ((inbound, received_at), planned) in enumerate(zip(arrivals, plan, strict=True)):
        if inbound.provider_sid in stored:
            continue
        thread = planned and threads.get((planned[1].pk, planned[0].pk, inbound.channel))
        sender = (inbound.to_number, inbound.channel, inbound.from_number.strip())
        if thread is None or thread.assigned_to_id is None or sender in held:
            left.append(position)
            held.add(sender)
            continue
        mine.append((inbound, received_at, planned[1], thread))
    if not mine:
        return left

    now = timezone.now()
    created = Message.objects.bulk_create([
        Message(conversation=thread, direction=Message.Direction.INBOUND, kind=Message.Kind.TEXT,
                body=inbound.body or "", media_urls=[str(u) for u in inbound.media_urls if u],
                status=Status.RECEIVED, provider_sid=inbound.provider_sid, status_updated_at=received_at)
        for inbound, received_at, _customer, thread in mine])
    changed: dict[int, dict] = {}
    for inbound, received_at, customer, thread in mine:
        unread = changed.get(thread.pk, {}).get("unread_count", 0) + 1
        changed[thread.pk] = {
            "status": Conversation.Status.OPEN, "archive_reason": "", "archived_at": None,
            "last_message_at": now, "last_inbound_at": received_at,
            "last_message_preview": _preview_of(inbound)[:PREVIEW], "unread_count": unread}
        clienteling_services.customer_profile_name_note(customer=customer, profile_name=inbound.profile_name)
    update_rows(Conversation, changed, add=("unread_count",))
    push_notify(kind=INBOUND_MESSAGE, object_ids=[message.pk for message in created])
    for message, (inbound, _received_at, customer, thread) in zip(created, mine, strict=True):
        event_occurred(event="message.received", legal_entity_id=customer.legal_entity_id, data={
            "message_id": message.pk, "conversation_id": thread.pk, "customer_id": customer.pk,
            "customer_external_id": customer.external_id, "channel": inbound.channel,
            "body": inbound.body or ""})
    clienteling_services.contact_history_record_inbound(entries=[
        (customer.pk, inbound.channel, _preview_of(inbound), received_at)
        for inbound, received_at, customer, _thread in mine])
    return left


def _threads_locked(wanted: list[tuple[Store, Customer]], *, channels: set[str]) -> dict:
    """The threads of these (store, customer) pairs, locked in id order, by (customer, store, channel)."""
    return {(c.customer_id, c.store_id, c.channel): c for c in Conversation.objects.select_for_update()
            .filter(customer_id__in={c.pk for _s, c in wanted}, store_id__in={s.pk for s, _c in wanted},
                    channel__in=channels).order_by("pk")}


def _preview_of(inbound: InboundMessage) -> str:
    return inbound.body or (_("Image") if inbound.media_urls else "")
