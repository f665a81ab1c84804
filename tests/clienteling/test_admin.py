"""The Company Admin configuration screens."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from clienteling.models import CustomerAttribute, ModuleSettings, ProfileSection

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    ((model._meta.app_label, model._meta.model_name) for model in admin.site._registry),
)


def admin_url(app_label, model_name, view):
    return reverse(f"admin:{app_label}_{model_name}_{view}")


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_company_admin_opens_every_changelist(client, company_admin, app_label, model_name):
    client.force_login(company_admin)
    response = client.get(admin_url(app_label, model_name, "changelist"), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_company_admin_opens_every_add_page(client, company_admin, app_label, model_name):
    model_admin = next(
        ma for m, ma in admin.site._registry.items()
        if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
    )
    request = RequestFactory().get("/")
    request.user = company_admin
    client.force_login(company_admin)
    response = client.get(admin_url(app_label, model_name, "add"))
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert response.status_code == expected


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_associate_is_kept_out_of_the_admin(client, associate_a, app_label, model_name, view):
    client.force_login(associate_a)
    response = client.get(admin_url(app_label, model_name, view))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert reverse("admin:login") in response["Location"]


def test_last_visit_attribute_end_to_end(client, company_admin):
    client.force_login(company_admin)
    response = client.post(admin_url("clienteling", "customerattribute", "add"), {
        "name": "Last Visit",
        "description": "When the customer last came to the store",
        "data_type": "date",
        "customer_editable": "on",
        "channel_store": "on",
        "channel_web": "on",
        "enabled_as_filter": "on",
        "active": "on",
        "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    attribute = CustomerAttribute.objects.get(name="Last Visit")
    assert attribute.slug == "last-visit"
    assert attribute.data_type == "date"
    assert not attribute.allows_multiple
    assert attribute.customer_editable and attribute.enabled_as_filter
    assert (attribute.channel_store, attribute.channel_web, attribute.channel_app) == (
        True, True, False)


def test_module_settings_opens_as_one_object(client, company_admin):
    client.force_login(company_admin)
    response = client.get(admin_url("clienteling", "modulesettings", "changelist"))
    assert response.status_code == 302
    settings = ModuleSettings.load()
    change = reverse("admin:clienteling_modulesettings_change", args=[settings.pk])
    assert response["Location"] == change
    client.post(change, {"conversations_enabled": "on", "remote_carts_enabled": "on"})
    assert ModuleSettings.load().customers_enabled is False


def test_profile_layout_starts_with_purchase_history_and_can_be_reordered(client, company_admin):
    sections = list(ProfileSection.objects.values_list("kind", flat=True))
    assert "purchase_history" in sections and "attributes" in sections
    client.force_login(company_admin)
    purchase = ProfileSection.objects.get(kind="purchase_history")
    first = ProfileSection.objects.first()
    response = client.post(
        reverse("admin:clienteling_profilesection_sortable_update"),
        data={"updatedItems": [[purchase.pk, 0], [first.pk, purchase.position]]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(ProfileSection.objects.values_list("kind", flat=True))[0] == "purchase_history"


def test_company_admin_cannot_make_anyone_superuser(client, company_admin, associate_a):
    client.force_login(company_admin)
    change = reverse("admin:auth_user_change", args=[associate_a.pk])
    body = client.get(change).content.decode()
    assert 'name="is_superuser"' not in body
    assert 'name="user_permissions"' not in body
