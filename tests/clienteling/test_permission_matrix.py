"""Each role against each console page: who gets in, who is redirected, who sees 403/404."""

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


# view name, args builder, expected status per role (admin, manager, associate_a,
# associate_b, anonymous). customer_a belongs to store A's legal entity.
PAGES = [
    ("clienteling:customer_list", lambda o: [], (200, 200, 200, 200, 302)),
    ("clienteling:customer_export", lambda o: [], (200, 200, 403, 403, 302)),
    ("clienteling:customer_count", lambda o: [], (200, 200, 200, 200, 302)),
    ("clienteling:list_templates", lambda o: [], (200, 200, 200, 200, 302)),
    ("clienteling:list_template_manage", lambda o: [], (200, 200, 403, 403, 302)),
    ("clienteling:list_template_create", lambda o: [], (200, 200, 403, 403, 302)),
    # A company-wide template is the company admins' to change.
    ("clienteling:list_template_edit", lambda o: [o["template"].pk], (200, 404, 403, 403, 302)),
    ("clienteling:list_template_edit", lambda o: [o["store_template"].pk],
     (200, 200, 403, 403, 302)),
    ("clienteling:my_client_book", lambda o: [], (200, 200, 200, 200, 302)),
    ("clienteling:store_client_book", lambda o: [], (200, 200, 200, 200, 302)),
    ("clienteling:bulk_action_form", lambda o: ["add_tag"], (200, 200, 200, 200, 302)),
    ("clienteling:bulk_action_form", lambda o: ["assign"], (200, 200, 403, 403, 302)),
    ("clienteling:bulk_job_status", lambda o: [o["job"].pk], (404, 200, 404, 404, 302)),
    ("clienteling:customer_detail", lambda o: [o["customer"].pk], (200, 200, 200, 404, 302)),
]


@pytest.mark.parametrize(("name", "args", "expected"), PAGES,
                         ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[str(r) for r in ROLES])
def test_page_access(client, users, objects, name, args, expected, role_index):
    role = ROLES[role_index]
    if role:
        client.force_login(users[role])
    response = client.get(reverse(name, args=args(objects)))
    assert response.status_code == expected[role_index]


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

    book = services.client_book_for(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    client.force_login(associate_b)
    response = client.get(reverse("clienteling:store_client_book"))
    assert response.context["cards"] == []
