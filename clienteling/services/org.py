"""Stores and staff: access follows the staff profile."""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from catalog.models import StockLocation
from clienteling.models import StaffProfile, Store
from clienteling.roles import STORE_OBJECT_PERMISSIONS, built_in_role


def store_ensure_stock_location(*, store: Store) -> StockLocation:
    """Every store sells from its own stock location (created on first need)."""
    if store.stock_location_id:
        return store.stock_location
    location, _created = StockLocation.objects.get_or_create(
        code=f"store-{store.code}", defaults={"name": store.name}
    )
    Store.objects.filter(pk=store.pk).update(stock_location=location)
    store.stock_location = location
    return location


@transaction.atomic
def staff_sync_access(*, profile: StaffProfile) -> None:
    """Put the user in their role's group and grant per-store object permissions."""
    user = profile.user
    role = profile.staff_role or built_in_role(profile.role)
    if profile.role != role.level:
        profile.role = role.level
        StaffProfile.objects.filter(pk=profile.pk).update(role=role.level)
    role_group = role.group
    other_roles = Group.objects.filter(staff_role__isnull=False).exclude(pk=role_group.pk)
    user.groups.remove(*other_roles)
    if profile.active:
        user.groups.add(role_group)
    else:
        user.groups.remove(role_group)
    is_admin = profile.role == StaffProfile.Role.COMPANY_ADMIN and profile.active
    if user.is_staff != is_admin and not user.is_superuser:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])

    granted = set(STORE_OBJECT_PERMISSIONS[profile.role]) if profile.active else set()
    assigned_stores = set(profile.stores.all()) if profile.active else set()
    for store in Store.objects.all():
        for codename in ("work_in_store", "manage_store"):
            if store in assigned_stores and codename in granted:
                assign_perm(f"clienteling.{codename}", user, store)
            else:
                remove_perm(f"clienteling.{codename}", user, store)
