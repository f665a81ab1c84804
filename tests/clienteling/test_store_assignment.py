"""Assigning customers to a home store from the console: on the profile and in bulk."""

import pytest
from django.urls import reverse

from clienteling.models import AuditAction, AuditEvent, BulkJob
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def edit_url(customer):
    return reverse("clienteling:profile_home_store_edit", args=[customer.pk])


def test_profile_shows_the_change_link_to_those_with_the_right(client, manager, associate_a, customer_a):
    client.force_login(manager)
    page = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()
    assert "New York" in page and edit_url(customer_a) in page
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()
    assert "New York" in page and edit_url(customer_a) not in page


def test_an_associate_cannot_change_the_home_store(client, org, associate_a, customer_a):
    client.force_login(associate_a)
    assert client.get(edit_url(customer_a)).status_code == 403
    assert client.post(edit_url(customer_a), {"store": org["store_a2"].pk}).status_code == 403
    customer_a.refresh_from_db()
    assert customer_a.home_store == org["store_a"]


def test_a_manager_picks_among_their_own_stores(client, org, manager):
    customer = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a2"])
    client.force_login(manager)
    form = client.get(edit_url(customer)).content.decode()
    assert "New York" in form and "Boston" not in form and "Paris" not in form
    refused = client.post(edit_url(customer), {"store": org["store_b"].pk})
    assert refused.status_code == 400
    response = client.post(edit_url(customer), {"store": org["store_a"].pk})
    assert response.status_code == 302 and response.url == reverse("clienteling:customer_detail",
                                                                    args=[customer.pk])
    customer.refresh_from_db()
    assert customer.home_store == org["store_a"]


def test_an_admin_moves_a_customer_and_it_is_audited(client, org, company_admin, customer_a):
    client.force_login(company_admin)
    response = client.post(edit_url(customer_a), {"store": org["store_a2"].pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("clienteling:customer_detail", args=[customer_a.pk])
    customer_a.refresh_from_db()
    assert customer_a.home_store == org["store_a2"]
    event = AuditEvent.objects.get(action=AuditAction.REASSIGN)
    assert (event.actor, event.customer_id, event.target) == (company_admin, customer_a.pk,
                                                              f"to store {org['store_a2'].pk}")
    assert event.detail == {"home_store": org["store_a2"].pk, "customers": 1}


def test_another_legal_entity_cannot_reach_the_customer(client, org, associate_b, customer_a):
    client.force_login(associate_b)
    assert client.get(edit_url(customer_a)).status_code in (403, 404)


# Bulk ----------------------------------------------------------------------------------------

def start(client, data, capture):
    with capture(execute=True):
        return client.post(reverse("clienteling:bulk_action_start", args=["assign_store"]), data)


def test_the_bulk_action_is_offered_to_those_with_the_right(client, manager, associate_a, customer_a):
    form_url = reverse("clienteling:bulk_action_form", args=["assign_store"])
    client.force_login(manager)
    assert form_url in client.get(reverse("clienteling:customer_list")).content.decode()
    assert client.get(form_url).status_code == 200
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:customer_list")).content.decode()
    assert reverse("clienteling:bulk_action_form", args=["assign"]) not in page  # sanity: same right
    assert form_url not in page
    assert client.get(form_url).status_code == 403


def test_an_associate_cannot_start_it(client, org, associate_a, customer_a):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:bulk_action_start", args=["assign_store"]),
                           {"store": org["store_a2"].pk, "ids": [customer_a.pk]})
    assert response.status_code == 403
    assert not BulkJob.objects.exists()


def test_bulk_moves_the_selected_customers_and_audits(client, org, company_admin, customer_b,
                                                      django_capture_on_commit_callbacks):
    customers = CustomerFactory.create_batch(3, legal_entity=org["entity"], home_store=org["store_a"])
    client.force_login(company_admin)
    response = start(client, {"store": org["store_a2"].pk, "ids": [c.pk for c in customers[:2]]},
                     django_capture_on_commit_callbacks)
    assert response.status_code == 200
    job = BulkJob.objects.get()
    assert (job.status, job.total, job.succeeded) == ("done", 2, 2)
    for customer in customers:
        customer.refresh_from_db()
    assert [c.home_store_id == org["store_a2"].pk for c in customers] == [True, True, False]
    event = AuditEvent.objects.get(action=AuditAction.REASSIGN)
    assert event.detail == {"home_store": org["store_a2"].pk, "customers": 2}
    assert event.actor == company_admin


def test_bulk_refuses_a_store_the_user_does_not_work_in(client, org, manager, customer_a,
                                                        django_capture_on_commit_callbacks):
    client.force_login(manager)
    response = start(client, {"store": org["store_a2"].pk, "ids": [customer_a.pk]},
                     django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not BulkJob.objects.exists()
    customer_a.refresh_from_db()
    assert customer_a.home_store == org["store_a"]
