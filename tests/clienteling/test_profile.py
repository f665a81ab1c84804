"""The customer profile: its sections and queries, scope and permissions, tags, the client book."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    ClientBookEntry,
    ModuleSettings,
    Note,
    ProfileSection,
)
from tests.clienteling.profile_helpers import HTMX, profile_url, section, toast, url
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    NoteFactory,
    TagFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


# The page ------------------------------------------------------------------------------------

def test_sections_follow_the_admins_order_and_skip_disabled_ones(client, manager, customer_a):
    ProfileSection.objects.filter(kind="notes").update(position=0, title="Notes first")
    ProfileSection.objects.filter(kind="contact").update(position=50)
    ProfileSection.objects.filter(kind="wishlist").update(enabled=False)
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Notes first") < body.index("Preferences") < body.index("Contact details")
    assert "Wishlist" not in body


def test_attributes_section_shows_its_attributes_in_the_admins_order(client, manager, customer_a,
                                                                    attributes_section):
    services.attribute_values_set(customer=customer_a, attribute=attributes_section["decimal"],
                                  raw_values="38.5")
    services.attribute_values_set(customer=customer_a, attribute=attributes_section["multiple"],
                                  raw_values=["blue", "red"])
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Pref text") < body.index("Pref decimal") < body.index("Pref multiple")
    assert "38.5<" in body
    assert "Red, Blue" in body


def test_profile_page_runs_the_same_queries_for_a_long_history(client, manager, associate_a, org,
                                                                customer_a, attributes_section,
                                                                django_assert_num_queries):
    def fill(customer, n):
        for i in range(n):
            ActivityFactory(customer=customer, actor=associate_a,
                            occurred_at=timezone.now() - timedelta(hours=i))
            NoteFactory(customer=customer, author=associate_a if i % 2 else manager)
            TaskFactory(customer=customer, assignee=associate_a, created_by=manager,
                        completed_at=timezone.now() if i % 3 == 0 else None)
            services.sale_record(
                customer=customer, store=org["store_a"], salesperson=associate_a,
                sold_at=timezone.now() - timedelta(days=i),
                lines=[{"title": f"Scarf {i}", "amount": Decimal("100.00")},
                       {"title": f"Belt {i}", "amount": Decimal("50.00")}],
            )
        services.attribute_values_set(customer=customer, attribute=attributes_section["multiple"],
                                      raw_values=["red", "blue"])
        customer.tags.add(TagFactory(), TagFactory())

    small = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                            primary_salesperson=associate_a)
    fill(small, 1)
    fill(customer_a, 20)
    client.force_login(manager)
    client.get(profile_url(small))  # warm caches (content types, permissions)

    # The same for one row of each kind as for twenty: the sections, the consent section's
    # two (current and history), the appointments section's one and the audit line a manager's
    # unmasked view writes.
    expected = 31
    with django_assert_num_queries(expected):
        client.get(profile_url(small))
    with django_assert_num_queries(expected):
        response = client.get(profile_url(customer_a))

    assert response.status_code == 200
    assert response.content.decode().count("Scarf ") == 20


def test_purchase_history_groups_lines_by_sale(client, manager, associate_a, org, customer_a):
    services.sale_record(
        customer=customer_a, store=org["store_a"], salesperson=associate_a,
        sold_at=datetime(2025, 12, 1, 15, 0, tzinfo=UTC), external_id="R-1001",
        lines=[{"title": "Silk scarf", "amount": Decimal("250.00")},
               {"title": "Leather belt", "amount": Decimal("1200.50")}],
    )
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    receipt = body[body.index("#R-1001") - 600:]
    assert "New York" in receipt and "Alex Associate" in receipt
    assert "$1,450.50" in receipt
    assert receipt.index("Silk scarf") < receipt.index("Leather belt")
    assert "$250.00" in receipt


# Scope and permissions -----------------------------------------------------------------------

PROFILE_URLS = [
    ("GET", "profile_section", "section"), ("GET", "profile_timeline", None),
    ("GET", "profile_note_create", None), ("POST", "profile_note_create", None),
    ("GET", "profile_note_edit", "note"), ("POST", "profile_note_edit", "note"),
    ("POST", "profile_note_pin", "note"),
    ("GET", "profile_task_create", None), ("POST", "profile_task_create", None),
    ("POST", "profile_task_done", "task"),
    ("GET", "profile_activity_create", None), ("POST", "profile_activity_create", None),
    ("GET", "profile_contact_edit", None), ("POST", "profile_contact_edit", None),
    ("GET", "profile_attributes_edit", "attributes"), ("POST", "profile_attributes_edit", "attributes"),
    ("GET", "profile_tags", None), ("GET", "profile_tags_edit", None), ("POST", "profile_tags_edit", None),
    ("POST", "profile_client_book_add", None), ("POST", "profile_client_book_remove", None),
]


def _profile_url_args(kind, customer, associate):
    return {
        None: [],
        "section": [section("notes").pk],
        "attributes": [section("attributes").pk],
        "note": [NoteFactory(customer=customer, author=associate).pk],
        "task": [TaskFactory(customer=customer, assignee=associate).pk],
    }[kind]


@pytest.mark.parametrize(("method", "name", "kind"), PROFILE_URLS)
def test_another_legal_entitys_associate_gets_404_everywhere(client, associate_a, associate_b,
                                                             customer_a, method, name, kind):
    target = url(name, customer_a, *_profile_url_args(kind, customer_a, associate_a))
    client.force_login(associate_b)

    response = getattr(client, method.lower())(target, {"body": "x", "pinned": "1", "done": "1"},
                                               headers=HTMX)

    assert response.status_code == 404
    assert Note.objects.filter(body="x").count() == 0


@pytest.mark.parametrize(("method", "name", "kind"), PROFILE_URLS)
def test_signed_out_visitors_are_sent_to_login(client, associate_a, customer_a, method, name, kind):
    target = url(name, customer_a, *_profile_url_args(kind, customer_a, associate_a))

    response = getattr(client, method.lower())(target)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_profile_urls_answer_404_when_the_customer_module_is_off(client, associate_a, customer_a):
    ModuleSettings.objects.update_or_create(pk=1, defaults={"customers_enabled": False})
    client.force_login(associate_a)

    assert client.get(url("profile_note_create", customer_a)).status_code == 404
    assert client.post(url("profile_note_create", customer_a), {"body": "x"}).status_code == 404


# Tags ----------------------------------------------------------------------------------------

def test_associate_adds_and_removes_tags_from_the_offered_ones(client, associate_a, org,
                                                              customer_a):
    vip, gifts = TagFactory(name="VIP"), TagFactory(name="Gifts", store=org["store_a"])
    boston = TagFactory(name="Boston event", store=org["store_a2"])
    paris = TagFactory(name="Paris event", store=org["store_b"])
    TagFactory(name="Retired", active=False)
    customer_a.tags.add(vip, boston)
    client.force_login(associate_a)

    form = client.get(url("profile_tags_edit", customer_a), headers=HTMX).content.decode()
    response = client.post(url("profile_tags_edit", customer_a), {"tags": [gifts.pk]},
                           headers=HTMX)

    assert "VIP" in form and "Gifts" in form
    assert "Paris event" not in form and "Retired" not in form and "Boston event" not in form
    assert set(customer_a.tags.all()) == {gifts, boston}  # Boston's tag was not offered: kept
    assert "Gifts" in response.content.decode()
    assert toast(response) == "Tags saved."
    assert paris not in customer_a.tags.all()


def test_a_tag_that_was_not_offered_is_refused(client, associate_a, org, customer_a):
    paris = TagFactory(name="Paris event", store=org["store_b"])
    client.force_login(associate_a)

    response = client.post(url("profile_tags_edit", customer_a), {"tags": [paris.pk]})

    assert response.status_code == 400
    assert not customer_a.tags.exists()


# Client book ---------------------------------------------------------------------------------

def test_associate_adds_the_customer_to_their_client_book(client, associate_a, customer_a):
    client.force_login(associate_a)
    assert "Add to my client book" in client.get(profile_url(customer_a)).content.decode()

    response = client.post(url("profile_client_book_add", customer_a), headers=HTMX)

    assert ClientBookEntry.objects.filter(book__owner=associate_a, customer=customer_a).exists()
    body = response.content.decode()
    assert "In my client book" in body
    assert "Remove" not in body  # associates may not remove
    assert toast(response) == "Added to your client book."
    assert "In my client book" in client.get(profile_url(customer_a)).content.decode()


def test_an_associate_may_not_remove_from_their_client_book(client, associate_a, customer_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=customer_a.legal_entity)
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    client.force_login(associate_a)

    response = client.post(url("profile_client_book_remove", customer_a))

    assert response.status_code == 403
    assert ClientBookEntry.objects.filter(book=book, customer=customer_a).exists()


def test_manager_removes_the_customer_from_their_client_book(client, manager, customer_a):
    book = services.client_book_get_or_create(owner=manager, legal_entity=customer_a.legal_entity)
    services.client_book_add(book=book, customer=customer_a, added_by=manager)
    client.force_login(manager)
    assert "Remove" in client.get(profile_url(customer_a)).content.decode()

    response = client.post(url("profile_client_book_remove", customer_a), follow=True)

    assert not ClientBookEntry.objects.filter(book=book, customer=customer_a).exists()
    assert "Removed from your client book." in response.content.decode()
    assert "Add to my client book" in response.content.decode()
