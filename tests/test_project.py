"""Project-wide guarantees: migrations, deploy checks, role groups."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from clienteling.roles import (
    ASSOCIATE,
    ASSOCIATE_PERMISSIONS,
    COMPANY_ADMIN,
    STORE_MANAGER,
    STORE_MANAGER_PERMISSIONS,
    expected_group_permissions,
)

ROOT = Path(__file__).resolve().parent.parent


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_role_groups_hold_exactly_their_permissions():
    assert group_permissions(ASSOCIATE) == ASSOCIATE_PERMISSIONS
    assert group_permissions(STORE_MANAGER) == STORE_MANAGER_PERMISSIONS
    assert group_permissions(COMPANY_ADMIN) == expected_group_permissions(Permission)[COMPANY_ADMIN]


@pytest.mark.django_db
def test_associates_cannot_see_sensitive_data_or_reassign():
    perms = group_permissions(ASSOCIATE)
    assert "clienteling.view_sensitive_customer_data" not in perms
    assert "clienteling.reassign_client_book" not in perms
    assert "clienteling.export_customers" not in perms


@pytest.mark.django_db
def test_company_admin_holds_every_custom_permission():
    perms = group_permissions(COMPANY_ADMIN)
    assert STORE_MANAGER_PERMISSIONS <= perms
    assert "conversations.access_conversations" in perms
    assert "auth.add_user" in perms
    assert "auth.change_group" not in perms  # roles are code, not hand-edited groups
