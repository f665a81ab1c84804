"""Each role against each console view, store scope and masking."""

import pytest
from django.urls import reverse

from clienteling.models import ModuleSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(company_admin, manager, associate_a, associate_b):
    return {"admin": company_admin, "manager": manager, "associate_a": associate_a,
            "associate_b": associate_b}


# (view, role) -> expected status. customer_a belongs to store A's legal entity.
MATRIX = [
    ("today", "admin", 200), ("today", "manager", 200), ("today", "associate_a", 200),
    ("today", "associate_b", 200), ("today", None, 302),
    ("customers", "admin", 200), ("customers", "manager", 200),
    ("customers", "associate_a", 200), ("customers", "associate_b", 200),
    ("customers", None, 302),
    ("customer_a", "admin", 200), ("customer_a", "manager", 200),
    ("customer_a", "associate_a", 200), ("customer_a", "associate_b", 404),
    ("customer_a", None, 302),
    ("inbox", "admin", 200), ("inbox", "manager", 200), ("inbox", "associate_a", 200),
    ("inbox", None, 302),
]


def url_for(view, customer_a):
    return {
        "today": reverse("clienteling:today"),
        "customers": reverse("clienteling:customer_list"),
        "customer_a": reverse("clienteling:customer_detail", args=[customer_a.pk]),
        "inbox": reverse("conversations:inbox"),
    }[view]


@pytest.mark.parametrize(("view", "role", "status"), MATRIX)
def test_permission_matrix(client, users, customer_a, view, role, status):
    if role:
        client.force_login(users[role])
    response = client.get(url_for(view, customer_a))
    assert response.status_code == status


def test_a_user_without_a_staff_profile_sees_no_customers(client, django_user_model, customer_a):
    stranger = django_user_model.objects.create_user("stranger", password="x-pass-123")
    client.force_login(stranger)
    assert client.get(reverse("clienteling:customer_list")).status_code == 403
    detail = reverse("clienteling:customer_detail", args=[customer_a.pk])
    assert client.get(detail).status_code == 403


def test_customer_list_shows_only_the_users_legal_entity(client, associate_b, customer_a,
                                                          customer_b):
    client.force_login(associate_b)
    body = client.get(reverse("clienteling:customer_list")).content.decode()
    assert "Jean" in body
    assert "Claire" not in body


def test_search_cannot_reach_another_entitys_customer(client, associate_b, customer_a):
    client.force_login(associate_b)
    response = client.get(reverse("clienteling:customer_list"), {"q": "claire@example.com"})
    assert "Claire" not in response.content.decode()


def test_associate_sees_masked_contact_details(client, associate_a, customer_a):
    client.force_login(associate_a)
    body = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()
    assert "claire@example.com" not in body
    assert "c•••@e•••" in body
    assert "555 0123" not in body and "5550123" not in body
    assert "•••• 23" in body


def test_masking_also_applies_to_the_list(client, associate_a, customer_a):
    client.force_login(associate_a)
    body = client.get(reverse("clienteling:customer_list")).content.decode()
    assert "claire@example.com" not in body


def test_manager_sees_contact_details(client, manager, customer_a):
    client.force_login(manager)
    body = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()
    assert "claire@example.com" in body
    assert "+1 212-555-0123" in body


def test_module_off_hides_navigation_and_answers_404(client, associate_a, customer_a):
    ModuleSettings.objects.update_or_create(pk=1, defaults={"customers_enabled": False})
    client.force_login(associate_a)
    today = client.get(reverse("clienteling:today")).content.decode()
    assert reverse("clienteling:customer_list") not in today
    assert reverse("conversations:inbox") not in today
    assert client.get(reverse("clienteling:customer_list")).status_code == 404
    detail = reverse("clienteling:customer_detail", args=[customer_a.pk])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("conversations:inbox")).status_code == 404


def test_module_on_shows_customers_and_conversations(client, associate_a):
    client.force_login(associate_a)
    today = client.get(reverse("clienteling:today")).content.decode()
    assert reverse("clienteling:customer_list") in today
    assert reverse("conversations:inbox") in today


def test_htmx_search_returns_only_the_results_fragment(client, manager, customer_a):
    client.force_login(manager)
    response = client.get(reverse("clienteling:customer_list"), {"q": "Claire"},
                          headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body
    assert "Claire" in body


# --- Store scope comes from django-guardian's per-store object permissions ---------------


def test_store_scope_follows_the_guardian_permission_not_the_profile(org, associate_a):
    from guardian.shortcuts import assign_perm, remove_perm

    from clienteling.access import stores_for

    # Given an associate of New York
    assert list(stores_for(associate_a)) == [org["store_a"]]

    # When work_in_store is granted on Boston and withdrawn on New York, profile untouched
    assign_perm("clienteling.work_in_store", associate_a, org["store_a2"])
    remove_perm("clienteling.work_in_store", associate_a, org["store_a"])

    # Then the store scope is Boston only
    assert list(stores_for(associate_a)) == [org["store_a2"]]
    assert list(associate_a.staff_profile.stores.all()) == [org["store_a"]]


def test_managed_stores_need_manage_store(org, manager, associate_a):
    from guardian.shortcuts import assign_perm

    from clienteling.access import managed_stores_for

    assert list(managed_stores_for(manager)) == [org["store_a"]]
    # An associate holding manage_store by mistake still manages nothing: the role decides too.
    assign_perm("clienteling.manage_store", associate_a, org["store_a"])
    assert not managed_stores_for(associate_a).exists()


def test_an_inactive_store_is_out_of_scope(org, associate_a):
    from clienteling.access import stores_for

    org["store_a"].active = False
    org["store_a"].save()
    assert not stores_for(associate_a).exists()


def test_global_work_in_store_does_not_open_every_store(org, associate_a):
    from django.contrib.auth.models import Permission

    from clienteling.access import stores_for

    associate_a.user_permissions.add(Permission.objects.get(codename="work_in_store"))
    assert list(stores_for(associate_a)) == [org["store_a"]]


def test_a_deactivated_profile_has_no_store(org, associate_a):
    from clienteling import services
    from clienteling.access import stores_for

    profile = associate_a.staff_profile
    profile.active = False
    profile.save()
    services.staff_sync_access(profile=profile)
    assert not stores_for(associate_a).exists()
