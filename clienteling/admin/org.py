from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clienteling import services
from clienteling.models import AuditAction, LegalEntity, Shift, StaffProfile, StaffRole, Store, StoreGroup
from clienteling.roles import permission_ids

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
        (_("Customer-facing pages"), {"fields": ["logo", "brand_primary", "brand_accent"],
                                      "description": _("The store's logo and colours on the cart, receipt, "
                                                       "shared products, booking and “my details” pages.")}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.store_ensure_stock_location(store=obj)
        services.store_branding_publish(store=obj)


def grantable_permissions(actor):
    """The permissions `actor` may hand out: the ones they hold (all, for a superuser)."""
    if actor.is_superuser:
        return Permission.objects.all()
    return Permission.objects.filter(
        Q(group__user=actor) | Q(user=actor)).distinct() if actor.is_active else Permission.objects.none()


def grantable_roles(actor):
    """Roles `actor` may give someone: every permission they hold is one the actor holds."""
    roles = StaffRole.objects.all()
    if actor.is_superuser:
        return roles
    return roles.exclude(group__permissions__in=Permission.objects.exclude(
        pk__in=grantable_permissions(actor).values("pk")))


def permission_names(permissions) -> list[str]:
    return sorted(f"{app}.{codename}" for app, codename in permissions.values_list(
        "content_type__app_label", "codename"))


class RoleLimitedToActor:
    """The staff profile's role choice offers only roles the signed-in admin could hold out."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "staff_role":
            kwargs["queryset"] = grantable_roles(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StaffProfileInline(RoleLimitedToActor, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fk_name = "user"
    filter_horizontal = ["stores"]
    verbose_name_plural = _("Staff profile")


@admin.register(StaffProfile)
class StaffProfileAdmin(RoleLimitedToActor, admin.ModelAdmin):
    list_display = ["__str__", "role", "staff_role", "home_store", "legal_entity", "active"]
    list_filter = ["role", "staff_role", "active", "legal_entity", "stores"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email",
                     "employee_code"]
    list_select_related = ["user", "home_store", "legal_entity", "staff_role"]
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


class StaffRoleForm(forms.ModelForm):
    permissions = forms.ModelMultipleChoiceField(
        label=_("permissions"), queryset=Permission.objects.none(), required=False,
        widget=FilteredSelectMultiple(_("permissions"), is_stacked=False),
        help_text=_("Only permissions you hold yourself are offered."),
    )
    actor = None  # the signed-in admin, set by StaffRoleAdmin.get_form

    class Meta:
        model = StaffRole
        fields = ["name", "level", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = grantable_permissions(self.actor).select_related(
            "content_type").order_by("content_type__app_label", "content_type__model", "codename")
        if self.instance.pk:
            held = self.instance.group.permissions.values_list("pk", flat=True)
            self.fields["permissions"].initial = list(held)
        if self.instance.built_in:
            self.fields["name"].disabled = self.fields["level"].disabled = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Group.objects.filter(name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.group_id)
        if taken.exists():
            raise forms.ValidationError(gettext("A role or group with this name already exists."))
        return name


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """Company Admins decide what each role may do; nobody hands out a right they lack."""

    form = StaffRoleForm
    list_display = ["__str__", "level", "built_in", "member_count", "permission_count"]
    list_filter = ["level", "built_in"]
    search_fields = ["name"]
    actions = ["restore_built_in_permissions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            members_total=Count("group__user", distinct=True),
            permissions_total=Count("group__permissions", distinct=True))

    @admin.display(description=_("staff"), ordering="members_total")
    def member_count(self, obj):
        return obj.members_total

    @admin.display(description=_("permissions"), ordering="permissions_total")
    def permission_count(self, obj):
        return obj.permissions_total

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        if obj is not None and (
            (obj.built_in and obj.level == StaffProfile.Role.COMPANY_ADMIN)
            or not grantable_roles(request.user).filter(pk=obj.pk).exists()
        ):
            return False  # every admin permission by definition, or rights the editor lacks
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.built_in:
            return False
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        before = permission_names(obj.group.permissions) if change else []
        if not change:
            obj.group = Group.objects.create(name=obj.name)
        elif obj.group.name != obj.name:
            obj.group.name = obj.name
            obj.group.save(update_fields=["name"])
        super().save_model(request, obj, form, change)
        obj.group.permissions.set(form.cleaned_data["permissions"])
        if change and "level" in form.changed_data:
            for profile in obj.members.select_related("user"):
                services.staff_sync_access(profile=profile)
        audit_role_change(request, obj, before)

    @transaction.atomic
    def delete_model(self, request, obj):
        group = obj.group
        super().delete_model(request, obj)
        group.delete()

    def delete_queryset(self, request, queryset):
        for role in queryset.exclude(built_in=True):
            self.delete_model(request, role)

    @admin.action(description=_("Restore the built-in permissions"), permissions=["change"])
    def restore_built_in_permissions(self, request, queryset):
        restored = 0
        for role in queryset.filter(built_in=True).exclude(level=StaffProfile.Role.COMPANY_ADMIN):
            defaults = set(role.code_defaults)
            if not (request.user.is_superuser or defaults <= request.user.get_all_permissions()):
                continue
            before = permission_names(role.group.permissions)
            role.group.permissions.set(permission_ids(defaults))
            audit_role_change(request, role, before)
            restored += 1
        self.message_user(request, ngettext(
            "%(count)d role holds its built-in permissions again.",
            "%(count)d roles hold their built-in permissions again.", restored) % {"count": restored},
            messages.SUCCESS if restored else messages.WARNING)


def audit_role_change(request, role, before: list[str]) -> None:
    after = permission_names(role.group.permissions)
    if before == after:
        return
    services.audit_record(
        action=AuditAction.PERMISSION_CHANGE, request=request, target=f"role {role.pk} ({role.name})",
        detail={"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after))})


admin.site.unregister(User)
# Roles are managed as StaffRole (above), which owns its group; editing groups by hand
# would let a role and its group drift.
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
