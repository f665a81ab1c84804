"""What clienteling adds to the console's menu; the apps above add theirs the same way."""

from django.utils.translation import gettext_lazy as _

from .access import customers_available
from .registry import NavItem, nav_items


def _always(user) -> bool:
    return True


def _own_book(user) -> bool:
    return customers_available(user) and user.has_perm("clienteling.view_own_client_book")


nav_items.register(NavItem("today", _("Today"), "sun", "clienteling:today", available=_always,
                           shortcut=True, exact=True))
nav_items.register(NavItem("customers", _("Customers"), "people", "clienteling:customer_list",
                           available=customers_available, shortcut=True))
nav_items.register(NavItem("client_book", _("Client book"), "book", "clienteling:my_client_book",
                           available=_own_book, shortcut=True, short_label=_("Book")))
