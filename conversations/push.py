"""Web Push for a customer's new message (sent by clienteling.services.push, docs/pwa.md).

Told: the conversation's associate, or every colleague of its store while nobody looks
after it; only those who may open conversations, and only while the module is on. What
they read: the customer's name as the console shows it (never a phone number or an email)
and the first words of the message.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clienteling.models import StaffProfile
from clienteling.registry import PushKind, PushNotice

from .access import conversations_enabled
from .models import Message

INBOUND_MESSAGE = "inbound_message"
PREVIEW_WORDS = 20


def inbound_message_notices(object_ids) -> list[PushNotice]:
    if not conversations_enabled():
        return []
    messages = (Message.objects.filter(pk__in=object_ids, direction=Message.Direction.INBOUND)
                .select_related("conversation__customer").order_by("pk"))
    # A thread's newest message only: the device shows one notification per thread anyway.
    newest = {message.conversation_id: message for message in messages}
    conversations = [message.conversation for message in newest.values()]
    # Who could be told: the staff of the stores concerned who switched notifications on.
    candidates = set(StaffProfile.objects.filter(
        active=True, user__is_active=True, stores__in={c.store_id for c in conversations},
        user__push_subscriptions__isnull=False).values_list("stores", "user_id").distinct())
    # One query for everyone's right (their roles' groups), not a permission check per person.
    allowed = set(get_user_model().objects.with_perm(
        "conversations.access_conversations", backend="django.contrib.auth.backends.ModelBackend")
        .filter(pk__in={user_id for _store, user_id in candidates}).values_list("pk", flat=True))
    notices = []
    for message in newest.values():
        conversation = message.conversation
        staff = {user_id for store_id, user_id in candidates if store_id == conversation.store_id}
        told = {conversation.assigned_to_id} if conversation.assigned_to_id else staff
        user_ids = tuple(sorted(told & staff & allowed))
        if user_ids:
            notices.append(PushNotice(user_ids, partial(_render, message)))
    return notices


def _render(message: Message) -> dict:
    conversation = message.conversation
    preview = message.body or (_("Image") if message.media_urls else "")
    return {"title": _("New message from %(customer)s") % {"customer": conversation.customer},
            "body": Truncator(preview).words(PREVIEW_WORDS),
            "url": reverse("conversations:detail", args=[conversation.pk]),
            "tag": f"conversation-{conversation.pk}"}


KIND = PushKind(INBOUND_MESSAGE, gettext_lazy("A customer's new message"), inbound_message_notices)
