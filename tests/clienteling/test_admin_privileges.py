"""Nobody changes, resets the password of, or deletes a user who holds rights they lack."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(client, company_admin):
    assert company_admin.is_staff and not company_admin.is_superuser
    client.force_login(company_admin)
    return client


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "root-pass-9")


def test_a_company_admin_cannot_set_a_superusers_password(admin_client, root):
    response = admin_client.post(reverse("admin:auth_user_password_change", args=[root.pk]),
                                 {"password1": "taken-over-77", "password2": "taken-over-77",
                                  "usable_password": "true"})

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("root-pass-9")


def test_a_company_admin_cannot_edit_or_delete_a_superuser(admin_client, company_admin, root):
    # Even one who may delete users.
    company_admin.user_permissions.add(Permission.objects.get(codename="delete_user"))
    change = admin_client.post(reverse("admin:auth_user_change", args=[root.pk]),
                               {"username": "mine", "is_active": "on"})
    delete = admin_client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})
    bulk = admin_client.post(reverse("admin:auth_user_changelist"),
                             {"action": "delete_selected", "index": "0", "_selected_action": [root.pk],
                              "post": "yes"})

    assert change.status_code == 403 and delete.status_code == 403 and bulk.status_code == 403
    root.refresh_from_db()
    assert root.username == "root" and root.is_active


def test_a_user_with_a_permission_the_admin_lacks_is_out_of_reach(admin_client):
    stronger = UserFactory(username="stronger")
    stronger.user_permissions.add(Permission.objects.get(codename="delete_user"))

    response = admin_client.post(reverse("admin:auth_user_password_change", args=[stronger.pk]),
                                 {"password1": "taken-over-77", "password2": "taken-over-77",
                                  "usable_password": "true"})

    assert response.status_code == 403


def test_a_company_admin_still_resets_an_associates_password(admin_client, associate_a):
    response = admin_client.post(reverse("admin:auth_user_password_change", args=[associate_a.pk]),
                                 {"password1": "fresh-start-42", "password2": "fresh-start-42",
                                  "usable_password": "true"})

    assert response.status_code == 302
    associate_a.refresh_from_db()
    assert associate_a.check_password("fresh-start-42")


def test_the_superuser_sees_no_edit_form_for_a_company_admin(admin_client, root):
    page = admin_client.get(reverse("admin:auth_user_change", args=[root.pk]))

    # Viewing stays possible (the admin sees who exists), changing does not.
    assert page.status_code == 200 and b'name="_save"' not in page.content
