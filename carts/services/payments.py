"""Payment links at the provider, and the provider's notifications.

Links: created and expired from Celery tasks (never while an associate waits),
each creation carrying the link's idempotency key.

Notifications: verify (bad signature: nothing recorded), record each event
once by (provider, PSP reference, event code), answer, and act in a task. The
task marks the cart paid with a guarded transition, records the sale once
(its receipt number is unique), sends the receipt and tells the store team.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carts.models import Cart, PaymentEvent, PaymentLink
from carts.payments import (
    PermanentError,
    TransientError,
    get_provider,
    provider_class,
)
from carts.push import CART_PAID
from carts.selectors.cart import cart_price, link_request_for, location_for
from catalog import services as catalog_services
from catalog.db import fit, insert_once
from catalog.money import format_money, from_minor_units, to_minor_units
from clienteling import services as clienteling_services
from clienteling.events import event_occurred
from clienteling.models import Sale, SaleLine, SalesChannel
from clienteling.services.push import push_notify

from .notices import receipt_send, staff_notice

logger = logging.getLogger(__name__)



# --- links at the provider -------------------------------------------------------------------


def payment_link_create(*, link_id: int, final_attempt: bool = False) -> PaymentLink | None:
    """Create the provider's link for one cart version.

    A TransientError is recorded on the link (the cart page says it is retrying) and
    propagates for the task to retry; on the final attempt the link fails with the reason.
    Safe to run twice: a link that has its URL, or is no longer active, is left alone;
    the provider call carries the link's idempotency key, so a retry makes no second link.
    """
    link = (PaymentLink.objects.select_related("cart__store", "cart__customer",
                                               "cart__shipping_option", "cart__conversation")
            .filter(pk=link_id).first())
    if link is None or link.url or link.status != PaymentLink.Status.ACTIVE:
        return link
    provider = get_provider(link.provider)
    try:
        _old_links_stop(link)
        created = provider.create_link(link_request_for(link))
    except TransientError as error:
        if final_attempt:
            _link_failed(link, _("Gave up after repeated errors: %(reason)s") % {"reason": error.message})
            return link
        PaymentLink.objects.filter(pk=link.pk, status=PaymentLink.Status.ACTIVE, url="").update(
            failure_reason=fit(PaymentLink, "failure_reason", error.message))
        raise
    except PermanentError as error:
        _link_failed(link, error.message)
        return link
    PaymentLink.objects.filter(pk=link.pk, url="").update(
        url=created.url, provider_link_id=created.provider_link_id, failure_reason="")
    link.refresh_from_db()
    if link.status == PaymentLink.Status.EXPIRED:
        # The cart changed while the link was being made: stop it at once.
        payment_link_expire(link_id=link.pk)
    return link


def _old_links_stop(link: PaymentLink) -> None:
    """The customer must never hold two payable links: the old ones are stopped first."""
    for old_id in (PaymentLink.objects.filter(cart_id=link.cart_id, status=PaymentLink.Status.EXPIRED,
                                              remote_expired_at__isnull=True)
                   .exclude(provider_link_id="").values_list("pk", flat=True)):
        try:
            payment_link_expire(link_id=old_id)
        except TransientError as error:
            raise TransientError(_("The previous payment link could not be stopped yet: %(reason)s") % {
                "reason": error.message}, code=error.code, retry_after=error.retry_after) from error


def _link_failed(link: PaymentLink, reason: str) -> None:
    with transaction.atomic():
        if not PaymentLink.objects.filter(pk=link.pk, status=PaymentLink.Status.ACTIVE).update(
                status=PaymentLink.Status.FAILED, failure_reason=fit(PaymentLink, "failure_reason", reason)):
            return
        if link.cart.conversation_id:
            staff_notice(conversation=link.cart.conversation, body=_(
                "The payment link for %(customer)s's cart could not be created: %(reason)s") % {
                "customer": link.cart.customer.full_name, "reason": reason})
    logger.warning("payment link %s failed: %s", link.pk, reason)


def payment_link_expire(*, link_id: int, final_attempt: bool = False) -> None:
    """Tell the provider the link takes no more payments (once).

    A TransientError is recorded on the link and propagates (retry); a refusal, or the
    final attempt, is recorded and the store team told, who can stop it by hand.
    """
    link = (PaymentLink.objects.select_related("cart__customer", "cart__conversation")
            .filter(pk=link_id).first())
    if link is None or link.remote_expired_at or link.status == PaymentLink.Status.PAID:
        return
    if link.provider_link_id and link.expires_at > timezone.now():
        try:
            get_provider(link.provider).expire_link(provider_link_id=link.provider_link_id)
        except TransientError as error:
            if not final_attempt:
                PaymentLink.objects.filter(pk=link.pk, remote_expired_at__isnull=True).update(
                    failure_reason=fit(PaymentLink, "failure_reason", error.message))
                raise
            _link_not_stopped(link, _("Gave up after repeated errors: %(reason)s") % {
                "reason": error.message})
            return
        except PermanentError as error:
            _link_not_stopped(link, error.message)
            return
    PaymentLink.objects.filter(pk=link.pk, remote_expired_at__isnull=True).update(
        remote_expired_at=timezone.now(), failure_reason="")


def _link_not_stopped(link: PaymentLink, reason: str) -> None:
    PaymentLink.objects.filter(pk=link.pk, remote_expired_at__isnull=True).update(
        failure_reason=fit(PaymentLink, "failure_reason", reason))
    _tell_staff(link.cart, _("The old payment link for %(customer)s's cart could not be stopped at the "
                             "payment provider: %(reason)s Stop it in the provider's dashboard.") % {
        "customer": link.cart.customer.full_name, "reason": reason})


# --- notifications ---------------------------------------------------------------------------


def payment_notifications_receive(*, provider, body: bytes, headers) -> list[int]:
    """Verify and record once (by the provider's reference and event); the work happens in a task.

    Raises InvalidSignature, recording nothing. Returns the ids of the events new here.
    """
    from carts.tasks import payment_event_process as process

    notifications = provider.parse_notifications(body=body, headers=headers)
    recorded = []
    with transaction.atomic():
        for notification in notifications:
            event_id = insert_once(
                PaymentEvent, unique=("provider", "psp_reference", "event_code"), provider=provider.name,
                psp_reference=notification.psp_reference, event_code=notification.event_code,
                kind=notification.kind, merchant_reference=notification.merchant_reference,
                success=notification.success, amount_minor=notification.amount_minor,
                currency=notification.currency, payload=notification.payload,
                outcome=notification.reason,
                received_at=timezone.now())
            if event_id is not None:
                recorded.append(event_id)
                process.delay_on_commit(event_id)
    return recorded


def payment_event_process(*, event_id: int) -> str:
    """Act on one recorded notification; a processed event is a no-op."""
    with transaction.atomic():
        event = PaymentEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return "noop"
        outcome, cart = _apply(event)
        event.outcome = fit(PaymentEvent, "outcome", outcome)
        event.processed_at, event.cart = timezone.now(), cart
        event.save(update_fields=["outcome", "processed_at", "cart"])
    return outcome


def payment_events_requeue_stale(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Beat: events recorded but never processed (a lost task) are queued again."""
    # The task, not this module's service of the same name.
    from carts.tasks import payment_event_process as process

    ids = list(PaymentEvent.objects.filter(processed_at__isnull=True,
                                           received_at__lt=timezone.now() - older_than)
               .values_list("pk", flat=True)[:500])
    for event_id in ids:
        process.delay_on_commit(event_id)
    return len(ids)


def _apply(event: PaymentEvent) -> tuple[str, Cart | None]:
    # Only the provider that issued the link may confirm it.
    link = (PaymentLink.objects.select_related("cart")
            .filter(reference=event.merchant_reference, provider=event.provider)
            .first() if event.merchant_reference else None)
    if link is None:
        logger.info("payment event %s: unknown reference %r", event.pk, event.merchant_reference)
        return "unknown reference", None
    if event.kind != "payment":
        return f"ignored {event.event_code}", link.cart
    cart = (Cart.objects.select_for_update(of=("self",))
            .select_related("customer", "store", "associate", "conversation", "shipping_option")
            .get(pk=link.cart_id))
    if not event.success:
        _tell_staff(cart, _("A payment attempt for %(customer)s's cart was declined%(reason)s. "
                            "The cart stays open; the customer can try again.") % {
            "customer": cart.customer.full_name,
            "reason": f" ({event.outcome})" if event.outcome else ""})
        return "declined", cart
    problem = _payment_problem(event, link, cart)
    if problem:
        now = timezone.now()
        Cart.objects.filter(pk=cart.pk).update(flag_reason=fit(Cart, "flag_reason", problem), flagged_at=now)
        _tell_staff(cart, _("Payment needs attention: %(problem)s The cart was not marked paid; "
                            "check the payment with the provider.") % {"problem": problem})
        return f"flagged: {problem}", cart
    return _mark_paid(event, link, cart), cart


def _payment_problem(event: PaymentEvent, link: PaymentLink, cart: Cart) -> str:
    currency = event.currency or cart.currency
    exponent = provider_class(link.provider).exponent(currency)
    paid = format_money(from_minor_units(event.amount_minor or 0, currency, exponent), currency)
    if cart.status == Cart.Status.PAID:
        return _("a second payment of %(paid)s arrived for a cart already paid.") % {"paid": paid}
    if cart.status == Cart.Status.CLEARED:
        return _("%(paid)s was paid for a cart that had been cleared.") % {"paid": paid}
    if link.cart_version != cart.version:
        return _("%(paid)s was paid through an older version of the cart.") % {"paid": paid}
    # The amount shared is the one owed (cart.total agrees unless the cart changed, which
    # would have made a new version).
    expected = to_minor_units(link.amount, link.currency, exponent)
    if (event.currency or "").upper() != link.currency.upper() or event.amount_minor != expected:
        return _("%(paid)s was paid, but the cart total is %(total)s.") % {
            "paid": paid, "total": format_money(link.amount, link.currency)}
    return ""


def _mark_paid(event: PaymentEvent, link: PaymentLink, cart: Cart) -> str:
    now = timezone.now()
    # Guarded: an expired cart is paid too when nothing changed since the link was
    # made (the customer paid before midnight; the notification came after the sweep).
    if not Cart.objects.filter(pk=cart.pk, version=link.cart_version,
                               status__in=[Cart.Status.OPEN, Cart.Status.EXPIRED]).update(
            status=Cart.Status.PAID, paid_at=now, closed_at=now, updated_at=now):
        return "already handled"
    PaymentLink.objects.filter(pk=link.pk).exclude(status=PaymentLink.Status.PAID).update(
        status=PaymentLink.Status.PAID)
    lines = list(cart.lines.select_related("variant__product").order_by("position", "pk"))
    # The figures the customer was shown and paid, whatever the settings say today.
    price = cart_price(cart, lines, shared=link)
    sale_lines = []
    for line, priced in zip(lines, price.lines, strict=True):
        product = line.variant.product
        sale_lines.append({
            "kind": SaleLine.Kind.GOODS, "product": product, "variant": line.variant,
            "designer_id": product.designer_id, "category_id": product.category_id,
            "item_type_id": product.item_type_id, "title": line.title, "quantity": line.quantity,
            "amount": priced.total,
        })
        location_id = location_for(cart, line.fulfilment)
        if location_id:
            catalog_services.stock_decrement(variant_id=line.variant_id, location_id=location_id,
                                             quantity=line.quantity)
    if price.shipping_total:
        sale_lines.append({
            "kind": SaleLine.Kind.CUSTOM, "quantity": 1, "amount": price.shipping_total,
            "title": (_("Shipping: %(option)s") % {"option": link.shipping_name}
                      if link.shipping_name else _("Shipping")),
        })
    sale = clienteling_services.sale_record(
        customer=cart.customer, store=cart.store, salesperson=cart.associate, sold_at=now,
        lines=sale_lines, channel=SalesChannel.STORE, source=Sale.Source.REMOTE_CART,
        external_id=f"RC-{cart.pk}",
    )
    Cart.objects.filter(pk=cart.pk).update(sale=sale)
    cart.sale, cart.status, cart.paid_at = sale, Cart.Status.PAID, now
    if cart.conversation_id:
        receipt_send(cart=cart, conversation=cart.conversation, sender=cart.associate)
        staff_notice(conversation=cart.conversation, body=_(
            "%(customer)s paid via remote checkout link: %(total)s (receipt %(receipt)s).") % {
            "customer": cart.customer.full_name, "total": format_money(price.total, cart.currency),
            "receipt": sale.external_id})
    push_notify(kind=CART_PAID, object_ids=[cart.pk])
    event_occurred(event="cart.paid", legal_entity_id=cart.store.legal_entity_id, data={
        "cart_id": cart.pk, "customer_id": cart.customer_id,
        "customer_external_id": cart.customer.external_id,
        "store_id": cart.store_id, "currency": cart.currency, "total": str(price.total),
        "sale": {"id": sale.pk, "external_id": sale.external_id, "lines": [
            {"title": str(line["title"]), "quantity": line["quantity"], "amount": str(line["amount"])}
            for line in sale_lines]}})
    return "paid"


def _tell_staff(cart: Cart, body: str) -> None:
    if cart.conversation_id:
        staff_notice(conversation=cart.conversation, body=body)
    else:
        logger.warning("cart %s: %s", cart.pk, body)
