"""Roles and the permissions each holds.

Groups are re-synced with this table after every `migrate` (post_migrate) and by
`manage.py sync_roles`.
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
    """Make each role's group hold exactly its permissions (idempotent)."""
    by_name = {f"{app}.{codename}": pk for pk, app, codename in permission_model.objects.values_list(
        "pk", "content_type__app_label", "codename")}
    for name, perms in expected_group_permissions(permission_model).items():
        group, _created = group_model.objects.get_or_create(name=name)
        missing = sorted(perm for perm in perms if perm not in by_name)
        if missing:
            raise LookupError(f"Role {name!r} names unknown permissions: {', '.join(missing)}")
        group.permissions.set([by_name[perm] for perm in perms])


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """After every `migrate`, the role groups hold exactly what this table says.

    The permissions of every app are created first: post_migrate reaches apps in
    order, and the Company Admin holds permissions of apps installed after this one.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_role_groups(Group, Permission)
