from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from guardian.shortcuts import get_objects_for_user

from clienteling import services
from clienteling.dates import months_before, next_store_midnight, store_today
from clienteling.models import ClientBookEntry, CustomerMeasures, SaleLine, StaffProfile
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_staff_get_work_in_store_only_for_their_stores(org, associate_a):
    stores = get_objects_for_user(associate_a, "clienteling.work_in_store", accept_global_perms=False)
    assert list(stores) == [org["store_a"]]
    managed = get_objects_for_user(associate_a, "clienteling.manage_store", accept_global_perms=False)
    assert not managed.exists()


def test_changing_role_moves_group_and_store_permissions(org, associate_a):
    profile = associate_a.staff_profile
    profile.role = StaffProfile.Role.STORE_MANAGER
    profile.save()
    services.staff_sync_access(profile=profile)
    assert list(associate_a.groups.values_list("name", flat=True)) == ["Store Manager"]
    managed = get_objects_for_user(associate_a, "clienteling.manage_store", accept_global_perms=False)
    assert list(managed) == [org["store_a"]]


def test_deactivated_staff_lose_groups_and_stores(org, associate_a):
    profile = associate_a.staff_profile
    profile.active = False
    profile.save()
    services.staff_sync_access(profile=profile)
    assert not associate_a.groups.exists()
    assert not get_objects_for_user(associate_a, "clienteling.work_in_store",
                                    accept_global_perms=False).exists()


def test_company_admin_gets_admin_access(company_admin):
    assert company_admin.is_staff
    assert not company_admin.is_superuser


def test_a_customer_may_be_in_several_books(org, associate_a, manager, customer_a):
    for owner in (associate_a, manager):
        book = services.client_book_get_or_create(owner=owner, legal_entity=org["entity"])
        services.client_book_add(book=book, customer=customer_a, added_by=owner)
    assert ClientBookEntry.objects.filter(customer=customer_a).count() == 2


def test_adding_twice_keeps_one_entry(org, associate_a, customer_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    assert book.entries.count() == 1


def test_book_refuses_a_customer_of_another_legal_entity(org, associate_a, customer_b):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    with pytest.raises(ValidationError):
        services.client_book_add(book=book, customer=customer_b, added_by=associate_a)


def test_reassign_moves_entries_and_primary_salesperson(org, associate_a, manager, customer_a):
    leaving = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    taking = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    services.client_book_add(book=leaving, customer=customer_a, added_by=associate_a)
    moved = services.client_book_reassign(from_book=leaving, to_book=taking,
                                          customer_ids=[customer_a.pk], reassigned_by=manager)
    customer_a.refresh_from_db()
    assert moved == 1
    assert not leaving.entries.exists()
    assert taking.entries.get().customer == customer_a
    assert customer_a.primary_salesperson == manager


@time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_sale_refreshes_measures_goods_only_for_last_sale(org, associate_a, customer_a):
    product = ProductFactory()
    store = org["store_a"]
    services.sale_record(
        customer=customer_a, store=store, salesperson=associate_a,
        sold_at=datetime(2024, 1, 10, 15, tzinfo=ZoneInfo("UTC")),
        lines=[{"title": "Old coat", "amount": Decimal("900.00"), "product": product}],
    )
    services.sale_record(
        customer=customer_a, store=store, salesperson=associate_a,
        sold_at=datetime(2026, 9, 1, 15, tzinfo=ZoneInfo("UTC")),
        lines=[{"title": "Scarf", "amount": Decimal("250.00"), "product": product},
               {"title": "Return", "amount": Decimal("-50.00"), "kind": SaleLine.Kind.RETURN}],
    )
    services.sale_record(
        customer=customer_a, store=store, salesperson=associate_a,
        sold_at=datetime(2026, 11, 20, 15, tzinfo=ZoneInfo("UTC")),
        lines=[{"title": "Layaway", "amount": Decimal("100.00"),
                "kind": SaleLine.Kind.LAYAWAY_PAYMENT}],
    )
    measures = CustomerMeasures.objects.get(customer=customer_a)
    assert measures.sales_6mo == Decimal("200.00")
    assert measures.sales_12mo == Decimal("200.00")
    assert measures.sales_24mo == Decimal("200.00")
    assert measures.sales_all == Decimal("1100.00")
    assert measures.last_goods_sale_at == datetime(2026, 9, 1, 15, tzinfo=ZoneInfo("UTC"))
    assert measures.last_purchase_at == datetime(2026, 11, 20, 15, tzinfo=ZoneInfo("UTC"))
    assert measures.orders_count == 3


def test_same_receipt_is_recorded_once(org, associate_a, customer_a):
    kwargs = dict(customer=customer_a, store=org["store_a"], salesperson=associate_a,
                  sold_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), external_id="R-1",
                  lines=[{"title": "Bag", "amount": Decimal("10.00")}])
    first = services.sale_record(**kwargs)
    again = services.sale_record(**kwargs)
    assert first.pk == again.pk
    assert customer_a.sales.count() == 1


def test_stale_sweep_fills_customers_without_measures(org):
    customers = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    assert services.customer_measures_refresh_stale(today=date(2026, 11, 23), chunk_size=2) == 3
    assert CustomerMeasures.objects.filter(customer__in=customers,
                                           computed_on=date(2026, 11, 23)).count() == 3


def test_months_before_clamps_to_month_end():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)


def test_store_midnight_is_in_the_stores_zone(org):
    store = org["store_b"]  # Paris
    now = datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 24th in Paris
    assert store_today(store, now) == date(2026, 11, 24)
    midnight = next_store_midnight(store, now)
    assert midnight == datetime(2026, 11, 25, 0, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert midnight.astimezone(ZoneInfo("UTC")).hour == 23


def test_new_store_gets_its_stock_location(org):
    location = services.store_ensure_stock_location(store=org["store_a"])
    org["store_a"].refresh_from_db()
    assert org["store_a"].stock_location == location
    assert services.store_ensure_stock_location(store=org["store_a"]) == location


# 22:00 on 23 November 2026 in New York is already the 24th in UTC.
NEW_YORK_EVENING = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NEW_YORK_EVENING, tick=False)
def test_sales_windows_start_at_midnight_in_the_customers_store(org, associate_a, customer_a):
    # Given a sale on the morning of 23 November 2025, New York time
    services.sale_record(
        customer=customer_a, store=org["store_a"], salesperson=associate_a,
        sold_at=datetime(2025, 11, 23, 12, tzinfo=ZoneInfo("UTC")),
        lines=[{"title": "Coat", "amount": Decimal("700.00")}],
    )

    # Then it counts in the last 12 months of the store's today (23 Nov 2026, not UTC's 24th)
    measures = CustomerMeasures.objects.get(customer=customer_a)
    assert measures.computed_on == date(2026, 11, 23)
    assert measures.sales_12mo == Decimal("700.00")


@time_machine.travel(NEW_YORK_EVENING, tick=False)
def test_stale_sweep_uses_each_stores_today(org, customer_a, customer_b):
    # New York is on the 23rd, Paris already on the 24th.
    assert services.customer_measures_refresh_stale() == 2
    assert CustomerMeasures.objects.get(customer=customer_a).computed_on == date(2026, 11, 23)
    assert CustomerMeasures.objects.get(customer=customer_b).computed_on == date(2026, 11, 24)
    assert services.customer_measures_refresh_stale() == 0


def test_tasks_and_tags_in_bulk_go_through_services(org, associate_a, customer_a):
    from tests.factories import TagFactory

    tag = TagFactory()
    assert services.customers_tag_add(customer_ids=[customer_a.pk], tag=tag) == 1
    assert services.customers_tag_add(customer_ids=[customer_a.pk], tag=tag) == 1  # no duplicate
    assert list(customer_a.tags.all()) == [tag]
    assert services.task_create_many(customer_ids=[customer_a.pk], title=" Call ",
                                     due_on=date(2026, 12, 1), assignee=associate_a,
                                     created_by=associate_a) == 1
    assert customer_a.tasks.get().title == "Call"
    with pytest.raises(ValidationError):
        services.task_create_many(customer_ids=[customer_a.pk], title=" ", due_on=date(2026, 12, 1),
                                  assignee=associate_a, created_by=associate_a)
