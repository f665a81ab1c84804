"""What carts adds to the console navigation, through clienteling's registry."""

from django.utils.translation import gettext_lazy as _

from carts.access import carts_available
from clienteling.registry import NavItem, nav_items

nav_items.register(NavItem("catalog", _("Catalog"), "bag", "carts:catalog", available=carts_available))
nav_items.register(NavItem("carts", _("Carts"), "cart", "carts:index", available=carts_available,
                           shortcut=True))
