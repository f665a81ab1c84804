"""Reads that are more than one ORM call, already scoped to the user."""

from clienteling.access import can_see_sensitive

from .customers import customer_search
from .navigation import Navigation, console_navigation, home_store_for
from .profile import contact_for, customer_profile
from .today import today_for

__all__ = [
    "Navigation", "can_see_sensitive", "console_navigation", "contact_for", "customer_profile",
    "customer_search", "home_store_for", "today_for",
]
