"""What the console shows a user: navigation, home store."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from clienteling.access import is_company_admin, staff_profile, stores_for
from clienteling.models import ModuleSettings
from clienteling.registry import nav_items


@dataclass(frozen=True)
class Navigation:
    customers: bool
    client_book: bool
    store_client_book: bool
    admin: bool
    store_names: tuple[str, ...]
    role_label: str
    # Items other apps add (conversations, catalog, remote carts): plain dicts of label,
    # icon, url, and the URL of the count shown beside it, if any.
    extra: tuple[dict, ...] = ()


def console_navigation(*, user) -> Navigation:
    module = ModuleSettings.load()
    customers = module.customers_enabled and user.has_perm("clienteling.view_customer_profile")
    profile = staff_profile(user)
    return Navigation(
        customers=customers,
        client_book=customers and user.has_perm("clienteling.view_own_client_book"),
        store_client_book=customers and user.has_perm("clienteling.view_store_client_book"),
        admin=user.is_staff,
        store_names=tuple(stores_for(user).values_list("name", flat=True)[:5]),
        role_label=profile.get_role_display() if profile else (
            _("Superuser") if is_company_admin(user) else ""
        ),
        extra=tuple(
            {"key": item.key, "label": item.label, "icon": item.icon, "url": reverse(item.url_name),
             "shortcut": item.shortcut, "short_label": item.short_label or item.label,
             "badge_url": reverse(item.badge_url_name) if item.badge_url_name else ""}
            for item in nav_items if customers and item.available(user)
        ),
    )


def home_store_for(user):
    profile = staff_profile(user)
    if profile and profile.home_store_id:
        return profile.home_store
    return stores_for(user).order_by("pk").first()
