"""Sharing a cart into the customer's conversation: the link, the message, the payment link."""

import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carts.models import Cart, CartLine, PaymentLink
from carts.payments import provider_name
from carts.selectors.cart import cart_price, cart_public_url, cart_ready_problems
from catalog.money import format_money
from clienteling.dates import next_store_midnight
from clienteling.events import event_occurred
from clienteling.models import Channel
from conversations import selectors as conversation_selectors
from conversations import services as conversation_services
from conversations.models import ClientelingEvent, Conversation, Message
from conversations.templating import TemplateRenderError

from .editing import cart_check_stock, cart_lock, cart_totals_store


def cart_conversation_get_or_create(*, cart: Cart, user, channel: str | None = None) -> Conversation:
    """Where the cart goes: the chosen channel, the cart's thread, or the customer's latest."""
    customer, store = cart.customer, cart.store
    if channel:
        if channel not in Channel.values:
            raise ValidationError(_("Unknown channel."))
        return conversation_services.conversation_get_or_create(customer=customer, store=store,
                                                                channel=channel,
                                                                user=user)
    if cart.conversation_id:
        return cart.conversation
    latest = (Conversation.objects.filter(customer=customer, store=store)
              .order_by(F("last_message_at").desc(nulls_last=True), "-pk").first())
    if latest is not None:
        return latest
    if customer.phone and customer.can_receive_texts:
        channel = Channel.SMS
    elif customer.email:
        channel = Channel.EMAIL
    else:
        raise ValidationError(_("This customer has no mobile number or email to send the cart to."))
    return conversation_services.conversation_get_or_create(customer=customer, store=store, channel=channel,
                                                            user=user)


@dataclass(frozen=True)
class ShareDraft:
    """The cart's message, ready for the associate to review in the thread's composer."""

    conversation: Conversation
    body: str


def cart_share(*, cart: Cart, user, channel: str | None = None) -> Message:
    """Put the cart's link in the chat and send it; the payment link is made by a task.

    Sharing again without a change sends the same link again; after a change
    the cart is a new version with a new payment link (the old one was expired
    when the change was made).
    """
    with transaction.atomic():
        cart, conversation, link = _share_prepare(cart=cart, user=user, channel=channel)
        message = _send_cart_message(cart=cart, link=link, conversation=conversation, user=user)
    return message


def cart_share_draft(*, cart: Cart, user, channel: str | None = None) -> ShareDraft:
    """Share the cart as `cart_share` does, but write its message for the associate to review
    and send from the thread's composer instead of sending it.

    The link works from now on, as the composer may send it any time before midnight.
    Refused, changing nothing, when the thread takes no free text now (no opt-in yet, the
    WhatsApp window closed): the composer could not send the draft.
    """
    with transaction.atomic():
        cart, conversation, link = _share_prepare(cart=cart, user=user, channel=channel, draft=True)
        body = _cart_message_text(cart=cart, link=link, conversation=conversation, user=user)
    return ShareDraft(conversation=conversation, body=body)


def _share_prepare(*, cart: Cart, user, channel: str | None, draft: bool = False):
    """Check the cart, choose its thread, make the version's payment link and mark it shared."""
    cart = cart_lock(cart)
    lines = list(cart.lines.select_related("variant__product"))
    problems = cart_ready_problems(cart, lines)
    if problems:
        raise ValidationError(problems)
    cart_check_stock(cart)
    conversation = cart_conversation_get_or_create(cart=cart, user=user, channel=channel)
    if draft:
        _draft_check(conversation)
    now = timezone.now()
    expires_at = next_store_midnight(cart.store, now)
    link = PaymentLink.objects.filter(cart=cart, cart_version=cart.version).first()
    if link is None:
        link = _link_for_version(cart, lines, expires_at=expires_at)
    elif link.status == PaymentLink.Status.FAILED:
        # The provider refused last time: a fresh attempt with a fresh idempotency key,
        # for the same figures the customer was already shown.
        PaymentLink.objects.filter(pk=link.pk).update(
            status=PaymentLink.Status.ACTIVE, failure_reason="", idempotency_key=uuid.uuid4(),
            provider=provider_name(), expires_at=expires_at)
        link.refresh_from_db()
    Cart.objects.filter(pk=cart.pk).update(
        associate=user, conversation=conversation, shared_at=now, expires_at=expires_at)
    cart.associate, cart.conversation, cart.shared_at, cart.expires_at = (
        user, conversation, now, expires_at)
    if not link.url:
        _tasks().payment_link_create.delay_on_commit(link.pk)
    event_occurred(event="cart.shared", legal_entity_id=cart.store.legal_entity_id, data={
        "cart_id": cart.pk, "customer_id": cart.customer_id,
        "customer_external_id": cart.customer.external_id,
        "store_id": cart.store_id, "conversation_id": conversation.pk, "currency": link.currency,
        "total": str(link.amount), "expires_at": expires_at})
    return cart, conversation, link


def _draft_check(conversation: Conversation) -> None:
    """Refuse a draft the composer could not send, saying whether Send now still can."""
    state = conversation_selectors.composer_state(conversation=conversation)
    if state.can_send_text:
        return
    template = conversation_services.event_template(event=ClientelingEvent.CART_SHARING,
                                                    conversation=conversation)
    if state.templates_only and template is not None and template.content_sid:
        raise ValidationError(_("%(reason)s Send now sends the approved cart template.")
                              % {"reason": state.blocked_reason})
    raise ValidationError(state.blocked_reason)


def _link_for_version(cart: Cart, lines: list[CartLine], *, expires_at) -> PaymentLink:
    """The version's payment link, with today's shipping and tax frozen in it.

    The cart is repriced first (an admin may have changed the tax rate or a
    shipping price since the last edit), so the cart's totals, the link's
    amount and the figures the customer page and the sale will use agree.
    """
    price = cart_price(cart, lines)
    cart_totals_store(cart, price, lines)
    return PaymentLink.objects.create(
        cart=cart, cart_version=cart.version, provider=provider_name(), amount=price.total,
        currency=cart.currency, tax_rate=price.tax_rate, prices_include_tax=price.prices_include_tax,
        shipping_price=price.shipping,
        shipping_name=cart.shipping_option.name if cart.shipping_option_id else "",
        reference=f"ATL-{cart.pk}-{cart.version}-{secrets.token_hex(3)}", expires_at=expires_at,
    )


def _send_cart_message(*, cart: Cart, link: PaymentLink, conversation: Conversation, user) -> Message:
    variables = {"cart_link": cart_public_url(cart), "cart_total": format_money(link.amount, link.currency)}
    template = conversation_services.event_template(event=ClientelingEvent.CART_SHARING,
                                                    conversation=conversation)
    if template is not None:
        return conversation_services.message_send(
            conversation=conversation, sender=user, kind=Message.Kind.CART, template=template,
            variables=variables)
    return conversation_services.message_send(conversation=conversation, sender=user, kind=Message.Kind.CART,
                                              body=_default_text(cart, variables))


def _cart_message_text(*, cart: Cart, link: PaymentLink, conversation: Conversation, user) -> str:
    """The words `_send_cart_message` would send: the mapped template's, or the default text."""
    variables = {"cart_link": cart_public_url(cart), "cart_total": format_money(link.amount, link.currency)}
    template = conversation_services.event_template(event=ClientelingEvent.CART_SHARING,
                                                    conversation=conversation)
    if template is not None:
        try:
            return conversation_selectors.template_preview(conversation=conversation, template=template,
                                                           sender=user, variables=variables)
        except TemplateRenderError:
            pass  # a template the composer cannot fill: the associate gets the default words to edit
    return _default_text(cart, variables)


def _default_text(cart: Cart, variables: dict) -> str:
    return _("Hi %(name)s, your selection from %(store)s is ready (%(total)s). "
             "Review it and pay securely here, until midnight: %(link)s") % {
        "name": cart.customer.first_name or cart.customer.full_name, "store": cart.store.name,
        "total": variables["cart_total"], "link": variables["cart_link"]}


def _tasks():
    """The cart tasks (imported late: they import these services)."""
    from carts import tasks

    return tasks
