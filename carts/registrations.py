"""What carts adds to the apps below it: menu items, module switch, role rights, the
customer profile's "Remote carts" section, the thread's cart actions, data requests and
the currency of catalog shares. Imported once, by CartsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.registry import register_share_currency
from clienteling.models import ModuleSettings
from clienteling.registry import (
    ModuleSwitch,
    NavItem,
    PersonalDataPart,
    ProfileSectionKind,
    RolePermissions,
    module_switches,
    nav_items,
    personal_data,
    profile_sections,
    push_kinds,
    role_permissions,
)
from clienteling.selectors.navigation import home_store_for
from conversations.registry import ThreadAction, thread_actions

from . import personal_data as carts_personal_data
from . import push, selectors
from .access import carts_available

nav_items.register(NavItem("catalog", _("Catalog"), "bag", "carts:catalog", available=carts_available))
nav_items.register(NavItem("carts", _("Carts"), "cart", "carts:index", available=carts_available,
                           shortcut=True))
module_switches.register(ModuleSwitch("remote_carts", _("Remote carts"),
                                      _("Carts built for a customer and paid by link; the catalog.")))
role_permissions.register(RolePermissions("carts"))


def _carts_section(*, user, customer, section) -> dict:
    if not ModuleSettings.load().enabled("remote_carts"):
        return {"carts_disabled": True}
    return selectors.carts_section(user=user, customer=customer, section=section)


profile_sections.register(ProfileSectionKind(
    "carts", _("Remote carts"), "carts/sections/carts.html", context=_carts_section,
))

thread_actions.register(ThreadAction(
    "remote_cart", _("Remote cart"), "cart",
    url=lambda conversation: reverse("carts:open_for_conversation", args=[conversation.pk]),
    available=carts_available, method="post",
))
thread_actions.register(ThreadAction(
    "share_catalog", _("Share from catalog"), "bag",
    url=lambda conversation: reverse("carts:share_picker", args=[conversation.pk]),
    available=carts_available,
))

personal_data.register(PersonalDataPart("carts", _("Remote carts"), carts_personal_data.export,
                                        carts_personal_data.erase))


def _sharer_currency(user) -> str:
    """A catalog share shows prices in the currency of the sharer's home store."""
    store = home_store_for(user) if getattr(user, "is_authenticated", False) else None
    return store.currency if store else ""


register_share_currency(_sharer_currency)
push_kinds.register(push.KIND)  # the associate's notification of a paid cart
