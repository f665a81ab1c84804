"""Every remote-cart write. Callers use `from carts import services` and `services.<noun>_<verb>()`."""

from .common import cart_public_url, cart_settings
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
    cart_price,
    cart_shipping_set,
    customer_address,
    discount_limit_for,
    discount_parse,
    location_for,
    ship_from_location_id,
    shipping_options_for,
)
from .expiry import carts_expire, carts_expire_due
from .notices import receipt_send, staff_notice
from .payments import (
    link_request_for,
    payment_event_process,
    payment_events_requeue_stale,
    payment_link_create,
    payment_link_expire,
    payment_notifications_receive,
)
from .sharing import (
    cart_ready_problems,
    cart_share,
    conversation_for_cart,
)

__all__ = [
    "CartClosed", "cart_clear", "cart_delivery_set", "cart_discount_set", "cart_line_add",
    "cart_line_discount_set", "cart_line_remove", "cart_line_update", "cart_lock", "cart_open",
    "cart_price", "cart_public_url", "cart_ready_problems", "cart_settings", "cart_share",
    "cart_shipping_set", "carts_expire", "carts_expire_due", "conversation_for_cart",
    "customer_address", "discount_limit_for", "discount_parse",
    "link_request_for", "location_for", "payment_event_process", "payment_events_requeue_stale",
    "payment_link_create", "payment_link_expire", "payment_notifications_receive", "receipt_send",
    "ship_from_location_id", "shipping_options_for", "staff_notice",
]
