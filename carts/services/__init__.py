"""Every remote-cart write. Callers use `from carts import services` and `services.<noun>_<verb>()`."""

from .editing import (
    CartClosed,
    cart_clear,
    cart_delivery_set,
    cart_discount_set,
    cart_line_add,
    cart_line_discount_set,
    cart_line_remove,
    cart_line_update,
    cart_lock,
    cart_open,
    cart_shipping_set,
    discount_parse,
)
from .expiry import carts_expire, carts_expire_due
from .notices import receipt_send, staff_notice
from .payments import (
    payment_event_process,
    payment_events_requeue_stale,
    payment_link_create,
    payment_link_expire,
    payment_notifications_receive,
)
from .sharing import (
    ShareDraft,
    cart_conversation_get_or_create,
    cart_share,
    cart_share_draft,
)

__all__ = [
    "CartClosed", "cart_clear", "cart_delivery_set", "cart_discount_set", "cart_line_add",
    "cart_line_discount_set", "cart_line_remove", "cart_line_update", "cart_lock", "cart_open",
    "cart_share", "cart_share_draft", "ShareDraft",
    "cart_shipping_set", "carts_expire", "carts_expire_due", "cart_conversation_get_or_create",
    "discount_parse",
    "payment_event_process", "payment_events_requeue_stale",
    "payment_link_create", "payment_link_expire", "payment_notifications_receive", "receipt_send",
    "staff_notice",
]
