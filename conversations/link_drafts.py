"""A message with a link (the customer's "my details" link) put in the customer's thread's
composer for the associate to review and send, as a cart's "review" share does.

Registered into clienteling.registry.link_composers, so the profile (clienteling) offers it
without importing conversations.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from clienteling.access import stores_for
from clienteling.models import Channel

from . import services
from .drafts import composer_draft_set
from .models import Conversation
from .selectors import composer_state


def link_draft_compose(request, *, customer, body: str) -> str:
    """The customer's latest thread in the user's stores (a new one on the best channel
    otherwise) gets `body` as its draft; returns the thread's URL. Refused, creating nothing,
    when the thread takes no free text now (no opt-in yet, the WhatsApp window closed)."""
    stores = stores_for(request.user).filter(legal_entity_id=customer.legal_entity_id)
    with transaction.atomic():
        conversation = (
            Conversation.objects.filter(customer=customer, store__in=stores)
            .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
            .first()
        )
        if conversation is None:
            store = stores.filter(pk=customer.home_store_id).first() or stores.order_by("name").first()
            if store is None:
                raise ValidationError(_("You work in none of this customer's stores."))
            if customer.phone and customer.can_receive_texts:
                channel = Channel.SMS
            elif customer.email:
                channel = Channel.EMAIL
            else:
                raise ValidationError(_("This customer has no mobile number or email to send the link to."))
            conversation = services.conversation_get_or_create(
                customer=customer, store=store, channel=channel, user=request.user
            )
        state = composer_state(conversation=conversation)
        if not state.can_send_text:
            raise ValidationError(state.blocked_reason)  # a thread made just for this one goes again
    composer_draft_set(request, conversation_id=conversation.pk, body=body)
    return reverse("conversations:detail", args=[conversation.pk])
