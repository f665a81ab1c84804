"""What carts adds to the console: menu items, its module switch, the roles' rights."""

from django.utils.translation import gettext_lazy as _

from carts.access import carts_available
from clienteling.registry import (
    ModuleSwitch,
    NavItem,
    RolePermissions,
    module_switches,
    nav_items,
    role_permissions,
)

nav_items.register(NavItem("catalog", _("Catalog"), "bag", "carts:catalog", available=carts_available))
nav_items.register(NavItem("carts", _("Carts"), "cart", "carts:index", available=carts_available,
                           shortcut=True))
module_switches.register(ModuleSwitch("remote_carts", _("Remote carts"),
                                      _("Carts built for a customer and paid by link; the catalog.")))
role_permissions.register(RolePermissions("carts"))
