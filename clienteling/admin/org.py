from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from clienteling import services
from clienteling.models import AuditAction, LegalEntity, Shift, StaffProfile, Store, StoreGroup

User = get_user_model()


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "default_currency"]
    list_filter = ["country", "default_currency"]
    search_fields = ["name", "code"]


@admin.register(StoreGroup)
class StoreGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_entity"]
    list_filter = ["legal_entity"]
    search_fields = ["name"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "timezone", "currency", "country",
                    "clienteling_phone", "active"]
    list_filter = ["active", "legal_entity", "group", "country"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["group"]
    readonly_fields = ["stock_location"]
    fieldsets = [
        (None, {"fields": ["legal_entity", "group", "code", "name", "active"]}),
        (_("Locale"), {"fields": ["timezone", "currency", "country"]}),
        (_("Address"), {"fields": ["address_line1", "address_line2", "city", "state", "zip_code"]}),
        (_("Clienteling"), {"fields": ["clienteling_phone", "stock_location"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.store_ensure_stock_location(store=obj)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fk_name = "user"
    filter_horizontal = ["stores"]
    verbose_name_plural = _("Staff profile")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "home_store", "legal_entity", "active"]
    list_filter = ["role", "active", "legal_entity", "stores"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email",
                     "employee_code"]
    list_select_related = ["user", "home_store", "legal_entity"]
    filter_horizontal = ["stores"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj)
                and not outranks(obj and obj.user, request.user))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj)
                and not outranks(obj and obj.user, request.user))

    def save_model(self, request, obj, form, change):
        request.access_before = access_snapshot(obj.user) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.staff_sync_access(profile=form.instance)
        audit_access_change(request, form.instance.user)


admin.site.unregister(User)
# Roles are defined in code (clienteling.roles) and applied from the staff
# profile; editing groups by hand would let them drift.
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "staff_role", "is_active"]
    list_filter = ["is_active", "staff_profile__role", "staff_profile__stores"]
    list_select_related = ["staff_profile"]

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def staff_role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Company Admins manage staff through roles; they cannot grant superuser
        # status or raw permissions (no privilege escalation through the admin).
        return [
            (None, {"fields": ("username", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
            (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    # Nobody changes, resets the password of, or deletes someone who holds a right they
    # do not hold themselves: that would be a way to take over the stronger account.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not outranks(obj, request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not outranks(obj, request.user)

    def delete_queryset(self, request, queryset):
        if any(outranks(user, request.user) for user in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        request.access_before = access_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = StaffProfile.objects.filter(user=form.instance).first()
        if profile:
            services.staff_sync_access(profile=profile)
        audit_access_change(request, form.instance)


def access_snapshot(user) -> dict:
    """What a user may do: status flags, role, stores, groups and permissions (for the audit)."""
    profile = StaffProfile.objects.filter(user=user).prefetch_related("stores").first()
    return {
        "superuser": user.is_superuser, "staff": user.is_staff, "active": user.is_active,
        "role": profile.role if profile else "",
        "stores": sorted(store.pk for store in profile.stores.all()) if profile else [],
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{app}.{codename}" for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename")),
    }


def audit_access_change(request, user) -> None:
    before, after = getattr(request, "access_before", {}), access_snapshot(user)
    changed = sorted(key for key in after if before.get(key) != after[key])
    if not changed:
        return
    # A new role or stores is a role change (the role's groups follow); the rest is raw access.
    role = {"role", "stores"} & set(changed)
    services.audit_record(
        action=AuditAction.ROLE_CHANGE if role else AuditAction.PERMISSION_CHANGE,
        request=request, target=f"user {user.pk} ({user.get_username()})",
        detail={key: {"before": before.get(key), "after": after[key]} for key in changed})


def outranks(user, actor) -> bool:
    """Whether `user` holds a right `actor` lacks (superuser status, or any permission)."""
    if user is None or actor.is_superuser or user.pk == actor.pk:
        return False
    if user.is_superuser:
        return True
    return not user.get_all_permissions() <= actor.get_all_permissions()


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["staff", "store", "starts_at", "ends_at"]
    list_filter = ["store"]
    search_fields = ["staff__username", "staff__first_name", "staff__last_name", "store__name"]
    list_select_related = ["staff", "store"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["staff"]
