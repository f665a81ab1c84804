"""Inbox and thread reads, already scoped to what the user may see."""

from datetime import timedelta

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from clienteling.access import stores_for
from clienteling.models import Store

from ..models import Conversation, ConversationReadState, Message

Open, Archived = Conversation.Status.OPEN, Conversation.Status.ARCHIVED


def _seen_by(user):
    """What this user had seen of the thread's counter when they last read it."""
    return Coalesce(Subquery(ConversationReadState.objects.filter(
        conversation=OuterRef("pk"), user=user).values("seen_count")[:1]), Value(0),
        output_field=IntegerField())


def with_unread(queryset: QuerySet[Conversation], *, user) -> QuerySet[Conversation]:
    """Annotate `unread`: messages in the thread this user has not read (one subquery, no N+1)."""
    return queryset.annotate(unread=Greatest(F("unread_count") - _seen_by(user), Value(0)))


def _inbox(queryset: QuerySet[Conversation], *, user) -> QuerySet[Conversation]:
    return with_unread(queryset.select_related("customer", "store", "assigned_to"), user=user).order_by(
        "-last_message_at", "-id")


def my_inbox(*, user, archived: bool = False) -> QuerySet[Conversation]:
    """Threads I started or am assigned, in my stores, latest activity first."""
    return _inbox(Conversation.objects.filter(
        Q(assigned_to=user) | Q(started_by=user), status=Archived if archived else Open,
        store__in=stores_for(user)), user=user)


def store_inbox(*, user, store: Store, archived: bool = False) -> QuerySet[Conversation]:
    """Every thread on a store's numbers; nothing for staff of other stores."""
    if not stores_for(user).filter(pk=store.pk).exists():
        return Conversation.objects.none()
    return _inbox(Conversation.objects.filter(store=store, status=Archived if archived else Open), user=user)


def archived_inbox(*, user, store: Store | None = None) -> QuerySet[Conversation]:
    """Archived threads: mine, or a store's when `store` is given."""
    if store is not None:
        return store_inbox(user=user, store=store, archived=True)
    return my_inbox(user=user, archived=True)


def conversation_for_user(*, user, conversation_id) -> Conversation:
    """A thread on one of the user's stores, else 404 (ids cannot be probed)."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (Conversation.objects.select_related("customer", "store", "assigned_to")
             .filter(pk=conversation_id, store__in=stores_for(user)).first())
    if found is None:
        raise Http404
    return found


def conversation_messages(*, conversation: Conversation, before_id: int | None = None,
                          limit: int = 50) -> list[Message]:
    """One page of a thread, newest first; the next page is `before_id=page[-1].pk`."""
    messages = Message.objects.filter(conversation=conversation)
    if before_id is not None:
        anchor = (Message.objects.filter(pk=before_id, conversation=conversation)
                  .values_list("created_at", flat=True).first())
        if anchor is None:
            return []
        # The redundant bound is a range on the thread index: the scan starts at the anchor
        # and stops at the page, however long the thread (an OR alone reads all older rows).
        messages = messages.filter(Q(created_at__lt=anchor) | Q(pk__lt=before_id), created_at__lte=anchor)
    return list(messages.select_related("sent_by", "template").order_by("-created_at", "-id")[:limit])


# How often an open thread asks for news: at once while a message just sent waits for its
# delivery report, often while the conversation is live, rarely when it has gone quiet.
POLL_AWAITING_REPORT, POLL_LIVE, POLL_QUIET = 1, 5, 20
AWAITING = (Message.Status.QUEUED, Message.Status.SENDING, Message.Status.SENT)


def thread_poll_seconds(messages: list[Message], *, now) -> int:
    """The thread's next poll, from the messages it shows (no query)."""
    recent = [message for message in messages if now - message.created_at < timedelta(minutes=2)]
    if any(message.direction == Message.Direction.OUTBOUND and message.status in AWAITING
           for message in recent):
        return POLL_AWAITING_REPORT
    if messages and now - messages[-1].created_at < timedelta(minutes=10):
        return POLL_LIVE
    return POLL_QUIET


def unread_conversations(*, user) -> QuerySet[Conversation]:
    """Open threads with a message I have not read: my inbox, plus the unassigned
    threads of my stores (a first message waiting in the store inbox)."""
    stores = stores_for(user)
    mine = Q(assigned_to=user) | Q(started_by=user)
    waiting = Q(assigned_to__isnull=True)
    return (Conversation.objects.filter(mine | waiting, status=Open, store__in=stores, unread_count__gt=0)
            .alias(seen=_seen_by(user)).filter(unread_count__gt=F("seen")))


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return unread_conversations(user=user).count()


from .composer import composer_state, media_open, template_preview  # noqa: E402
from .rules import (  # noqa: E402
    HELP_KEYWORDS,
    MAX_BODY,
    START_KEYWORDS,
    STOP_KEYWORDS,
    ComposerState,
    consent_for,
    customer_tzinfo,
    images_allowed,
    marketing_allowed_at,
    send_refusal,
    skip_reason_label,
    window_closes_at,
    window_open,
    works_in,
)

__all__ = [
    "HELP_KEYWORDS", "MAX_BODY", "START_KEYWORDS", "STOP_KEYWORDS", "ComposerState", "archived_inbox",
    "composer_state", "consent_for", "conversation_for_user", "conversation_messages", "customer_tzinfo",
    "images_allowed", "marketing_allowed_at", "media_open", "my_inbox", "send_refusal",
    "skip_reason_label", "store_inbox", "template_preview", "unread_conversations", "unread_count",
    "window_closes_at", "window_open", "with_unread", "works_in",
]
