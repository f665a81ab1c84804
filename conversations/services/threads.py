"""Threads: find or start one, assign, archive, mark read, team notices."""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling import services as clienteling_services
from clienteling.models import Channel, Customer, Store

from ..models import Conversation, ConversationReadState, Message
from ..selectors.rules import PREVIEW, Status, works_in

logger = logging.getLogger(__name__)

def message_sends_queue(*, message_ids: list[int]) -> None:
    """Queue the send task(s) for these stored messages once the transaction commits."""
    from ..tasks import message_dispatch, messages_dispatch

    if len(message_ids) == 1:
        message_dispatch.delay_on_commit(message_ids[0])
        return
    for start in range(0, len(message_ids), 100):
        messages_dispatch.delay_on_commit(message_ids[start:start + 100])


def customer_next_scheduled_refresh(*, customer_id: int) -> None:
    """The customer's next scheduled text, for the list's "next scheduled" column."""
    at = (Message.objects.filter(conversation__customer_id=customer_id, status=Status.SCHEDULED)
          .order_by("scheduled_for").values_list("scheduled_for", flat=True).first())
    clienteling_services.contact_history_set_next_scheduled(customer_id=customer_id, at=at)


def conversation_touch(*, conversation_id: int, at: datetime, preview: str) -> None:
    """A message went out or came in: the thread is open again, with its latest line."""
    Conversation.objects.filter(pk=conversation_id).update(
        last_message_at=at,
        last_message_preview=(preview or "")[:PREVIEW],
        status=Conversation.Status.OPEN, archive_reason="", archived_at=None,
    )


def conversation_get_or_create(*, customer: Customer, store: Store, channel: str, user=None) -> Conversation:
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
    """This user has seen everything in the thread so far; other users' unread stay as they are.

    One UPDATE on the usual path (the thread is polled while open).
    """
    now = timezone.now()
    counter = Subquery(Conversation.objects.filter(pk=OuterRef("conversation_id")).values("unread_count")[:1])
    if ConversationReadState.objects.filter(conversation=conversation, user=user).update(
            last_read_at=now, seen_count=counter):
        return
    seen = Conversation.objects.filter(pk=conversation.pk).values_list("unread_count", flat=True).first() or 0
    try:
        with transaction.atomic():
            ConversationReadState.objects.create(conversation=conversation, user=user, last_read_at=now,
                                                 seen_count=seen)
    except IntegrityError:  # a parallel poll made it first
        ConversationReadState.objects.filter(conversation=conversation, user=user).update(
            last_read_at=now, seen_count=counter)


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

