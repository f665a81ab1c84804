"""What the store team and the customer are told in the conversation about a payment."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.money import format_money
from conversations import services as conversation_services
from conversations.models import ClientelingEvent, Conversation, Message

logger = logging.getLogger(__name__)


def staff_notice(*, conversation: Conversation, body: str) -> Message:
    """A line in the thread for the store team only ("customer paid via remote checkout link")."""
    return conversation_services.conversation_notice_add(conversation=conversation, body=body)


def receipt_send(*, cart, conversation: Conversation, sender) -> Message | None:
    """The customer's receipt in their thread; a send the rules refuse is reported, not raised."""
    total = format_money(cart.total, cart.currency)
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
