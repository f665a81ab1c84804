"""What the store team and the customer are told in the conversation about a payment."""

import logging

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.templatetags.atelier import money
from conversations import services as conversation_services
from conversations.models import ClientelingEvent, Conversation, Message

logger = logging.getLogger(__name__)


def staff_notice(*, conversation: Conversation, body: str) -> Message:
    """A line in the thread for the store team only ("customer paid via remote checkout link").

    conversations.services.message_send sends every kind to the customer
    (SYSTEM included: HELP replies), and conversations has no internal-note
    service yet, so the notice is recorded here as a SYSTEM message that no send
    task ever picks up (it is never QUEUED). Replace with conversations'
    note service once it has one.
    """
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.OUTBOUND, kind=Message.Kind.SYSTEM,
        body=body, status=Message.Status.SENT, sent_at=now, status_updated_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_message_preview=body[:160], unread_count=F("unread_count") + 1)
    return message


def receipt_send(*, cart, conversation: Conversation, sender) -> Message | None:
    """The customer's receipt in their thread; a send the rules refuse is reported, not raised."""
    total = money(cart.total, cart.currency)
    template = conversation_services.event_template(event=ClientelingEvent.RECEIPT, conversation=conversation)
    try:
        if template is not None:
            return conversation_services.message_send(
                conversation=conversation, sender=sender, kind=Message.Kind.TEMPLATE,
                template=template, variables={"cart_total": total, "cart_link": ""})
        body = _("Thank you, %(name)s! We received your payment of %(total)s to %(store)s. "
                 "Receipt no. %(receipt)s.") % {
            "name": cart.customer.first_name or cart.customer.full_name, "total": total,
            "store": cart.store.name, "receipt": cart.sale.external_id if cart.sale_id else cart.pk}
        return conversation_services.message_send(conversation=conversation, sender=sender,
                                                  kind=Message.Kind.TEXT, body=body)
    except ValidationError as error:
        logger.info("receipt for cart %s not sent: %s", cart.pk, error.messages)
        staff_notice(conversation=conversation, body=_("The receipt could not be sent: %(reason)s") % {
            "reason": " ".join(error.messages)})
        return None
