"""What the console shows a user: navigation, home store."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from clienteling.access import customers_available, is_company_admin, staff_profile, stores_for
from clienteling.registry import nav_items


@dataclass(frozen=True)
class Navigation:
    customers: bool
    store_client_book: bool
    admin: bool
    role_label: str
    # The menu, in registration order: plain dicts of key, label, icon, url, whether it is
    # active only on its own URL (`exact`), its phone shortcut and the URL of its count.
    items: tuple[dict, ...] = ()


def console_navigation(*, user) -> Navigation:
    customers = customers_available(user)
    profile = staff_profile(user)
    return Navigation(
        customers=customers,
        store_client_book=customers and user.has_perm("clienteling.view_store_client_book"),
        admin=user.is_staff,
        role_label=profile.get_role_display() if profile else (
            _("Superuser") if is_company_admin(user) else ""
        ),
        items=tuple(
            {"key": item.key, "label": item.label, "icon": item.icon, "url": reverse(item.url_name),
             "exact": item.exact, "shortcut": item.shortcut,
             "short_label": item.short_label or item.label,
             "badge_url": reverse(item.badge_url_name) if item.badge_url_name else ""}
            for item in nav_items if item.available(user)
        ),
    )


def home_store_for(user):
    profile = staff_profile(user)
    if profile and profile.home_store_id:
        return profile.home_store
    return stores_for(user).order_by("pk").first()
