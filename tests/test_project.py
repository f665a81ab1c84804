"""Project-wide guarantees: migrations, deploy checks, role groups, readable templates."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from clienteling.roles import ASSOCIATE, COMPANY_ADMIN, STORE_MANAGER

# What each role may do, written out: the apps register these grants; this is the product rule.
ASSOCIATE_PERMISSIONS = {
    "clienteling.view_customer_profile", "clienteling.view_own_client_book",
    "clienteling.view_store_client_book", "clienteling.add_to_client_book",
    "conversations.access_conversations",
}
STORE_MANAGER_PERMISSIONS = ASSOCIATE_PERMISSIONS | {
    "clienteling.view_sensitive_customer_data", "clienteling.assign_customer",
    "clienteling.remove_from_client_book", "clienteling.reassign_client_book",
    "clienteling.export_customers", "clienteling.manage_list_templates",
}
# Insights: associates use the feed and the dashboard; managers also set goals and read the rule report.
ASSOCIATE_PERMISSIONS = ASSOCIATE_PERMISSIONS | {"insights.view_insights"}
STORE_MANAGER_PERMISSIONS = STORE_MANAGER_PERMISSIONS | {"insights.view_insights", "insights.manage_goals",
                                                         "insights.view_rule_report"}

# Appointments: associates and managers see, book and change them (managers for their stores).
_APPOINTMENTS = {"appointments.view_appointment", "appointments.add_appointment",
                 "appointments.change_appointment"}
ASSOCIATE_PERMISSIONS = ASSOCIATE_PERMISSIONS | _APPOINTMENTS
STORE_MANAGER_PERMISSIONS = STORE_MANAGER_PERMISSIONS | _APPOINTMENTS

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
    every_app_permission = {f"{app}.{codename}" for app, codename in Permission.objects.filter(
        content_type__app_label__in=["catalog", "clienteling", "conversations", "carts", "appointments",
                                     "insights", "imports", "api"]).values_list(
        "content_type__app_label", "codename")}
    admin = group_permissions(COMPANY_ADMIN)
    assert every_app_permission <= admin
    assert admin - every_app_permission == {
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
        "axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accesslog",
        "axes.view_accessfailurelog"}


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


TEMPLATE_LINE_LIMIT = 160


def test_template_lines_stay_readable():
    """No template line over 160 characters; a lone translated sentence may be longer
    (reflowing it would change its message id)."""
    too_long = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            alone = line.strip()
            lone_translation = (
                alone.startswith("{% translate ") and alone.endswith("%}") and alone.count("{%") == 1
                or alone.startswith("{% blocktranslate") and alone.endswith("{% endblocktranslate %}"))
            if len(line) > TEMPLATE_LINE_LIMIT and not lone_translation:
                too_long.append(f"{path.relative_to(ROOT)}:{number} ({len(line)})")
    assert not too_long, "\n".join(too_long)
