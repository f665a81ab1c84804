"""Company Admins manage roles in the admin: what each role holds, and roles of their own.

The built-in roles start from the code's table and keep the admins' edits when the code
changes; nobody hands out a permission they do not hold.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clienteling import services
from clienteling.models import AuditAction, AuditEvent, StaffProfile, StaffRole
from clienteling.roles import ROLE_GROUP_NAMES, role_grants, sync_built_in_roles
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
User = get_user_model()
Role = StaffProfile.Role


def perm(name: str) -> Permission:
    app, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app, codename=codename)


def held(role: StaffRole) -> set[str]:
    return {f"{app}.{codename}" for app, codename in role.group.permissions.values_list(
        "content_type__app_label", "codename")}


@pytest.fixture
def admin_client(client, company_admin):
    client.force_login(company_admin)
    return client


def built_in(level: str) -> StaffRole:
    return StaffRole.objects.get(built_in=True, level=level)


def test_the_built_in_roles_hold_the_codes_table_after_migrate():
    assert sorted(StaffRole.objects.filter(built_in=True).values_list("level", flat=True)) == sorted(
        ROLE_GROUP_NAMES)
    assert held(built_in(Role.ASSOCIATE)) == role_grants("associate")
    assert held(built_in(Role.STORE_MANAGER)) == role_grants("associate") | role_grants("store_manager")
    assert built_in(Role.ASSOCIATE).group.name == ROLE_GROUP_NAMES["associate"]


def test_a_company_admin_adds_a_role_and_gives_it_to_an_associate(admin_client, org, associate_a):
    grants = role_grants("associate") | {"clienteling.view_sensitive_customer_data"}
    response = admin_client.post(reverse("admin:clienteling_staffrole_add"), {
        "name": "Senior Associate", "level": Role.ASSOCIATE, "description": "Sees contact details",
        "permissions": [perm(name).pk for name in grants],
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    senior = StaffRole.objects.get(name="Senior Associate")
    assert held(senior) == grants and not senior.built_in

    profile = associate_a.staff_profile
    change = admin_client.post(reverse("admin:clienteling_staffprofile_change", args=[profile.pk]), {
        "user": associate_a.pk, "legal_entity": profile.legal_entity_id, "role": Role.ASSOCIATE,
        "staff_role": senior.pk, "home_store": org["store_a"].pk, "stores": [org["store_a"].pk],
        "employee_code": "", "active": "on",
    })
    assert change.status_code == 302

    associate = User.objects.get(pk=associate_a.pk)
    assert associate.has_perm("clienteling.view_sensitive_customer_data")
    assert associate.has_perm("clienteling.work_in_store", org["store_a"])
    assert list(associate.groups.values_list("name", flat=True)) == ["Senior Associate"]

    # Taking the permission from the role takes it from every member at once.
    admin_client.post(reverse("admin:clienteling_staffrole_change", args=[senior.pk]), {
        "name": "Senior Associate", "level": Role.ASSOCIATE, "description": "",
        "permissions": [perm(name).pk for name in role_grants("associate")],
    })
    assert not User.objects.get(pk=associate_a.pk).has_perm("clienteling.view_sensitive_customer_data")
    events = AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE, target__contains="Senior")
    assert [event.detail["removed"] for event in events.order_by("at") if event.detail.get("removed")] == [
        ["clienteling.view_sensitive_customer_data"]]


def test_a_role_level_decides_the_store_rights_of_its_members(admin_client, org, associate_a):
    lead = StaffRole.objects.create(name="Floor lead", level=Role.ASSOCIATE,
                                    group=Group.objects.create(name="Floor lead"))
    profile = associate_a.staff_profile
    profile.staff_role = lead
    profile.full_clean()
    profile.save()
    services.staff_sync_access(profile=profile)
    assert not User.objects.get(pk=associate_a.pk).has_perm("clienteling.manage_store", org["store_a"])

    admin_client.post(reverse("admin:clienteling_staffrole_change", args=[lead.pk]), {
        "name": "Floor lead", "level": Role.STORE_MANAGER, "description": "", "permissions": [],
    })

    profile.refresh_from_db()
    assert profile.role == Role.STORE_MANAGER
    assert User.objects.get(pk=associate_a.pk).has_perm("clienteling.manage_store", org["store_a"])


def test_nobody_grants_a_permission_they_do_not_hold(admin_client, company_admin):
    foreign = perm("admin.view_logentry")
    assert not company_admin.has_perm("admin.view_logentry")
    page = admin_client.get(reverse("admin:clienteling_staffrole_add"))
    offered = set(page.context["adminform"].form.fields["permissions"].queryset.values_list("pk", flat=True))
    assert foreign.pk not in offered and perm("clienteling.view_customer_profile").pk in offered

    response = admin_client.post(reverse("admin:clienteling_staffrole_add"), {
        "name": "Auditor", "level": Role.ASSOCIATE, "description": "", "permissions": [foreign.pk],
    })

    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert not StaffRole.objects.filter(name="Auditor").exists()
    assert not Group.objects.filter(name="Auditor").exists()


def test_a_role_holding_more_than_the_admin_is_out_of_reach(admin_client, org):
    stronger = StaffRole.objects.create(name="Root-ish", level=Role.ASSOCIATE,
                                        group=Group.objects.create(name="Root-ish"))
    stronger.group.permissions.add(perm("admin.view_logentry"))

    change = admin_client.post(reverse("admin:clienteling_staffrole_change", args=[stronger.pk]), {
        "name": "Mine", "level": Role.ASSOCIATE, "description": "", "permissions": []})
    assert change.status_code == 403
    # Nor can it be handed to anyone from a staff profile.
    page = admin_client.get(reverse("admin:clienteling_staffprofile_add"))
    roles = page.context["adminform"].form.fields["staff_role"].queryset
    assert stronger not in roles and built_in(Role.ASSOCIATE) in roles


def test_the_company_admin_role_cannot_be_edited_nor_built_in_roles_deleted(admin_client):
    admin_role = built_in(Role.COMPANY_ADMIN)
    assert admin_client.post(reverse("admin:clienteling_staffrole_change", args=[admin_role.pk]), {
        "name": "x", "level": Role.ASSOCIATE, "permissions": []}).status_code == 403
    associate = built_in(Role.ASSOCIATE)
    assert admin_client.post(reverse("admin:clienteling_staffrole_delete", args=[associate.pk]),
                             {"post": "yes"}).status_code == 403
    assert StaffRole.objects.filter(pk=associate.pk).exists()


def test_an_admins_edit_of_a_built_in_role_survives_the_next_sync(admin_client):
    manager = built_in(Role.STORE_MANAGER)
    keep = role_grants("associate") | role_grants("store_manager")
    keep -= {"clienteling.export_customers"}
    admin_client.post(reverse("admin:clienteling_staffrole_change", args=[manager.pk]), {
        "description": "No exports here", "permissions": [perm(name).pk for name in keep]})
    assert "clienteling.export_customers" not in held(manager)

    # The code stops granting one permission and starts granting another.
    manager.code_defaults = sorted((set(manager.code_defaults) | {"clienteling.delete_tag"})
                                   - {"clienteling.manage_list_templates"})
    manager.save()
    sync_built_in_roles()

    after = held(manager)
    assert "clienteling.export_customers" not in after  # the admin's edit stands
    assert "clienteling.manage_list_templates" in after  # granted again by the code's table
    assert "clienteling.delete_tag" not in after  # the code no longer grants it


def test_restoring_a_built_in_role(admin_client):
    manager = built_in(Role.STORE_MANAGER)
    manager.group.permissions.remove(perm("clienteling.export_customers"))

    response = admin_client.post(reverse("admin:clienteling_staffrole_changelist"), {
        "action": "restore_built_in_permissions", "_selected_action": [manager.pk]})

    assert response.status_code == 302
    assert held(manager) == set(manager.code_defaults)


def test_deleting_an_added_role_removes_its_group(admin_client):
    spare = StaffRole.objects.create(name="Spare", level=Role.ASSOCIATE,
                                     group=Group.objects.create(name="Spare"))
    response = admin_client.post(reverse("admin:clienteling_staffrole_delete", args=[spare.pk]),
                                 {"post": "yes"})

    assert response.status_code == 302
    assert not StaffRole.objects.filter(pk=spare.pk).exists()
    assert not Group.objects.filter(name="Spare").exists()


def test_roles_list_in_the_admin(admin_client, associate_a):
    make_staff(Role.ASSOCIATE, associate_a.staff_profile.home_store, username="second")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("admin:clienteling_staffrole_changelist")).status_code == 200
        return len(captured)

    queries()  # the session's first request reads what later ones find cached
    before = queries()
    for number in range(5):  # more roles, the same queries
        StaffRole.objects.create(name=f"Role {number}", group=Group.objects.create(name=f"Role {number}"))
    assert queries() == before
    page = admin_client.get(reverse("admin:clienteling_staffrole_changelist"))
    row = next(role for role in page.context["cl"].result_list if role.level == Role.ASSOCIATE)
    assert row.members_total == 2 and row.permissions_total == len(role_grants("associate"))
