"""Saved lists and client books out of reach (the full matrix is tests/test_access_matrix.py)."""

import pytest
from django.urls import reverse

from clienteling.models import BulkJob, SavedCustomerList

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "associate_a", "associate_b", None]


@pytest.fixture
def users(company_admin, manager, associate_a, associate_b):
    return {"admin": company_admin, "manager": manager, "associate_a": associate_a,
            "associate_b": associate_b}


@pytest.fixture
def objects(manager, customer_a, org):
    template = SavedCustomerList.objects.create(owner=manager, name="T", is_template=True,
                                                template_status="published")
    store_template = SavedCustomerList.objects.create(
        owner=manager, name="New York", is_template=True, template_status="draft",
        store=org["store_a"])
    saved = SavedCustomerList.objects.create(owner=manager, name="Mine")
    job = BulkJob.objects.create(action="add_tag", created_by=manager)
    return {"template": template, "store_template": store_template, "saved": saved, "job": job,
            "customer": customer_a}


@pytest.mark.parametrize(("name", "args"), [
    ("clienteling:saved_list_update", lambda o: [o["saved"].pk]),
    ("clienteling:saved_list_delete", lambda o: [o["saved"].pk]),
])
def test_another_users_saved_list_cannot_be_changed(client, associate_a, objects, name, args):
    client.force_login(associate_a)
    assert client.post(reverse(name, args=args(objects))).status_code == 404
    assert SavedCustomerList.objects.filter(pk=objects["saved"].pk).exists()


def test_store_client_book_of_another_entity_shows_nothing(client, associate_b, org, associate_a,
                                                          customer_a):
    from clienteling import services

    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    client.force_login(associate_b)
    response = client.get(reverse("clienteling:store_client_book"))
    assert response.context["cards"] == []
