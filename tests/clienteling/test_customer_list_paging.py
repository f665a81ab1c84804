"""The customer list's pages: keyset paging in any sort, the capped count in its time budget,
crafted cursors."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    CustomerMeasures,
)
from tests.clienteling.list_helpers import LIST
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


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


def test_a_count_that_ran_out_is_not_tried_again_inside_the_page(as_manager, org, monkeypatch):
    from clienteling.selectors import lists

    monkeypatch.setattr(settings, "CUSTOMER_LIST_SLOW_COUNT_SECONDS", 600)
    # Budget enough that even a loaded machine's page leaves the count its try.
    monkeypatch.setattr(settings, "CUSTOMER_LIST_COUNT_BUDGET_MS", 2000)
    CustomerFactory.create_batch(27, legal_entity=org["entity"], last_name="Slow")
    tried = []

    def out_of_time(queryset, cap=None, *, budget_ms=None):
        tried.append(budget_ms)
        return None

    monkeypatch.setattr(lists, "capped_count", out_of_time)
    first = as_manager.get(reverse(LIST), {"q": "Slow"}).context["result"]
    assert first.count_pending and len(tried) == 1
    # The same customers paged or sorted: the page no longer waits for a count it cannot get.
    paged = as_manager.get(reverse(LIST), {"q": "Slow", "cursor": first.page.next_cursor})
    assert paged.context["result"].page.rows and not paged.context["result"].errors
    resorted = as_manager.get(reverse(LIST), {"q": "Slow", "sort": "-city"}).context["result"]
    assert resorted.count_pending and len(resorted.rows) == 25 and len(tried) == 1
    # Other filters are counted as usual; so are this user's colleagues' lists.
    as_manager.get(reverse(LIST), {"q": "Slo"})
    assert len(tried) == 2


def test_a_count_that_took_most_of_its_budget_comes_after_the_next_pages(as_manager, org, monkeypatch):
    from clienteling.selectors import lists

    CustomerFactory.create_batch(27, legal_entity=org["entity"], last_name="Slow")
    tried = []

    def slow_count(queryset, cap=None, *, budget_ms=None):
        tried.append(budget_ms)
        time.sleep(0.3)  # 300 ms of its 400 (a budget a loaded machine's page leaves whole)
        return 27, False

    monkeypatch.setattr(settings, "CUSTOMER_LIST_COUNT_BUDGET_MS", 400)
    monkeypatch.setattr(settings, "CUSTOMER_LIST_SLOW_COUNT_SECONDS", 600)
    monkeypatch.setattr(lists, "capped_count", slow_count)
    first = as_manager.get(reverse(LIST), {"q": "Slow"}).context["result"]
    assert first.count == 27 and not first.count_pending  # counted in time, shown at once
    again = as_manager.get(reverse(LIST), {"q": "Slow", "sort": "-city"}).context["result"]
    assert again.count_pending and len(tried) == 1


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


def test_customers_with_every_one_of_several_tags_are_found_first_then_sorted_and_paged(as_manager, org):
    """The narrow intersection is sorted on an expression of the name (not by walking the
    name index); the order and the keyset pages are the same as any sort by name."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from clienteling.models import CustomerTag
    from tests.factories import TagFactory

    both, one = TagFactory(name="VIP"), TagFactory(name="Bridal")
    customers = CustomerFactory.create_batch(60, legal_entity=org["entity"])
    for number, customer in enumerate(customers):
        CustomerTag.objects.create(customer=customer, tag=both)
        if number % 2:
            CustomerTag.objects.create(customer=customer, tag=one)
    expected = sorted((c for n, c in enumerate(customers) if n % 2),
                      key=lambda c: (c.last_name, c.first_name, c.pk))
    cache.delete_many([f"tag-size:{both.pk}", f"tag-size:{one.pk}"])  # counted by an earlier test

    params = {"tags": [both.pk, one.pk], "tags_match": "all", "size": 25}
    with CaptureQueriesContext(connection) as queries:
        first = as_manager.get(reverse(LIST), params).context["result"]
    assert "||" in page_query_of(queries)  # ordered on the name expression
    rest = as_manager.get(reverse(LIST), {**params, "cursor": first.page.next_cursor}).context["result"]

    assert [row["customer"].pk for row in first.rows + rest.rows] == [c.pk for c in expected]
    # One tag alone keeps the name index: the walk meets its customers soon.
    with CaptureQueriesContext(connection) as queries:
        as_manager.get(reverse(LIST), {"tags": [both.pk], "size": 25})
    assert "||" not in page_query_of(queries)


def page_query_of(queries) -> str:
    return next(q["sql"] for q in queries.captured_queries
                if q["sql"].startswith('SELECT "clienteling_customer"."id"'))
