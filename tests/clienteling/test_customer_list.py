"""The customer list: filters, grid, pagination, saved lists, export."""

import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.dates import month_day_keys_within
from clienteling.models import (
    AttributeOption,
    CustomerContactHistory,
    CustomerMeasures,
    CustomerTag,
    GridPreference,
    SavedCustomerList,
    WishlistItem,
)
from tests.factories import AttributeFactory, CustomerFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
LIST = "clienteling:customer_list"
NOON_UTC = datetime(2026, 12, 28, 17, tzinfo=ZoneInfo("UTC"))  # 12:00 in New York


def names(response) -> set[str]:
    return {row["customer"].first_name for row in response.context["result"].rows}


@pytest.fixture
def people(org):
    """A handful of customers of store A's legal entity, by first name."""
    entity = org["entity"]
    return {name: CustomerFactory(legal_entity=entity, first_name=name, last_name="Test",
                                  birth_date=None, email=f"{name.lower()}@example.com")
            for name in ("Ann", "Ben", "Cai", "Dee")}


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def test_month_day_keys_wrap_the_year_end():
    keys = month_day_keys_within(date(2026, 12, 29), 5)
    assert keys == [101, 102, 103, 1229, 1230, 1231]


def test_february_29_counts_on_the_28th_in_a_non_leap_year():
    assert 229 in month_day_keys_within(date(2027, 2, 27), 1)
    assert 229 not in month_day_keys_within(date(2027, 2, 25), 2)
    assert 229 in month_day_keys_within(date(2028, 2, 29), 0)


@time_machine.travel(NOON_UTC, tick=False)
def test_birthday_within_days_crosses_the_year_end(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].birth_date = date(1990, 1, 2)
    people["Ben"].birth_date = date(1985, 12, 30)
    people["Cai"].birth_date = date(1985, 1, 10)
    for name in ("Ann", "Ben", "Cai"):
        people[name].save()
    response = as_manager.get(reverse(LIST), {"birthday_within": 7})
    assert names(response) == {"Ann", "Ben"}


@time_machine.travel(datetime(2027, 2, 26, 17, tzinfo=ZoneInfo("UTC")), tick=False)
def test_leap_day_birthday_shows_in_a_non_leap_year(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Dee"].birth_date = date(1992, 2, 29)
    people["Dee"].save()
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 3})) == {"Dee"}


@time_machine.travel(NOON_UTC, tick=False)
def test_partner_birthday_and_anniversary_filters(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].partner_birth_date = date(1980, 12, 31)
    people["Ann"].save()
    people["Ben"].anniversary = date(2010, 1, 1)
    people["Ben"].save()
    assert names(as_manager.get(reverse(LIST), {"partner_birthday_within": 5})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"anniversary_within": 5})) == {"Ben"}


def test_scope_primary_my_book_and_sold_to(as_manager, manager, org, people):
    people["Ann"].primary_salesperson = manager
    people["Ann"].save()
    book = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=people["Ben"], added_by=manager)
    services.sale_record(customer=people["Cai"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now(),
                         lines=[{"title": "Scarf", "amount": Decimal("10.00")}])
    assert names(as_manager.get(reverse(LIST), {"scope": "primary"})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"scope": "my_book"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"scope": "sold_to"})) == {"Cai"}


def test_store_book_scope_includes_colleagues_of_the_store_group(as_manager, org, people,
                                                                 associate_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=people["Dee"], added_by=associate_a)
    assert names(as_manager.get(reverse(LIST), {"scope": "store_book"})) == {"Dee"}


def test_contact_options(as_manager, people):
    people["Ann"].email = ""
    people["Ann"].save()
    people["Ben"].phone = ""
    people["Ben"].save()
    people["Cai"].can_receive_texts = False
    people["Cai"].save()
    WishlistItem.objects.create(customer=people["Dee"], product=ProductFactory())
    CustomerContactHistory.objects.create(customer=people["Dee"], sms_consent="opted_out")
    assert names(as_manager.get(reverse(LIST), {"has_email": "on"})) == {"Ben", "Cai", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"has_phone": "on"})) == {"Ann", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"has_wishlist": "on"})) == {"Dee"}
    assert names(as_manager.get(reverse(LIST), {"exclude_sms_opted_out": "on"})) == {
        "Ann", "Ben", "Cai"}


def test_primary_accounts_only(as_manager, people):
    people["Ben"].primary_account = people["Ann"]
    people["Ben"].save()
    assert "Ben" not in names(as_manager.get(reverse(LIST), {"primary_only": "on"}))


def test_tags_match_any_and_all(as_manager, people):
    vip, summer = TagFactory(name="VIP"), TagFactory(name="Summer")
    CustomerTag.objects.bulk_create([
        CustomerTag(customer=people["Ann"], tag=vip),
        CustomerTag(customer=people["Ann"], tag=summer),
        CustomerTag(customer=people["Ben"], tag=vip),
    ])
    any_match = as_manager.get(reverse(LIST), {"tags": [vip.pk, summer.pk], "tags_match": "any"})
    all_match = as_manager.get(reverse(LIST), {"tags": [vip.pk, summer.pk], "tags_match": "all"})
    assert names(any_match) == {"Ann", "Ben"}
    assert names(all_match) == {"Ann"}


@time_machine.travel(NOON_UTC, tick=False)
def test_communication_history_counts_marketing_only(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    CustomerContactHistory.objects.create(customer=people["Ann"],
                                          last_marketing_at=timezone.now() - timedelta(days=3))
    CustomerContactHistory.objects.create(customer=people["Ben"],
                                          last_marketing_at=timezone.now() - timedelta(days=40),
                                          last_text_at=timezone.now())
    assert names(as_manager.get(reverse(LIST), {"contacted_within": 7})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"not_contacted_within": 7})) == {
        "Ben", "Cai", "Dee"}


@time_machine.travel(NOON_UTC, tick=False)
def test_purchase_history_filters(as_manager, org, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    product = ProductFactory()
    services.sale_record(customer=people["Ann"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now() - timedelta(days=10),
                         lines=[{"title": "Silk scarf", "amount": Decimal("500.00"),
                                 "product": product, "designer": product.designer,
                                 "category": product.category}])
    services.sale_record(customer=people["Ben"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now() - timedelta(days=500),
                         lines=[{"title": "Wool coat", "amount": Decimal("2000.00")}])
    assert names(as_manager.get(reverse(LIST), {"purchased_within": 30})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"not_purchased_within": 30})) == {
        "Ben", "Cai", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"sales_12mo_min": "100",
                                                "sales_12mo_max": "600"})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"sales_24mo_min": "1000"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"designers": [product.designer_id]})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"categories": [product.category_id]})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"titles": "coat, hat"})) == {"Ben"}


def test_only_filterable_attributes_are_offered(as_manager):
    AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    AttributeFactory(name="Secret score", data_type="number", enabled_as_filter=False)
    form = as_manager.get(reverse(LIST)).context["form"]
    assert "attr-shoe-size_min" in form.fields
    assert not any(name.startswith("attr-secret-score") for name in form.fields)


def test_attribute_filters_by_type(as_manager, people):
    visit = AttributeFactory(name="Last Visit", data_type="date", enabled_as_filter=True)
    size = AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    vip = AttributeFactory(name="VIP", data_type="boolean", enabled_as_filter=True)
    colour = AttributeFactory(name="Colour", data_type="single_choice", enabled_as_filter=True)
    AttributeOption.objects.create(attribute=colour, value="navy", label="Navy")
    AttributeOption.objects.create(attribute=colour, value="red", label="Red")
    notes = AttributeFactory(name="Style", data_type="text", enabled_as_filter=True)
    set_value = services.attribute_values_set
    set_value(customer=people["Ann"], attribute=visit, raw_values="2026-10-01")
    set_value(customer=people["Ben"], attribute=visit, raw_values="2025-01-01")
    set_value(customer=people["Ann"], attribute=size, raw_values="38.5")
    set_value(customer=people["Cai"], attribute=size, raw_values="42")
    set_value(customer=people["Dee"], attribute=vip, raw_values="yes")
    set_value(customer=people["Cai"], attribute=colour, raw_values="navy")
    set_value(customer=people["Ben"], attribute=notes, raw_values="Loves tailored wool")
    get = as_manager.get
    assert names(get(reverse(LIST), {"attr-last-visit_after": "2026-01-01"})) == {"Ann"}
    assert names(get(reverse(LIST), {"attr-shoe-size_min": "40"})) == {"Cai"}
    assert names(get(reverse(LIST), {"attr-vip": "yes"})) == {"Dee"}
    assert names(get(reverse(LIST), {"attr-colour": ["navy", "red"]})) == {"Cai"}
    assert names(get(reverse(LIST), {"attr-style": "wool"})) == {"Ben"}


@pytest.mark.parametrize("query", ["(212) 555-0123", "212.555.0123", "+1 212 555 0123",
                                   "2125550123"])
def test_search_finds_a_phone_in_any_common_format(as_manager, people, query):
    people["Ann"].phone = "+12125550123"
    people["Ann"].save()
    assert names(as_manager.get(reverse(LIST), {"q": query})) == {"Ann"}


def test_search_by_name_and_email(as_manager, people):
    assert names(as_manager.get(reverse(LIST), {"q": "ben test"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"q": "cai@example.com"})) == {"Cai"}


@pytest.mark.parametrize("params", [
    {"birthday_within": "soon"}, {"birthday_within": "-3"}, {"sales_12mo_min": "lots"},
    {"scope": "everyone"}, {"tags": ["999999"]}, {"cursor": "not-a-cursor"},
    {"attr-shoe-size_min": "big"}, {"sales_12mo_min": "500", "sales_12mo_max": "100"},
])
def test_malformed_filters_get_a_clear_400(as_manager, people, params):
    AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    response = as_manager.get(reverse(LIST), params)
    assert response.status_code == 400
    assert "Some filters need a fix" in response.content.decode()


def test_keyset_pages_walk_every_customer_once(as_manager, org):
    CustomerFactory.create_batch(60, legal_entity=org["entity"])
    seen, params, pages = [], {"size": 25}, 0
    while True:
        response = as_manager.get(reverse(LIST), params)
        result = response.context["result"]
        seen += [row["customer"].pk for row in result.rows]
        pages += 1
        if not result.page.next_cursor:
            break
        params = {"size": 25, "cursor": result.page.next_cursor}
    assert pages == 3
    assert len(seen) == len(set(seen)) == 60
    back = as_manager.get(reverse(LIST), {"size": 25, "cursor": result.page.previous_cursor})
    assert [r["customer"].pk for r in back.context["result"].rows] == seen[25:50]


def test_sort_by_a_nullable_column_keeps_every_row(as_manager, org):
    customers = CustomerFactory.create_batch(30, legal_entity=org["entity"])
    for index, customer in enumerate(customers[:12]):
        CustomerMeasures.objects.create(customer=customer, sales_12mo=Decimal(index * 10),
                                        last_goods_sale_at=timezone.now() - timedelta(days=index))
    for sort in ("last_sale", "-last_sale", "sales_12mo", "-sales_12mo"):
        seen, params = [], {"size": 25, "sort": sort}
        while True:
            result = as_manager.get(reverse(LIST), params).context["result"]
            seen += [row["customer"].pk for row in result.rows]
            if not result.page.next_cursor:
                break
            params = {"size": 25, "sort": sort, "cursor": result.page.next_cursor}
        assert sorted(seen) == sorted(c.pk for c in customers), sort


@pytest.mark.parametrize("sort", ["sales_12mo", "-sales_12mo"])
def test_a_related_sort_pages_in_exact_order_both_ways_across_customers_without_a_value(
        as_manager, org, sort):
    # Given 70 customers, 40 with sales figures (with ties) and 30 without a measures row
    customers = CustomerFactory.create_batch(70, legal_entity=org["entity"])
    for index, customer in enumerate(customers[:40]):
        CustomerMeasures.objects.create(customer=customer, sales_12mo=Decimal(index % 7 * 100))
    descending = sort.startswith("-")
    valued = sorted(customers[:40], key=lambda c: (c.measures.sales_12mo, c.pk), reverse=descending)
    missing = sorted(customers[40:], key=lambda c: c.pk, reverse=descending)
    expected = [c.pk for c in valued + missing]  # values first, customers without one last
    # When the associate pages forward, then back from the last page
    pages, params = [], {"size": 25, "sort": sort}
    while True:
        result = as_manager.get(reverse(LIST), params).context["result"]
        pages.append(result)
        if not result.page.next_cursor:
            break
        params = {"size": 25, "sort": sort, "cursor": result.page.next_cursor}
    # Then every customer comes once, in the exact order, and going back gives the same pages
    assert [row["customer"].pk for page in pages for row in page.rows] == expected
    back = as_manager.get(reverse(LIST), {"size": 25, "sort": sort,
                                          "cursor": pages[-1].page.previous_cursor}).context["result"]
    assert [row["customer"].pk for row in back.rows] == expected[25:50]
    back = as_manager.get(reverse(LIST), {"size": 25, "sort": sort,
                                          "cursor": back.page.previous_cursor}).context["result"]
    assert [row["customer"].pk for row in back.rows] == expected[:25]
    assert back.page.is_first


def test_count_is_capped(as_manager, org, monkeypatch):
    monkeypatch.setattr("clienteling.selectors.lists.COUNT_CAP", 5)
    CustomerFactory.create_batch(27, legal_entity=org["entity"])
    response = as_manager.get(reverse(LIST))
    assert response.context["result"].count_capped
    assert "5+ customers" in response.content.decode()


def test_a_list_on_one_page_is_counted_without_a_count_query(as_manager, people, monkeypatch):
    def not_needed(*args, **kwargs):
        raise AssertionError("the page already holds the whole list")

    monkeypatch.setattr("clienteling.selectors.lists.capped_count", not_needed)
    response = as_manager.get(reverse(LIST))
    assert response.context["result"].count == len(people)
    assert f"{len(people)} customers" in response.content.decode()


def slow(queryset, seconds=0.3):
    return queryset.extra(where=[f"(SELECT true FROM pg_sleep({seconds}))"])


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the budget is a PostgreSQL timeout")
def test_a_count_out_of_budget_gives_up_and_restores_the_timeout(people):
    from clienteling.models import Customer
    from clienteling.selectors.lists import capped_count

    before = statement_timeout()
    assert capped_count(slow(Customer.objects.all()), budget_ms=20) is None
    assert statement_timeout() == before
    assert capped_count(Customer.objects.all(), budget_ms=2000) == (len(people), False)
    assert statement_timeout() == before
    assert Customer.objects.count() == len(people)  # the connection is still usable


def test_the_count_gets_what_the_page_left_of_the_budget():
    from clienteling.selectors.lists import _count_budget_left

    assert _count_budget_left(20, 3.0) == 20  # a quick page leaves the count its budget
    assert _count_budget_left(20, 25.0) == 15
    assert _count_budget_left(20, 36.0) == 0  # too little left: the count comes later
    assert _count_budget_left(20, 80.0) == 0


def test_a_slow_page_leaves_its_count_for_later(as_manager, org, monkeypatch):
    from clienteling.selectors import lists

    CustomerFactory.create_batch(27, legal_entity=org["entity"])
    real_page = lists.keyset_page

    def slow_page(*args, **kwargs):
        time.sleep(0.045)  # 45 ms of the page's and count's 2 x 20 ms
        return real_page(*args, **kwargs)

    def not_needed(*args, **kwargs):
        raise AssertionError("no time is left for the count")

    monkeypatch.setattr(lists, "keyset_page", slow_page)
    monkeypatch.setattr(lists, "capped_count", not_needed)
    monkeypatch.setattr(settings, "CUSTOMER_LIST_COUNT_BUDGET_MS", 20)
    result = as_manager.get(reverse(LIST)).context["result"]
    assert result.count_pending and len(result.rows) == 25


def test_a_slow_count_comes_after_the_page(as_manager, org, monkeypatch):
    from clienteling.selectors import lists

    CustomerFactory.create_batch(27, legal_entity=org["entity"], last_name="Slow")
    real = lists.capped_count

    def out_of_time(queryset, cap=None, *, budget_ms=None):
        # The page's count has a budget and runs out; the later request has the timeout.
        inside_the_page = budget_ms is not None and budget_ms <= settings.CUSTOMER_LIST_COUNT_BUDGET_MS
        return None if inside_the_page else real(queryset, cap, budget_ms=budget_ms)

    monkeypatch.setattr(lists, "capped_count", out_of_time)
    response = as_manager.get(reverse(LIST), {"q": "Slow"})
    page = response.content.decode()
    assert response.context["result"].count_pending
    assert "Counting…" in page
    count_url = reverse("clienteling:customer_count") + "?q=Slow"
    assert f'hx-get="{count_url}"' in page
    assert len(response.context["result"].rows) == 25

    counted = as_manager.get(count_url)
    assert counted.status_code == 200
    body = counted.content.decode()
    assert "27 customers" in body and 'data-total="27"' in body and 'id="result-count"' in body
    assert "hx-get" not in body


def test_the_count_is_scoped_and_validated(client, org, associate_a, monkeypatch):
    from clienteling.selectors import lists

    mine = CustomerFactory.create_batch(3, legal_entity=org["entity"], last_name="Mine")
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    for customer in mine[:2]:
        services.client_book_add(book=book, customer=customer, added_by=associate_a)
    client.force_login(associate_a)
    url = reverse("clienteling:customer_count")
    assert "2 customers" in client.get(url, {"scope": "my_book"}).content.decode()
    bad = client.get(url, {"birthday_within": "soon"})
    assert bad.status_code == 400
    monkeypatch.setattr(lists, "capped_count", lambda *args, **kwargs: None)
    assert "Too many to count quickly" in client.get(url).content.decode()


def test_columns_are_remembered_per_user(as_manager, manager):
    as_manager.post(reverse("clienteling:grid_columns"), {"cols": ["city", "tags"]})
    assert GridPreference.objects.get(user=manager).columns == ["customer", "city", "tags"]
    result = as_manager.get(reverse(LIST)).context["result"]
    assert [c.key for c in result.columns] == ["customer", "city", "tags"]


# Session, user, permissions, staff profile, module settings, saved lists, filterable
# attributes, the page, its related rows (measures, salespeople, contact history), tags,
# mailing lists, the count.
LIST_PAGE_QUERIES = 19


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


# --- Crafted cursors -----------------------------------------------------------------------


def crafted(values, direction="after") -> str:
    import base64
    import json

    payload = json.dumps({"v": values, "d": direction}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(("sort", "values"), [
    ("customer", ["Test", "Ann", "not-an-id"]),           # id must be a number
    ("customer", ["Test", "Ann", True]),                  # ... and not a boolean
    ("customer", [None, "Ann", 1]),                       # last name is never null
    ("customer", ["Test", "Ann", 2 ** 70]),               # out of range for bigint
    ("customer", ["T\u0000", "Ann", 1]),                  # NUL cannot go to PostgreSQL
    ("created", ["2026-01-01", 1]),                       # a datetime sent as a bare string
    ("created", [["dt", "2026-01-01T10:00:00"], 1]),      # a naive datetime
    ("created", [["d", "2026-01-01"], 1]),                # a date where a datetime sorts
    ("sales_12mo", [["dec", "lots"], 1]),                 # not a number
    ("sales_12mo", [["dec", "NaN"], 1]),                  # not a finite number
    ("sales_12mo", [["dec", "1e999999"], 1]),             # overflows the column
    ("sales_12mo", [["dt", "2026-01-01T10:00:00+00:00"], 1]),  # a datetime where money sorts
    ("sales_12mo", [["dec", 5], 1]),                      # the text of a value must be text
    ("last_sale", [["x", "y"], 1]),                       # unknown kind of value
    ("last_sale", [{"a": 1}, 1]),                         # not a value at all
    ("customer", ["Test", "Ann"]),                        # too few values
])
def test_a_crafted_cursor_with_wrong_values_is_a_clear_400(as_manager, people, sort, values):
    response = as_manager.get(reverse(LIST), {"sort": sort, "cursor": crafted(values)})
    assert response.status_code == 400
    assert "This page link is not valid any more." in response.content.decode()


@pytest.mark.parametrize("cursor", ["e30", crafted([1, 2, 3], direction="sideways"),
                                    "%%%", "W10", "x" * 3000])
def test_a_cursor_that_is_not_ours_is_a_clear_400(as_manager, people, cursor):
    response = as_manager.get(reverse(LIST), {"cursor": cursor})
    assert response.status_code == 400


def test_a_null_cursor_value_is_fine_on_a_nullable_column(as_manager, org):
    customers = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    response = as_manager.get(reverse(LIST), {"sort": "last_sale",
                                              "cursor": crafted([None, customers[0].pk])})
    assert response.status_code == 200


def test_a_bad_cursor_in_an_htmx_request_answers_the_fragment_with_the_error(as_manager, people):
    response = as_manager.get(reverse(LIST), {"cursor": crafted(["a", "b", "c"])},
                              headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert body.lstrip().startswith('<div id="results">') and "Some filters need a fix" in body


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


# --- Phone search in the store's country ------------------------------------------------------


@pytest.mark.parametrize("query", ["06 12 34 56 78", "0612345678", "06.12.34.56.78",
                                   "+33 6 12 34 56 78", "0033 6 12 34 56 78"])
def test_a_french_associate_finds_a_customer_by_a_national_number(client, associate_b, customer_b,
                                                                  query):
    client.force_login(associate_b)
    response = client.get(reverse(LIST), {"q": query})
    assert [row["customer"] for row in response.context["result"].rows] == [customer_b]


@pytest.mark.parametrize("query", ["(212) 555-0123", "212-555-0123", "1 212 555 0123",
                                   "+1 (212) 555-0123"])
def test_a_us_associate_finds_a_customer_by_a_national_number(client, associate_a, customer_a,
                                                              query):
    client.force_login(associate_a)
    response = client.get(reverse(LIST), {"q": query})
    assert [row["customer"] for row in response.context["result"].rows] == [customer_a]


@pytest.mark.parametrize("query", ["555-0123", "2125550", "0123", "claire@", "example.com", "claire@example"])
def test_a_part_of_a_masked_number_or_email_finds_nobody_without_the_permission(client, associate_a,
                                                                               manager, customer_a,
                                                                               query):
    # The associate sees them masked: a part must not let them rebuild the value.
    client.force_login(associate_a)
    assert client.get(reverse(LIST), {"q": query}).context["result"].rows == []
    # Whoever may see the details finds the customer by a part of them.
    client.force_login(manager)
    rows = client.get(reverse(LIST), {"q": query}).context["result"].rows
    assert [row["customer"] for row in rows] == [customer_a]


def test_the_full_email_finds_the_customer_in_front_of_the_associate(client, associate_a, customer_a):
    client.force_login(associate_a)
    rows = client.get(reverse(LIST), {"q": "Claire@Example.com"}).context["result"].rows
    assert [row["customer"] for row in rows] == [customer_a]


def test_a_number_read_in_the_store_country_does_not_find_another_number(client, associate_b,
                                                                          customer_b):
    client.force_login(associate_b)
    response = client.get(reverse(LIST), {"q": "06 12 34 56 79"})
    assert response.context["result"].rows == []


# --- Opt-in status and texts (contact history written by conversations) -------------------


def test_opt_in_status_per_channel(as_manager, people):
    services.contact_history_set_consent(customer_id=people["Ann"].pk, channel="sms",
                                         state="opted_in")
    services.contact_history_set_consent(customer_id=people["Ben"].pk, channel="sms",
                                         state="opted_out")
    services.contact_history_set_consent(customer_id=people["Cai"].pk, channel="whatsapp",
                                         state="requested")
    services.contact_history_set_consent(customer_id=people["Cai"].pk, channel="email",
                                         state="opted_in")
    get = as_manager.get
    assert names(get(reverse(LIST), {"sms_consent": "opted_in"})) == {"Ann"}
    assert names(get(reverse(LIST), {"sms_consent": "opted_out"})) == {"Ben"}
    assert names(get(reverse(LIST), {"whatsapp_consent": "requested"})) == {"Cai"}
    assert names(get(reverse(LIST), {"email_consent": "opted_in"})) == {"Cai"}
    # "Not asked" includes customers conversations never wrote anything about.
    assert names(get(reverse(LIST), {"sms_consent": "unknown"})) == {"Cai", "Dee"}


def test_opt_in_status_refuses_an_unknown_state(as_manager, people):
    response = as_manager.get(reverse(LIST), {"sms_consent": "maybe"})
    assert response.status_code == 400


@time_machine.travel(NOON_UTC, tick=False)
def test_last_text_within_and_no_text_within(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    services.contact_history_record_message(
        customer_id=people["Ann"].pk, at=timezone.now() - timedelta(days=2), preview="Hi",
        inbound=True, is_marketing=False, channel="sms")
    services.contact_history_record_message(
        customer_id=people["Ben"].pk, at=timezone.now() - timedelta(days=20), preview="Hello",
        inbound=False, is_marketing=False, channel="whatsapp")
    services.contact_history_record_message(
        customer_id=people["Cai"].pk, at=timezone.now() - timedelta(days=1), preview="News",
        inbound=False, is_marketing=True, channel="email")  # an email is not a text
    assert names(as_manager.get(reverse(LIST), {"texted_within": 7})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"texted_within": 30})) == {"Ann", "Ben"}
    assert names(as_manager.get(reverse(LIST), {"not_texted_within": 7})) == {"Ben", "Cai", "Dee"}


def test_a_filter_group_with_a_value_opens_by_itself(as_manager, people):
    body = as_manager.get(reverse(LIST), {"sms_consent": "opted_in"}).content.decode()
    assert 'id="fg-consent" class="accordion-collapse collapse show"' in body
    assert 'id="fg-dates" class="accordion-collapse collapse"' in body


# --- Mailing lists, and the store's calendar ---------------------------------------------------


def test_mailing_lists_match_any_and_all(as_manager, people):
    from clienteling.models import CustomerMailingList, MailingList

    news = MailingList.objects.create(name="Newsletter", slug="newsletter")
    events = MailingList.objects.create(name="Events", slug="events")
    CustomerMailingList.objects.bulk_create([
        CustomerMailingList(customer=people["Ann"], mailing_list=news),
        CustomerMailingList(customer=people["Ann"], mailing_list=events),
        CustomerMailingList(customer=people["Ben"], mailing_list=events),
    ])
    chosen = [news.pk, events.pk]
    assert names(as_manager.get(reverse(LIST), {"mailing_lists": chosen,
                                                "mailing_lists_match": "any"})) == {"Ann", "Ben"}
    assert names(as_manager.get(reverse(LIST), {"mailing_lists": chosen,
                                                "mailing_lists_match": "all"})) == {"Ann"}


# 23:30 on 31 December in New York is already 1 January in UTC.
NEW_YEARS_EVE_NIGHT = datetime(2027, 1, 1, 4, 30, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NEW_YEARS_EVE_NIGHT, tick=False)
def test_within_n_days_counts_from_the_stores_day_not_utcs(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].birth_date = date(1990, 12, 31)  # today in New York
    people["Ben"].birth_date = date(1990, 1, 1)    # today in UTC, tomorrow in New York
    people["Ann"].save()
    people["Ben"].save()
    services.sale_record(customer=people["Cai"], store=as_manager_store(manager),
                         salesperson=manager,
                         sold_at=datetime(2026, 12, 31, 5, 30, tzinfo=ZoneInfo("UTC")),
                         lines=[{"title": "Gloves", "amount": Decimal("80.00")}])
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 0})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 1})) == {"Ann", "Ben"}
    # 00:30 on 31 December in New York: today in the store's calendar (yesterday in UTC's).
    assert names(as_manager.get(reverse(LIST), {"purchased_within": 0})) == {"Cai"}


def as_manager_store(user):
    return user.staff_profile.home_store
