"""The customer list's grid (columns, queries, masking), saved lists and templates, the CSV export."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from clienteling import services
from clienteling.models import (
    CustomerMeasures,
    CustomerTag,
    GridPreference,
    SavedCustomerList,
)
from tests.clienteling.list_helpers import LIST, names
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_columns_are_remembered_per_user(as_manager, manager):
    as_manager.post(reverse("clienteling:grid_columns"), {"cols": ["city", "tags"]})
    assert GridPreference.objects.get(user=manager).columns == ["customer", "city", "tags"]
    result = as_manager.get(reverse(LIST)).context["result"]
    assert [c.key for c in result.columns] == ["customer", "city", "tags"]


# Session, user, user and group permissions, staff profile, home store, grid columns,
# the page, its related rows (measures, contact history), tags, mailing lists, saved
# lists, the phone cards' "in your book" (clienteling.selectors.cards). No count (the list
# fits on the page); module settings, the filterable attributes and the filters' choices come
# from caches (catalog.reference).
LIST_PAGE_QUERIES = 14


def test_list_page_query_count_does_not_grow_with_rows(as_manager, org, manager,
                                                        django_assert_num_queries):
    tag = TagFactory()
    as_manager.post(reverse("clienteling:grid_columns"),
                    {"cols": ["customer", "primary_salesperson", "created_by", "last_sale",
                              "sales_12mo", "last_text", "tags", "mailing_lists", "phone"]})

    def add_customers(n):
        for customer in CustomerFactory.create_batch(n, legal_entity=org["entity"],
                                                     primary_salesperson=manager,
                                                     created_by=manager):
            CustomerTag.objects.create(customer=customer, tag=tag)
            CustomerMeasures.objects.create(customer=customer)

    def rows_on_one_page():
        with django_assert_num_queries(LIST_PAGE_QUERIES):
            response = as_manager.get(reverse(LIST))
        assert response.status_code == 200
        return len(response.context["result"].rows)

    add_customers(3)
    as_manager.get(reverse(LIST))  # warm per-process caches
    assert rows_on_one_page() == 3
    add_customers(22)
    assert rows_on_one_page() == 25


def test_associate_sees_masked_columns_and_cannot_export(client, associate_a, people):
    client.force_login(associate_a)
    body = client.get(reverse(LIST)).content.decode()
    assert "ann@example.com" not in body
    assert client.get(reverse("clienteling:customer_export")).status_code == 403


def test_export_streams_the_filtered_list_as_csv(as_manager, people):
    response = as_manager.get(reverse("clienteling:customer_export"), {"q": "Ann"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("Customer")
    assert len(lines) == 2 and "Ann Test" in lines[1] and "ann@example.com" in lines[1]


def test_a_saved_list_is_evaluated_live(as_manager, manager, org, people):
    vip = TagFactory(name="VIP")
    as_manager.post(reverse("clienteling:saved_list_create"),
                    {"name": "VIPs", "query": f"tags={vip.pk}", "cols": ["customer", "tags"]})
    saved = SavedCustomerList.objects.get(owner=manager, name="VIPs")
    assert saved.filters == {"tags": [str(vip.pk)]}
    assert names(as_manager.get(reverse(LIST), {"list": saved.pk})) == set()
    CustomerTag.objects.create(customer=people["Cai"], tag=vip)
    assert names(as_manager.get(reverse(LIST), {"list": saved.pk})) == {"Cai"}


def test_another_users_saved_list_is_not_reachable(client, associate_a, manager):
    saved = SavedCustomerList.objects.create(owner=manager, name="Mine")
    client.force_login(associate_a)
    assert client.get(reverse(LIST), {"list": saved.pk}).status_code == 404


def test_published_template_can_be_copied_by_an_associate(client, associate_a, manager):
    template = SavedCustomerList.objects.create(
        owner=manager, name="Birthdays this week", filters={"birthday_within": ["7"]},
        is_template=True, template_status="published")
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:list_templates")).content.decode()
    assert "Birthdays this week" in page
    client.post(reverse("clienteling:list_template_copy", args=[template.pk]))
    copy = SavedCustomerList.objects.get(owner=associate_a)
    assert copy.filters == {"birthday_within": ["7"]} and copy.source_template == template


def test_retired_template_cannot_be_copied(client, associate_a, manager):
    template = SavedCustomerList.objects.create(owner=manager, name="Old", is_template=True,
                                                template_status="retired")
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:list_template_copy", args=[template.pk]))
    assert response.status_code == 404


def test_only_managers_manage_templates(associate_a, as_manager, org):
    associate = Client()
    associate.force_login(associate_a)
    assert associate.get(reverse("clienteling:list_template_manage")).status_code == 403
    assert associate.get(reverse("clienteling:list_template_create")).status_code == 403
    response = as_manager.post(reverse("clienteling:list_template_create"),
                               {"name": "Lapsed VIPs", "template_status": "published",
                                "store": org["store_a"].pk, "not_purchased_within": "365",
                                "cols": ["customer", "sales_12mo"]})
    assert response.status_code == 302
    template = SavedCustomerList.objects.get(name="Lapsed VIPs")
    assert template.is_template and template.filters == {"not_purchased_within": ["365"]}
    assert template.columns == ["customer", "sales_12mo"] and template.store == org["store_a"]


# --- CSV export ------------------------------------------------------------------------------


def exported(response) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_defuses_spreadsheet_formulas(as_manager, manager, org):
    # Given customers whose data starts like a formula
    CustomerFactory(legal_entity=org["entity"], first_name="=HYPERLINK(\"http://x\")",
                    last_name="@SUM(A1)", city="+cmd", state="-2+3", email="\tx@example.com",
                    balance=Decimal("-12.50"), phone="+12125550199")
    services.grid_preference_set(user=manager, columns=["first_name", "last_name", "city", "state",
                                                        "balance", "phone"])

    # When the list is exported
    header, row = exported(as_manager.get(reverse("clienteling:customer_export")))

    # Then every such cell is text, plain amounts stay numbers
    cells = dict(zip(header, row, strict=True))
    assert cells["First Name"] == "'=HYPERLINK(\"http://x\")"
    assert cells["Last Name"] == "'@SUM(A1)"
    assert cells["City"] == "'+cmd"
    assert cells["State"] == "'-2+3"
    assert cells["Balance"] == "-12.50"
    assert cells["Phone"] == "'+1 212-555-0199"
    assert cells["Customer"].startswith("'=HYPERLINK")


def test_export_does_not_page_or_count(as_manager, people, monkeypatch):
    def not_needed(*args, **kwargs):
        raise AssertionError("the export must not run the listing")

    monkeypatch.setattr("clienteling.selectors.lists.keyset_page", not_needed)
    monkeypatch.setattr("clienteling.selectors.lists.capped_count", not_needed)
    rows = exported(as_manager.get(reverse("clienteling:customer_export")))
    assert len(rows) == 1 + len(people)


def test_export_uses_the_saved_lists_columns_in_order(as_manager, manager, people):
    saved = services.saved_list_create(owner=manager, name="Cities", filters={"q": ["Ann"]},
                                       columns=["city", "customer", "email"])
    rows = exported(as_manager.get(reverse("clienteling:customer_export"), {"list": saved.pk}))
    assert rows[0] == ["Customer", "City", "Email"]
    assert rows[1] == ["Ann Test", "", "ann@example.com"]


def test_export_keeps_masked_fields_masked(client, org, people):
    from django.contrib.auth.models import Permission

    from clienteling.models import StaffProfile
    from tests.factories import make_staff

    # Someone who may export but not see sensitive customer data.
    exporter = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="exporter")
    exporter.user_permissions.add(Permission.objects.get(codename="export_customers"))
    client.force_login(exporter)
    services.grid_preference_set(user=exporter, columns=["email"])
    rows = exported(client.get(reverse("clienteling:customer_export"), {"q": "Ann"}))
    assert rows[1] == ["Ann Test", "a•••@e•••"]


def test_a_phone_sorts_the_list_from_a_menu(as_manager):
    from django.urls import reverse

    page = as_manager.get(reverse("clienteling:customer_list"), {"birthday_within": 30}).content.decode()
    assert 'id="phone-sort"' in page
    assert "sort=-customer" in page and "Customer, descending" in page
    assert "birthday_within=30&amp;sort=sales_12mo" in page  # the filters stay
    sorted_page = as_manager.get(reverse("clienteling:customer_list"),
                                 {"sort": "-sales_12mo"}).content.decode()
    assert 'class="dropdown-item active" href="?&amp;sort=-sales_12mo"' in sorted_page
