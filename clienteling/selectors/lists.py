"""The customer list: filters, grid columns, keyset pages and a capped count."""

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat

from catalog import reference
from clienteling.access import can_see_sensitive, customers_for
from clienteling.filters import CustomerFilterSet, search_uses_trigram_index
from clienteling.grid import (
    COLUMNS_BY_KEY,
    DEFAULT_COLUMNS,
    SORTABLE,
    csv_value,
    hidden_columns,
    shown_columns,
)
from clienteling.models import (
    AttributeGroup,
    AttributeOption,
    Customer,
    CustomerAttribute,
    CustomerTag,
    GridPreference,
    SavedCustomerList,
)
from clienteling.paging import BadCursor, Page, SortKey, keyset_page

from .attributes import CONSOLE, client_book_group_id, client_book_refiners, on_channel
from .navigation import home_store_for

# Counting stops here and the list says "1,000+": an exact count of a broad
# filter over a million customers would cost more than the page itself.
COUNT_CAP = 1_000
PAGE_ROWS_ONLY = {"measures", "contact_history"}
PAGE_SIZES = (25, 50, 100)


@dataclass
class CustomerList:
    filterset: CustomerFilterSet
    columns: list
    sort: str
    page: Page | None = None
    rows: list = field(default_factory=list)
    count: int = 0
    count_capped: bool = False
    count_pending: bool = False  # the count ran out of time; the page fetches it afterwards
    errors: dict = field(default_factory=dict)
    page_size: int = 25


ATTRIBUTE_MODELS = (CustomerAttribute, AttributeOption, AttributeGroup)


def filterable_attributes(*, for_client_book: bool = False) -> list[CustomerAttribute]:
    """The attributes the list filters on (with their options), as the admin last saved them.

    The console is the store channel; client book refinement offers the client book
    attribute group's refinable attributes (every refinable one when no group is set).
    """
    if for_client_book:
        key, rule = f"client-book:{client_book_group_id()}", client_book_refiners()
    else:
        key, rule = "list", on_channel(CONSOLE) & Q(enabled_as_filter=True)
    return reference.cached(f"filterable-attributes:{key}", ATTRIBUTE_MODELS, lambda: list(
        CustomerAttribute.objects.filter(rule)
        .prefetch_related("options").order_by("group__position", "position", "name")
    ))


def columns_for(*, user, params, saved_list: SavedCustomerList | None = None) -> list[str]:
    if params.getlist("cols"):
        return shown_columns(params.getlist("cols"))
    if saved_list and saved_list.columns:
        return shown_columns(saved_list.columns)
    preference = GridPreference.objects.filter(user=user).values_list("columns", flat=True).first()
    return shown_columns(preference or DEFAULT_COLUMNS)


def sort_keys(sort: str) -> tuple[str, list[SortKey]]:
    descending = sort.startswith("-")
    column = SORTABLE.get(sort.lstrip("-"))
    if column is None or column.key in hidden_columns():
        column = SORTABLE["customer"]
    if column.key == "customer":
        keys = [SortKey("last_name", descending), SortKey("first_name", descending)]
    else:
        keys = [SortKey(column.sort, descending, column.nullable)]
    keys.append(SortKey("id", descending))
    return ("-" if descending else "") + column.key, keys


def customer_filterset(*, user, params, for_client_book: bool = False,
                       base: QuerySet | None = None) -> CustomerFilterSet:
    """The customer filters bound to `params`, with the attributes admins made filterable."""
    return CustomerFilterSet(
        params, queryset=base if base is not None else customers_for(user), user=user,
        store=home_store_for(user), attributes=filterable_attributes(for_client_book=for_client_book),
    )


def filter_definition(filterset: CustomerFilterSet, params) -> dict[str, list[str]]:
    """The filter values of `params` the filter form knows, as a saved list stores them."""
    from clienteling.forms.lists import DEFAULT_FILTER_VALUES

    known = filterset.form.fields
    found = {name: values for name in known
             if (values := [v for v in params.getlist(name) if v != ""])}
    return {name: values for name, values in found.items()
            if DEFAULT_FILTER_VALUES.get(name) != values}


def filtered_customers(*, user, params, for_client_book: bool = False,
                       base: QuerySet | None = None) -> tuple[CustomerFilterSet, QuerySet]:
    """The customers matching `params`, or an unbound empty result with errors."""
    filterset = customer_filterset(user=user, params=params, for_client_book=for_client_book,
                                   base=base)
    if not filterset.is_valid():
        return filterset, Customer.objects.none()
    return filterset, filterset.qs


def customer_list(*, user, params, saved_list: SavedCustomerList | None = None,
                  base: QuerySet | None = None, for_client_book: bool = False,
                  columns: list[str] | None = None,
                  count_budget_ms: int | None = None) -> CustomerList:
    """One page of the filtered customers with their grid cells, and a capped count.

    `columns` overrides the user's grid columns (the client books show cards, not a grid);
    `count_budget_ms` lets the count give up and be fetched later (see capped_count).
    """
    filterset, queryset = filtered_customers(user=user, params=params, base=base,
                                             for_client_book=for_client_book)
    column_keys = (shown_columns(columns) if columns is not None
                   else columns_for(user=user, params=params, saved_list=saved_list))
    columns = [COLUMNS_BY_KEY[key] for key in column_keys]
    sort, keys = sort_keys(params.get("sort") or (saved_list.sort if saved_list else "") or "")
    try:
        size = int(params.get("size") or PAGE_SIZES[0])
    except ValueError:
        size = PAGE_SIZES[0]
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    result = CustomerList(filterset=filterset, columns=columns, sort=sort, page_size=size)
    if filterset.form.errors:
        result.errors = filterset.form.errors
        return result

    shown = {path for column in columns for path in column.related}
    sorted_on = {key.field.rsplit("__", 1)[0] for key in keys if "__" in key.field}
    # The one-to-one rows a column shows (measures, contact history) are read for the
    # page's rows alone: joined into the page query, the database fetches them for every
    # candidate it sorts (700 of them for two tags), not just the 25 it keeps.
    page_rows_only = (shown & PAGE_ROWS_ONLY) - sorted_on
    related = (shown - page_rows_only) | sorted_on
    prefetch = {path for column in columns for path in column.prefetch} | page_rows_only
    page_qs = queryset.select_related(*sorted(related)).prefetch_related(*sorted(prefetch))
    found_first = keys[0].field == "last_name" and (
        search_uses_trigram_index(params.get("q") or "")
        or _tags_narrow_the_list(filterset.form.cleaned_data))
    if found_first:
        page_qs, keys = _sort_found_matches(page_qs, keys)
    started = time.perf_counter()
    try:
        result.page = keyset_page(page_qs, keys, cursor=params.get("cursor"), size=size,
                                  ids_first=found_first)
    except BadCursor as exc:
        result.errors = {"cursor": [str(exc)]}
        return result

    sensitive = can_see_sensitive(user)
    result.rows = [
        {"customer": customer,
         "cells": [_cell(column, customer, sensitive) for column in columns]}
        for customer in result.page.rows
    ]
    if count_budget_ms is not None:
        count_budget_ms = _count_budget_left(count_budget_ms,
                                             (time.perf_counter() - started) * 1000)
    if result.page.is_first and result.page.next_cursor is None:
        result.count = len(result.rows)  # the whole list is on this page
    elif count_budget_ms is None:
        result.count, result.count_capped = capped_count(queryset)
    elif count_budget_ms == 0 or cache.get(slow_key := _slow_count_key(user, params)):
        result.count_pending = True
    else:
        counting = time.perf_counter()
        counted = capped_count(queryset, budget_ms=count_budget_ms)
        if counted is not None:
            result.count, result.count_capped = counted
        else:
            result.count_pending = True
        # A count that ran out, or took most of its budget, would hold back every page of
        # this list (paging, sorting, coming back): the next pages fetch it afterwards.
        if counted is None or (time.perf_counter() - counting) * 1000 > count_budget_ms / 2:
            cache.set(slow_key, True, settings.CUSTOMER_LIST_SLOW_COUNT_SECONDS)
    return result


NOT_FILTERS = frozenset({"cursor", "sort", "size", "cols"})


def _slow_count_key(user, params) -> str:
    """The same customers for the same user, whatever the page, sort and columns."""
    filters = sorted((key, value) for key in params if key not in NOT_FILTERS
                     for value in params.getlist(key))
    return f"slow-count:{user.pk}:{hashlib.sha256(repr(filters).encode()).hexdigest()[:32]}"


def customer_count(*, user, params) -> tuple[CustomerFilterSet, tuple[int, bool] | None]:
    """The capped count of the customers matching `params`, for a page sent without it.

    None when the filters are invalid or even the generous timeout ran out.
    """
    filterset, queryset = filtered_customers(user=user, params=params)
    if filterset.form.errors:
        return filterset, None
    return filterset, capped_count(queryset, budget_ms=settings.CUSTOMER_LIST_COUNT_TIMEOUT_MS)


MIN_COUNT_BUDGET_MS = 5


def _count_budget_left(budget_ms: int, page_ms: float) -> int:
    """What the count may take, the page's queries and the count sharing twice its budget.

    A page that already took long matched or sorted many rows, which the count must
    see again: it is not started (0) when less than a useful few milliseconds remain.
    """
    left = min(budget_ms, int(2 * budget_ms - page_ms))
    return left if left >= MIN_COUNT_BUDGET_MS else 0


def _sort_found_matches(queryset: QuerySet, keys: list[SortKey]) -> tuple[QuerySet, list[SortKey]]:
    """Search results sorted by name: find the matches first, then sort them.

    The planner reads "last name contains 'smith'" as a few rows spread evenly over
    the alphabet and walks the name index expecting to meet 25 of them soon; Smiths
    all sit under S, so it walks most of a million rows. Sorting on an expression of
    the name (same values, same order) keeps that index out of it: the trigram index
    finds the matches and the few thousand found are sorted.
    """
    queryset = queryset.annotate(sort_last_name=Concat("last_name", Value("")))
    return queryset, [SortKey("sort_last_name", keys[0].descending), *keys[1:]]


# Below this many customers on the smallest of the tags a list must have all of, sorting the
# customers found beats walking the name index past everyone who lacks one of them.
NARROW_TAG_CUSTOMERS = 100_000
TAG_SIZE_SECONDS = 600


def _tags_narrow_the_list(data: dict) -> bool:
    """Several tags, all required: their intersection is what the page sorts.

    The planner takes "has tag A and tag B" for a condition met all along the alphabet and
    walks the name index expecting 25 matches soon; two tags of 80,000 and 30,000 customers
    share a few thousand, so it walks tens of thousands of names. Found first (a merge of
    the two tags' index entries) and then sorted, the page takes a fraction of that.
    """
    tags = list(data.get("tags") or [])
    if len(tags) < 2 or data.get("tags_match") != "all":
        return False
    return min(tag_sizes([tag.pk for tag in tags]).values()) <= NARROW_TAG_CUSTOMERS


def tag_sizes(tag_ids: list[int]) -> dict[int, int]:
    """Customers per tag, counted at most every ten minutes (a plan choice, not a figure shown)."""
    keys = {pk: f"tag-size:{pk}" for pk in tag_ids}
    found = cache.get_many(list(keys.values()))
    sizes = {pk: found[key] for pk, key in keys.items() if key in found}
    if missing := [pk for pk in tag_ids if pk not in sizes]:
        counted = dict(CustomerTag.objects.filter(tag_id__in=missing).values("tag_id")
                       .annotate(n=Count("pk")).values_list("tag_id", "n"))
        for pk in missing:
            sizes[pk] = counted.get(pk, 0)
        cache.set_many({keys[pk]: sizes[pk] for pk in missing}, TAG_SIZE_SECONDS)
    return sizes


def _cell(column, customer, sensitive: bool) -> dict:
    value = column.value(customer, sensitive=sensitive)
    masked = column.sensitive and not sensitive
    return {"column": column, "value": value, "masked": masked}


def capped_count(queryset: QuerySet, cap: int | None = None, *,
                 budget_ms: int | None = None) -> tuple[int, bool] | None:
    """Exact up to `cap`; beyond it the list says "1,000+" instead of counting on.

    With `budget_ms` the count gives up after that long and returns None: the page
    is then sent without it and fetches it in a second request (`customer_count`),
    so a rare combination of filters never holds the list back. The budget is a
    PostgreSQL statement timeout; other databases always count.
    """
    cap = COUNT_CAP if cap is None else cap
    counted = queryset.order_by().values("pk")[: cap + 1]
    if budget_ms is None or connections[counted.db].vendor != "postgresql":
        count = counted.count()
    else:
        try:
            count = _count_within(counted, budget_ms)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != QUERY_CANCELED:
                raise
            return None
    return min(count, cap), count > cap


QUERY_CANCELED = "57014"


def _count_within(queryset: QuerySet, budget_ms: int) -> int:
    # SET LOCAL outlives a released savepoint, so the old timeout is put back by hand;
    # a cancelled count rolls its savepoint back, which restores it by itself.
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), "
                       "set_config('statement_timeout', %s, true)", [f"{int(budget_ms)}ms"])
        previous = cursor.fetchone()[0]
        count = queryset.count()
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    return count


EXPORT_CHUNK = 1000


def customer_export(*, user, params, saved_list: SavedCustomerList | None = None,
                    ids: list[int] | None = None) -> tuple[CustomerFilterSet, list, Iterator[list[str]]]:
    """The filtered customers as CSV rows (header first), masked for the user.

    Only the filters and the chosen columns are worked out up front: no page, no
    count. Rows come in primary-key chunks, so memory stays flat on a million rows.
    """
    filterset, queryset = filtered_customers(user=user, params=params)
    columns = [COLUMNS_BY_KEY[key] for key in columns_for(user=user, params=params,
                                                          saved_list=saved_list)]
    if ids:
        queryset = queryset.filter(pk__in=ids)
    related = sorted({path for column in columns for path in column.related})
    prefetch = sorted({path for column in columns for path in column.prefetch})
    sensitive = can_see_sensitive(user)

    def rows() -> Iterator[list[str]]:
        yield [csv_value(str(column.label)) for column in columns]
        last_pk = 0
        while True:
            chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk")
                         .select_related(*related).prefetch_related(*prefetch)[:EXPORT_CHUNK])
            if not chunk:
                return
            for customer in chunk:
                yield [csv_value(column.export_value(customer, sensitive=sensitive))
                       for column in columns]
            last_pk = chunk[-1].pk

    return filterset, columns, rows()
