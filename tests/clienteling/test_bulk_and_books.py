"""Bulk actions on the customer list, and the client books."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from clienteling import services
from clienteling.models import BulkJob, ClientBookEntry, CustomerTag, Task
from clienteling.registry import BulkAction, bulk_actions
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(org):
    return CustomerFactory.create_batch(4, legal_entity=org["entity"])


def start(client, action, data, capture):
    with capture(execute=True):
        return client.post(reverse("clienteling:bulk_action_start", args=[action]), data)


def test_add_tag_to_selected_customers(client, manager, customers,
                                       django_capture_on_commit_callbacks):
    tag = TagFactory()
    client.force_login(manager)
    response = start(client, "add_tag", {"tag": tag.pk, "ids": [customers[0].pk, customers[1].pk]},
                     django_capture_on_commit_callbacks)
    assert response.status_code == 200
    job = BulkJob.objects.get()
    assert (job.status, job.total, job.succeeded) == ("done", 2, 2)
    assert set(CustomerTag.objects.values_list("customer_id", flat=True)) == {
        customers[0].pk, customers[1].pk}
    status = client.get(reverse("clienteling:bulk_job_status", args=[job.pk]))
    assert "2 updated" in status.content.decode()


def test_all_matching_reevaluates_the_filters_in_scope(client, manager, customers, customer_b,
                                                       django_capture_on_commit_callbacks):
    tag = TagFactory()
    client.force_login(manager)
    start(client, "add_tag", {"tag": tag.pk, "all_matching": "1", "query": ""},
          django_capture_on_commit_callbacks)
    tagged = set(CustomerTag.objects.values_list("customer_id", flat=True))
    assert tagged == {c.pk for c in customers}
    assert customer_b.pk not in tagged  # another legal entity, whatever the request said


def test_ids_out_of_scope_are_ignored(client, manager, customer_b,
                                      django_capture_on_commit_callbacks):
    tag = TagFactory()
    client.force_login(manager)
    start(client, "add_tag", {"tag": tag.pk, "ids": [customer_b.pk]},
          django_capture_on_commit_callbacks)
    assert not CustomerTag.objects.exists()


def test_assign_needs_the_permission(client, associate_a, customers):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:bulk_action_start", args=["assign"]),
                           {"associate": associate_a.pk, "ids": [customers[0].pk]})
    assert response.status_code == 403
    assert not BulkJob.objects.exists()


def test_assign_sets_primary_salesperson_and_book(client, manager, associate_a, customers,
                                                  django_capture_on_commit_callbacks):
    client.force_login(manager)
    start(client, "assign", {"associate": associate_a.pk, "ids": [customers[0].pk]},
          django_capture_on_commit_callbacks)
    customers[0].refresh_from_db()
    assert customers[0].primary_salesperson == associate_a
    assert ClientBookEntry.objects.filter(book__owner=associate_a, customer=customers[0]).exists()


def test_follow_up_for_each_selected_customer(client, associate_a, customers,
                                              django_capture_on_commit_callbacks):
    client.force_login(associate_a)
    start(client, "follow_up", {"title": "Invite to preview", "due_on": "2026-12-01",
                                "ids": [c.pk for c in customers[:3]]},
          django_capture_on_commit_callbacks)
    assert Task.objects.filter(assignee=associate_a, due_on=date(2026, 12, 1)).count() == 3


def test_bad_bulk_parameters_are_a_400_with_the_form(client, associate_a, customers):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:bulk_action_start", args=["follow_up"]),
                           {"title": "", "due_on": "someday", "ids": [customers[0].pk]})
    assert response.status_code == 400
    assert not BulkJob.objects.exists()


def test_nothing_selected_is_refused(client, associate_a):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:bulk_action_start", args=["add_to_my_book"]), {})
    assert response.status_code == 400
    assert "Select at least one customer" in response.content.decode()


def test_add_to_my_book_from_the_list(client, associate_a, customers,
                                      django_capture_on_commit_callbacks):
    client.force_login(associate_a)
    start(client, "add_to_my_book", {"ids": [customers[0].pk, customers[1].pk]},
          django_capture_on_commit_callbacks)
    assert ClientBookEntry.objects.filter(book__owner=associate_a).count() == 2


def test_other_apps_can_register_bulk_actions(client, associate_a):
    calls = []
    bulk_actions.register(BulkAction("probe", "Probe", "star",
                                     lambda **kw: calls.append(kw) or (0, 0)))
    try:
        client.force_login(associate_a)
        labels = [a.key for a in client.get(reverse("clienteling:customer_list")).context["actions"]]
        assert "probe" in labels
    finally:
        bulk_actions._items.pop("probe")


def test_job_status_is_private_to_its_creator(client, manager, associate_a):
    job = BulkJob.objects.create(action="add_tag", created_by=manager)
    client.force_login(associate_a)
    assert client.get(reverse("clienteling:bulk_job_status", args=[job.pk])).status_code == 404


def test_running_a_job_twice_does_it_once(manager, customers):
    tag = TagFactory()
    job = BulkJob.objects.create(action="add_tag", created_by=manager,
                                 params={"action": {"tag": tag.pk},
                                         "selection": {"ids": [customers[0].pk]}})
    assert services.bulk_job_run(job_id=job.pk) is not None
    assert services.bulk_job_run(job_id=job.pk) is None


# --- Client books ---------------------------------------------------------------


def book_of(user, org, *customers):
    book = services.client_book_get_or_create(owner=user, legal_entity=org["entity"])
    for customer in customers:
        services.client_book_add(book=book, customer=customer, added_by=user)
    return book


def test_my_client_book_shows_only_my_customers(client, org, associate_a, manager, customers):
    book_of(associate_a, org, customers[0])
    book_of(manager, org, customers[1])
    client.force_login(associate_a)
    response = client.get(reverse("clienteling:my_client_book"))
    assert [card["customer"] for card in response.context["cards"]] == [customers[0]]


def test_associates_cannot_remove_from_their_book(client, org, associate_a, customers):
    book_of(associate_a, org, customers[0])
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:client_book_remove"), {"ids": [customers[0].pk]})
    assert response.status_code == 403
    assert ClientBookEntry.objects.count() == 1


def test_manager_removes_from_own_book(client, org, manager, customers):
    book_of(manager, org, customers[0], customers[1])
    client.force_login(manager)
    client.post(reverse("clienteling:client_book_remove"), {"ids": [customers[0].pk]})
    assert list(ClientBookEntry.objects.values_list("customer_id", flat=True)) == [customers[1].pk]


def test_store_book_spans_the_store_group_only(client, org, manager, associate_a, associate_b,
                                               customers, customer_b):
    book_of(associate_a, org, customers[0])
    paris = services.client_book_get_or_create(owner=associate_b, legal_entity=org["other_entity"])
    services.client_book_add(book=paris, customer=customer_b, added_by=associate_b)
    client.force_login(manager)
    response = client.get(reverse("clienteling:store_client_book"))
    cards = response.context["cards"]
    assert [card["customer"] for card in cards] == [customers[0]]
    assert cards[0]["owners"] == [{"name": associate_a.get_full_name(), "has_left": False}]


def test_reassign_moves_customers_between_associates(client, org, manager, associate_a,
                                                     customers):
    book_of(associate_a, org, customers[0], customers[1])
    client.force_login(manager)
    response = client.post(reverse("clienteling:client_book_reassign"), {
        "ids": [customers[0].pk], "from_owner": associate_a.pk, "to_owner": manager.pk})
    assert response.status_code == 302
    assert ClientBookEntry.objects.get(customer=customers[0]).book.owner == manager
    assert ClientBookEntry.objects.get(customer=customers[1]).book.owner == associate_a


def test_associates_cannot_reassign(client, org, associate_a, manager, customers):
    book_of(associate_a, org, customers[0])
    other = Client()
    other.force_login(associate_a)
    response = other.post(reverse("clienteling:client_book_reassign"), {
        "ids": [customers[0].pk], "from_owner": associate_a.pk, "to_owner": manager.pk})
    assert response.status_code == 403


def test_reassign_to_someone_outside_the_store_is_refused(client, org, manager, associate_a,
                                                          associate_b, customers):
    book_of(associate_a, org, customers[0])
    client.force_login(manager)
    response = client.post(reverse("clienteling:client_book_reassign"), {
        "ids": [customers[0].pk], "from_owner": associate_a.pk, "to_owner": associate_b.pk})
    assert response.status_code == 400
    assert ClientBookEntry.objects.get().book.owner == associate_a


def test_client_book_cards_show_configured_properties(client, org, manager, customers):
    from clienteling.models import CustomerCardProperty, CustomerMeasures

    CustomerCardProperty.objects.create(position=1, measure="sales_12mo")
    CustomerMeasures.objects.create(customer=customers[0], sales_12mo=1234)
    book_of(manager, org, customers[0])
    client.force_login(manager)
    body = client.get(reverse("clienteling:my_client_book")).content.decode()
    assert "Sales 12 months" in body and "$1,234.00" in body


# --- Leavers, tag choices, query counts -----------------------------------------------------


def leave(user):
    """The associate left: their profile is deactivated (staff_sync_access drops their access)."""
    profile = user.staff_profile
    profile.active = False
    profile.save()
    services.staff_sync_access(profile=profile)
    user.is_active = False
    user.save()


def test_a_leavers_customers_stay_in_the_store_book_marked_as_such(client, org, manager,
                                                                   associate_a, customers):
    # Given an associate who left with customers in their book
    book_of(associate_a, org, customers[0], customers[1])
    leave(associate_a)

    # When their manager opens the store client book
    client.force_login(manager)
    response = client.get(reverse("clienteling:store_client_book"))

    # Then the customers are there, marked as a leaver's, and the leaver can be chosen to move from
    cards = {card["customer"]: card for card in response.context["cards"]}
    assert set(cards) == {customers[0], customers[1]}
    assert cards[customers[0]]["owners"] == [{"name": associate_a.get_full_name(), "has_left": True}]
    owners = {owner.pk: owner.has_left for owner in response.context["owners"]}
    assert owners[associate_a.pk] is True
    assert associate_a.pk not in {t.pk for t in response.context["targets"]}
    assert "(left)" in response.content.decode()


def test_a_leavers_customers_are_moved_to_someone_who_stayed(client, org, manager, associate_a,
                                                             customers):
    book_of(associate_a, org, customers[0], customers[1])
    customers[0].primary_salesperson = associate_a
    customers[0].save()
    leave(associate_a)
    client.force_login(manager)

    response = client.post(reverse("clienteling:client_book_reassign"), {
        "ids": [customers[0].pk, customers[1].pk], "from_owner": associate_a.pk,
        "to_owner": manager.pk})

    assert response.status_code == 302
    assert set(ClientBookEntry.objects.values_list("book__owner", flat=True)) == {manager.pk}
    customers[0].refresh_from_db()
    assert customers[0].primary_salesperson == manager


def test_no_one_can_move_customers_to_a_leaver(client, org, manager, associate_a, customers):
    book_of(manager, org, customers[0])
    leave(associate_a)
    client.force_login(manager)
    response = client.post(reverse("clienteling:client_book_reassign"), {
        "ids": [customers[0].pk], "from_owner": manager.pk, "to_owner": associate_a.pk})
    assert response.status_code == 400


def test_bulk_tags_offered_are_global_and_the_users_stores_only(client, associate_a, org):
    mine = TagFactory(name="New York VIP", store=org["store_a"])
    everywhere = TagFactory(name="Everywhere")
    TagFactory(name="Paris VIP", store=org["store_b"])
    TagFactory(name="Boston VIP", store=org["store_a2"])
    TagFactory(name="Retired", active=False)
    client.force_login(associate_a)
    form = client.get(reverse("clienteling:bulk_action_form", args=["add_tag"])).context["form"]
    assert list(form.fields["tag"].queryset) == [everywhere, mine]


def test_a_tag_of_another_store_is_refused_in_bulk(client, associate_a, org, customers):
    paris = TagFactory(name="Paris VIP", store=org["store_b"])
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:bulk_action_start", args=["add_tag"]),
                           {"tag": paris.pk, "ids": [customers[0].pk]})
    assert response.status_code == 400
    assert not BulkJob.objects.exists() and not CustomerTag.objects.exists()


def test_assigning_skips_customers_of_another_legal_entity(org, manager, associate_a, customers,
                                                           customer_b):
    moved = services.customers_assign(customer_ids=[customers[0].pk, customer_b.pk],
                                      associate=associate_a, assigned_by=manager)
    assert moved == 1
    customer_b.refresh_from_db()
    assert customer_b.primary_salesperson != associate_a
    assert list(ClientBookEntry.objects.values_list("customer_id", flat=True)) == [customers[0].pk]


def fill_book(org, owner, n, *, added_by=None):
    from clienteling.models import (
        CustomerAttribute,
        CustomerAttributeValue,
        CustomerCardProperty,
        CustomerMeasures,
    )
    from tests.factories import AttributeFactory

    # One "Size" attribute however often the book is filled: the card shows that one.
    attribute = (CustomerAttribute.objects.filter(name="Size").first()
                 or AttributeFactory(name="Size", data_type="text", show_on_card=True))
    CustomerCardProperty.objects.get_or_create(position=1, defaults={"measure": "sales_12mo"})
    CustomerCardProperty.objects.get_or_create(position=2, defaults={"attribute": attribute})
    made = CustomerFactory.create_batch(n, legal_entity=org["entity"])
    for customer in made:
        CustomerMeasures.objects.create(customer=customer, sales_12mo=100)
        CustomerAttributeValue.objects.create(customer=customer, attribute=attribute, value_text="M")
    book_of(owner, org, *made)
    return made


def test_my_client_book_runs_a_fixed_number_of_queries(client, org, associate_a,
                                                       django_assert_num_queries):
    # Given a book with cards showing a measure and an attribute
    fill_book(org, associate_a, 2)
    client.force_login(associate_a)
    client.get(reverse("clienteling:my_client_book"))  # warm per-process caches

    # Then one page costs the same with 2 or 20 customers (see QUERIES_MY_BOOK).
    with django_assert_num_queries(QUERIES_MY_BOOK):
        few = client.get(reverse("clienteling:my_client_book"))
    fill_book(org, associate_a, 18)
    with django_assert_num_queries(QUERIES_MY_BOOK):
        many = client.get(reverse("clienteling:my_client_book"))
    assert (len(few.context["cards"]), len(many.context["cards"])) == (2, 20)
    assert "$100.00" in many.content.decode()


def test_store_client_book_runs_a_fixed_number_of_queries(client, org, manager, associate_a,
                                                          django_assert_num_queries):
    fill_book(org, associate_a, 2)
    client.force_login(manager)
    client.get(reverse("clienteling:store_client_book"))  # warm per-process caches
    with django_assert_num_queries(QUERIES_STORE_BOOK):
        client.get(reverse("clienteling:store_client_book"))
    fill_book(org, manager, 18)
    with django_assert_num_queries(QUERIES_STORE_BOOK):
        response = client.get(reverse("clienteling:store_client_book"))
    assert len(response.context["cards"]) == 20


# Session, user, user and group permissions, staff profile, home store, page, the book's
# identifier, card measures, card attribute values. Store scope (guardian) is a subquery
# inside them, not a query; the refinable attributes and the card's properties come from
# the reference cache. No count: the whole book is on the page, so its length is the count.
QUERIES_MY_BOOK = 10
# The same without the identifier, plus the book owners (with their books' identifiers),
# their entries for the cards and the reassign targets.
QUERIES_STORE_BOOK = 12


def test_churn_risk_on_a_card_reads_as_a_percentage(client, org, manager, customers):
    from clienteling.models import CustomerCardProperty, CustomerMeasures

    CustomerCardProperty.objects.create(position=1, measure="churn_risk")
    CustomerMeasures.objects.create(customer=customers[0], churn_risk="0.375")
    book_of(manager, org, customers[0])
    client.force_login(manager)
    card = client.get(reverse("clienteling:my_client_book")).context["cards"][0]
    assert card["properties"] == [{"label": "Churn risk", "value": "38%", "kind": "text"}]
