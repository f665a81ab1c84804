"""Sharing from the catalog into a thread, through the event's approved template."""


from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from ..models import ClientelingEvent, Conversation, Message, MessageTemplate
from ..templating import share_public_url
from .sending import message_send


def event_template(*, event: str, conversation: Conversation) -> MessageTemplate | None:
    """The approved template of a clienteling event for the thread's channel (the store's first)."""
    return (MessageTemplate.objects.filter(
        event=event, channel=conversation.channel, status=MessageTemplate.Status.APPROVED, active=True)
        .filter(Q(store__isnull=True) | Q(store=conversation.store_id))
        .order_by(F("store_id").desc(nulls_last=True), "pk").first())


def catalog_share_send(*, conversation: Conversation, user, product=None, collection=None,
                       products=None) -> Message:
    """Share a product, a collection or a product list into a thread (public, login-free link).

    Uses the approved template of that clienteling event for the thread's channel
    when there is one, else a short text with the link.
    """
    from catalog import services as catalog_services

    currency = conversation.store.currency  # the share page shows this store's prices
    with transaction.atomic():
        if product is not None:
            share = catalog_services.product_share_create(product=product, created_by=user,
                                                          currency=currency)
            event, extra = ClientelingEvent.PRODUCT_SHARING, {"product": product, "product_share": share}
            text = f"{product.title}: {share_public_url(share)}"
        elif collection is not None:
            share = catalog_services.collection_share_create(collection=collection, created_by=user,
                                                             currency=currency)
            event = ClientelingEvent.COLLECTION_SHARING
            extra = {"collection": collection, "collection_share": share}
            text = f"{collection.name}: {share_public_url(share)}"
        else:
            share = catalog_services.product_list_share_create(products=list(products or []),
                                                               created_by=user, currency=currency)
            event, extra = ClientelingEvent.PRODUCT_LIST_SHARING, {"product_list_share": share}
            text = _("A selection for you: %(link)s") % {"link": share_public_url(share)}
        template = event_template(event=event, conversation=conversation)
        if template is not None:
            return message_send(conversation=conversation, sender=user, kind=Message.Kind.PRODUCT,
                                template=template, variables=extra)
        return message_send(conversation=conversation, sender=user, kind=Message.Kind.PRODUCT, body=text)
