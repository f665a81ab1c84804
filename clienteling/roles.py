"""Roles and the permissions each holds.

The built-in roles start from this table. Company Admins change what each role holds,
and add roles, in the admin (clienteling.models.StaffRole); after every `migrate`
(post_migrate) and on `manage.py sync_roles` each built-in role takes what the code newly
grants and drops what it stopped granting, keeping the admins' own edits.
Store scope is per object: guardian's work_in_store / manage_store on Store.
"""

from django.utils.translation import gettext_lazy as _

from .registry import role_permissions

COMPANY_ADMIN = "Company Admin"
STORE_MANAGER = "Store Manager"
ASSOCIATE = "Associate"

ROLE_GROUP_NAMES = {
    "company_admin": COMPANY_ADMIN,
    "store_manager": STORE_MANAGER,
    "associate": ASSOCIATE,
}
ROLE_LABELS = {COMPANY_ADMIN: _("Company Admin"), STORE_MANAGER: _("Store Manager"),
               ASSOCIATE: _("Associate")}

# What clienteling itself gives each role; apps above register theirs the same way
# (clienteling.registry.role_permissions), so this module never names them.
CLIENTELING_ASSOCIATE = frozenset({
    "clienteling.view_customer_profile",
    "clienteling.view_own_client_book",
    "clienteling.view_store_client_book",
    "clienteling.add_to_client_book",
})
CLIENTELING_STORE_MANAGER = CLIENTELING_ASSOCIATE | {
    "clienteling.view_sensitive_customer_data",
    "clienteling.assign_customer",
    "clienteling.remove_from_client_book",
    "clienteling.reassign_client_book",
    "clienteling.export_customers",
    "clienteling.manage_list_templates",
}


def role_grants(role: str) -> set[str]:
    """Every app's grants to a built-in role ("associate" or "store_manager")."""
    return {perm for grant in role_permissions for perm in getattr(grant, role)}


# Company Admins configure everything in the Django admin: every permission of the
# apps that say so, plus staff accounts.
COMPANY_ADMIN_EXTRA = {
    "auth.view_user", "auth.add_user", "auth.change_user",
    "auth.view_group",
    # Sign-in lockouts (django-axes): see them, and unlock by deleting the attempt.
    "axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accesslog",
    "axes.view_accessfailurelog",
}

STORE_OBJECT_PERMISSIONS = {
    "company_admin": ("work_in_store", "manage_store"),
    "store_manager": ("work_in_store", "manage_store"),
    "associate": ("work_in_store",),
}


def _split(perm: str) -> tuple[str, str]:
    app_label, codename = perm.split(".", 1)
    return app_label, codename


def expected_group_permissions(permission_model) -> dict[str, set[str]]:
    """Group name -> set of "app.codename" it must hold exactly."""
    admin_apps = [grant.key for grant in role_permissions if grant.company_admin_app]
    admin_perms = {
        f"{app}.{codename}"
        for app, codename in permission_model.objects.filter(
            content_type__app_label__in=admin_apps
        ).values_list("content_type__app_label", "codename")
    } | COMPANY_ADMIN_EXTRA
    associate = role_grants("associate")
    return {
        COMPANY_ADMIN: admin_perms,
        STORE_MANAGER: associate | role_grants("store_manager"),
        ASSOCIATE: associate,
    }


def sync_role_groups(group_model, permission_model) -> None:
    """Make each role's group hold exactly its permissions (idempotent).

    For the historical migrations that called it before roles were editable; everything
    since uses `sync_built_in_roles`, which keeps the admins' edits.
    """
    by_name = {f"{app}.{codename}": pk for pk, app, codename in permission_model.objects.values_list(
        "pk", "content_type__app_label", "codename")}
    # An app migrated after the calling migration has no permissions yet: the post-migrate
    # sync (sync_built_in_roles) grants them once it has.
    migrated = {name.split(".", 1)[0] for name in by_name}
    for name, perms in expected_group_permissions(permission_model).items():
        group, _created = group_model.objects.get_or_create(name=name)
        perms = {perm for perm in perms if perm.split(".", 1)[0] in migrated}
        missing = sorted(perm for perm in perms if perm not in by_name)
        if missing:
            raise LookupError(f"Role {name!r} names unknown permissions: {', '.join(missing)}")
        group.permissions.set([by_name[perm] for perm in perms])


def permission_ids(names) -> list[int]:
    """The ids of the permissions named "app.codename" (unknown names are skipped)."""
    from django.contrib.auth.models import Permission

    by_name = {f"{app}.{codename}": pk for pk, app, codename in Permission.objects.values_list(
        "pk", "content_type__app_label", "codename")}
    return [by_name[name] for name in names if name in by_name]


LEVEL_OF_GROUP = {name: level for level, name in ROLE_GROUP_NAMES.items()}


def sync_built_in_roles() -> None:
    """Bring the built-in roles up to this table without undoing the admins' edits.

    A role holds what it held, plus what the code grants that it did not grant at the last
    sync, minus what the code granted then and no longer does. The Company Admin role is
    not editable: it holds exactly every permission of the admin apps.
    """
    from django.contrib.auth.models import Group, Permission

    from clienteling.models import StaffRole

    by_name = {f"{app}.{codename}": pk for pk, app, codename in Permission.objects.values_list(
        "pk", "content_type__app_label", "codename")}
    name_of = {pk: name for name, pk in by_name.items()}
    for group_name, granted in expected_group_permissions(Permission).items():
        missing = sorted(perm for perm in granted if perm not in by_name)
        if missing:
            raise LookupError(f"Role {group_name!r} names unknown permissions: {', '.join(missing)}")
        level = LEVEL_OF_GROUP[group_name]
        group, _created = Group.objects.get_or_create(name=group_name)
        role = StaffRole.objects.filter(built_in=True, level=level).first()
        if role is None:
            role = StaffRole(name=group_name, level=level, group=group, built_in=True)
            held = granted
        elif level == "company_admin":
            held = granted
        else:
            before = {name_of[pk] for pk in role.group.permissions.values_list("pk", flat=True)}
            last = set(role.code_defaults)
            held = (before | (granted - last)) - (last - granted)
        role.code_defaults = sorted(granted)
        role.save()
        role.group.permissions.set([by_name[perm] for perm in held])


def built_in_role(level: str):
    """The built-in role of a level; made from the table first if it is missing (a database
    migrated without its post_migrate step, as a migration test does)."""
    from clienteling.models import StaffRole

    role = StaffRole.objects.select_related("group").filter(built_in=True, level=level).first()
    if role is None:
        sync_built_in_roles()
        role = StaffRole.objects.select_related("group").get(built_in=True, level=level)
    return role


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """After every `migrate`, the built-in roles follow this table (`sync_built_in_roles`).

    The permissions of every app are created first: post_migrate reaches apps in
    order, and the Company Admin holds permissions of apps installed after this one.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_built_in_roles()
