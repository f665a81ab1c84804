"""Project-wide guarantees: migrations, deploy checks, role groups."""

import os
import subprocess
import sys
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


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7!kq2@zP#9vR$mL4&nB8*wT6^yH3(eJ5)uF1%cD0+aS-gK_iO=pQ",
        "FIELD_ENCRYPTION_KEYS": "nJ1Ih0bVqEFfM2tq5E7o1vU2nOqQ1d1fC8bS8Jc3m0k=",
        "ALLOWED_HOSTS": "atelier.example.com",
        "DATABASE_URL": "sqlite:////tmp/atelier-deploy-check.sqlite3",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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
