"""Who may see what: store scope, customer scope and masking.

Views never fetch by id without one of these. Out-of-scope objects are 404,
not 403, so ids cannot be probed.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Customer, ModuleSettings, StaffProfile, Store


def staff_profile(user) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def is_company_admin(user) -> bool:
    profile = staff_profile(user)
    return user.is_superuser or bool(
        profile and profile.role == StaffProfile.Role.COMPANY_ADMIN
    )


def stores_for(user) -> QuerySet[Store]:
    """Stores the user works in (every store for company admins)."""
    if is_company_admin(user):
        return Store.objects.filter(active=True)
    profile = staff_profile(user)
    if profile is None or not profile.active:
        return Store.objects.none()
    return profile.stores.filter(active=True)


def managed_stores_for(user) -> QuerySet[Store]:
    if is_company_admin(user):
        return Store.objects.filter(active=True)
    profile = staff_profile(user)
    if profile is None or profile.role != StaffProfile.Role.STORE_MANAGER:
        return Store.objects.none()
    return profile.stores.filter(active=True)


def customers_for(user) -> QuerySet[Customer]:
    """Every customer the user may see: those of their legal entity."""
    if user.is_superuser:
        return Customer.objects.all()
    profile = staff_profile(user)
    if profile is None or not profile.active or not user.has_perm(
        "clienteling.view_customer_profile"
    ):
        return Customer.objects.none()
    return Customer.objects.filter(legal_entity_id=profile.legal_entity_id)


def access_customer(user, customer_id) -> Customer:
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (customers_for(user).select_related("home_store", "primary_salesperson")
                .filter(pk=customer_id).first())
    if customer is None:
        raise Http404
    return customer


def access_store(user, store_id) -> Store:
    store = stores_for(user).filter(pk=store_id).first()
    if store is None:
        raise Http404
    return store


def require_customer_module(user) -> None:
    """The customer module switched off makes its URLs answer 404."""
    if not ModuleSettings.load().customers_enabled:
        raise Http404
    if not user.has_perm("clienteling.view_customer_profile"):
        raise PermissionDenied


def can_see_sensitive(user) -> bool:
    return user.has_perm("clienteling.view_sensitive_customer_data")


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return "•••" if value else ""
    local, domain = value.split("@", 1)
    return f"{local[:1]}•••@{domain[:1]}•••"


def mask_phone(value) -> str:
    text = str(value or "")
    if not text:
        return ""
    return "•••• " + text[-2:]


MASKED = "•••"
