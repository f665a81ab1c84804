"""`manage.py bench_listing [--json]`: the customer list at scale, against hand-written SQL.

Run on PostgreSQL after `seed_demo --customers 1000000`. For each filter
combination it times the whole view in-process (middleware, filters, query,
capped count, render) and the best SQL we could write by hand for the same
page and count, checks both return the same customers, and reports p50/p95.
`ratio` is the p95 of the SQL the view ran, replayed, over the hand-written
SQL's p95 (goal <= 1.5); `view_over_sql` compares the whole view with it.
A count that outruns its budget inside the page is fetched by the page right
after; `count_deferred` says how often that happened and `count_request_p95_ms`
times that request.
"""

import gc
import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.timing import measure
from catalog.models import Category, Designer
from clienteling.dates import month_day_keys_within, store_today
from clienteling.models import ClientBook, CustomerAttribute, Tag
from clienteling.paging import encode_cursor
from clienteling.selectors.lists import customer_list
from clienteling.selectors.navigation import home_store_for

PAGE = 25
CAP = 1_000

# The page's customers are found and sorted first; the rows shown are then joined for
# those alone (an unused LEFT JOIN on a unique key is removed by the planner).
SELECT_PAGE = """
SELECT c.id, c.first_name, c.last_name, c.email, c.phone, c.currency,
       u.first_name, u.last_name, m.last_goods_sale_at, m.sales_12mo
FROM unnest(ARRAY(
    SELECT c.id FROM clienteling_customer c
    LEFT JOIN clienteling_customermeasures m ON m.customer_id = c.id
    {joins}
    WHERE c.legal_entity_id = %(entity)s {where}
    ORDER BY {order}
    LIMIT {limit}
)) WITH ORDINALITY AS page (id, n)
JOIN clienteling_customer c ON c.id = page.id
LEFT JOIN clienteling_customermeasures m ON m.customer_id = c.id
LEFT JOIN auth_user u ON u.id = c.primary_salesperson_id
ORDER BY page.n
"""
COUNT = """
SELECT count(*) FROM (SELECT 1 FROM clienteling_customer c
  LEFT JOIN clienteling_customermeasures m ON m.customer_id = c.id {joins}
  WHERE c.legal_entity_id = %(entity)s {where} LIMIT {cap}) AS capped
"""
TAGS = """
SELECT ct.customer_id, t.name FROM clienteling_customertag ct
JOIN clienteling_tag t ON t.id = ct.tag_id WHERE ct.customer_id = ANY(%(ids)s)
"""
NAME_ORDER = "c.last_name, c.first_name, c.id"


@dataclass
class Case:
    name: str
    params: dict
    where: str = ""
    sql_params: dict = field(default_factory=dict)
    joins: str = ""
    order: str = NAME_ORDER
    keyset: str = ""  # extra WHERE for a deep page


class Command(BaseCommand):
    help = "Benchmark the customer list view against hand-written SQL (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON list.")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--user", default="manager.ny")
        parser.add_argument("--only", action="append", default=[],
                            help="Run only the cases whose name contains this (repeatable).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_listing measures PostgreSQL; set DATABASE_URL.")
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        user = get_user_model().objects.select_related("staff_profile").get(
            username=options["user"])
        self.user = user
        client = Client()
        client.force_login(user)
        # What is loaded stays out of the collector's walks, as config/wsgi.py does for every web
        # process: timed otherwise, a full collection adds ~150 ms to one page in a hundred.
        gc.freeze()
        cases = [case for case in self.cases(user)
                 if not options["only"] or any(part in case.name for part in options["only"])]
        results = []
        for case in cases:
            results.append(self.run_case(client, case, options["runs"]))
            if not options["json"]:
                r = results[-1]
                self.stdout.write(
                    f"{r['name']:<44} view p50 {r['p50_ms']:7.1f} p95 {r['p95_ms']:7.1f} | "
                    f"sql p50 {r['sql_p50_ms']:6.1f} p95 {r['sql_p95_ms']:6.1f} | "
                    f"orm sql p95 {r['orm_sql_p95_ms']:6.1f} | ratio {r['ratio']:4.2f} "
                    f"view/sql {r['view_over_sql']:5.1f} | rows {r['rows']} count {r['count']}"
                    + (f" | count deferred {r['count_deferred']}, its request p95 "
                       f"{r['count_request_p95_ms']:.1f}" if r["count_request_p95_ms"] else ""))
        if options["json"]:
            self.stdout.write(json.dumps(results))

    # --- cases ---------------------------------------------------------------------

    def cases(self, user) -> list[Case]:
        entity = user.staff_profile.legal_entity_id
        store = home_store_for(user)
        today = store_today(store)
        tz = store.tzinfo

        def since(days):
            return datetime.combine(today - timedelta(days=days), time.min, tzinfo=tz)

        category = Category.objects.order_by("pk").first()
        designer = Designer.objects.order_by("pk").first()
        tags = list(Tag.objects.filter(active=True).order_by("pk")[:2])
        visit = CustomerAttribute.objects.get(slug="last-visit")
        book = ClientBook.objects.filter(owner=user).first()
        base = {"entity": entity}
        week = month_day_keys_within(today, 7)
        month = month_day_keys_within(today, 30)
        visit_after = today - timedelta(days=90)
        deep_name = self.deep_cursor_values(entity, 0.6)
        deep_sales = self.deep_sales_values(entity, 0.5)
        not_opted_out = ("AND NOT EXISTS (SELECT 1 FROM clienteling_customercontacthistory h "
                         "WHERE h.customer_id = c.id AND h.sms_consent = 'opted_out')")
        return [
            Case("all customers, first page", {}, sql_params=base),
            Case("birthday within 7 days", {"birthday_within": 7},
                 "AND c.birthday_key = ANY(%(keys)s)", {**base, "keys": week}),
            Case("sold 12mo 1,000-5,000", {"sales_12mo_min": 1000, "sales_12mo_max": 5000},
                 "AND m.sales_12mo BETWEEN 1000 AND 5000", base),
            Case("category", {"categories": [category.pk]},
                 "AND EXISTS (SELECT 1 FROM clienteling_saleline l WHERE l.customer_id = c.id "
                 "AND l.kind = 'goods' AND l.category_id = ANY(%(cats)s))",
                 {**base, "cats": [category.pk]}),
            Case("tag", {"tags": [tags[0].pk]},
                 "AND EXISTS (SELECT 1 FROM clienteling_customertag t WHERE t.customer_id = c.id "
                 "AND t.tag_id = ANY(%(tags)s))", {**base, "tags": [tags[0].pk]}),
            Case("attribute: last visit in 90 days",
                 {f"attr-{visit.slug}_after": visit_after.isoformat()},
                 "AND EXISTS (SELECT 1 FROM clienteling_customerattributevalue v "
                 "WHERE v.customer_id = c.id AND v.attribute_id = %(attr)s "
                 "AND v.value_date >= %(after)s)",
                 {**base, "attr": visit.pk, "after": visit_after}),
            Case("birthday 30d + texting + not opted out",
                 {"birthday_within": 30, "has_phone": "on", "exclude_sms_opted_out": "on"},
                 "AND c.birthday_key = ANY(%(keys)s) AND c.phone <> '' AND c.can_receive_texts "
                 + not_opted_out, {**base, "keys": month}),
            Case("category + sold 24mo >= 2,000 + tag",
                 {"categories": [category.pk], "sales_24mo_min": 2000, "tags": [tags[1].pk]},
                 "AND m.sales_24mo >= 2000 AND EXISTS (SELECT 1 FROM clienteling_saleline l "
                 "WHERE l.customer_id = c.id AND l.kind = 'goods' AND l.category_id = ANY(%(cats)s)) "
                 "AND EXISTS (SELECT 1 FROM clienteling_customertag t WHERE t.customer_id = c.id "
                 "AND t.tag_id = ANY(%(tags)s))",
                 {**base, "cats": [category.pk], "tags": [tags[1].pk]}),
            Case("my client book", {"scope": "my_book"},
                 "AND EXISTS (SELECT 1 FROM clienteling_clientbookentry e "
                 "WHERE e.customer_id = c.id AND e.book_id = %(book)s)",
                 {**base, "book": book.pk if book else 0}),
            Case("deep page (60% into the list)",
                 {"cursor": encode_cursor(list(deep_name), "after")},
                 sql_params={**base, "ln": deep_name[0], "fn": deep_name[1], "id": deep_name[2]},
                 keyset="AND (c.last_name, c.first_name, c.id) > (%(ln)s, %(fn)s, %(id)s)"),
            # Sorting on an expression keeps the planner off the name index (it would walk
            # to the S's); the trigram indexes find the matches, which are then sorted.
            Case("search 'smith'", {"q": "smith"},
                 "AND (UPPER(c.first_name::text) LIKE '%%SMITH%%' "
                 "OR UPPER(c.last_name::text) LIKE '%%SMITH%%')", base,
                 order="(c.last_name || ''), c.first_name, c.id"),
            Case("5 filters: designer, bought 1y, email, primary, anniv 30d",
                 {"designers": [designer.pk], "purchased_within": 365, "has_email": "on",
                  "primary_only": "on", "anniversary_within": 30},
                 "AND c.anniversary_key = ANY(%(keys)s) AND c.email <> '' "
                 "AND c.primary_account_id IS NULL AND m.last_purchase_at >= %(since)s "
                 "AND EXISTS (SELECT 1 FROM clienteling_saleline l WHERE l.customer_id = c.id "
                 "AND l.kind = 'goods' AND l.designer_id = ANY(%(designers)s))",
                 {**base, "keys": month, "since": since(365), "designers": [designer.pk]}),
            Case("top spenders 12mo, deep page",
                 {"sort": "-sales_12mo", "cursor": encode_cursor(list(deep_sales), "after")},
                 sql_params={**base, "s": deep_sales[0], "id": deep_sales[1]},
                 # Every seeded customer has figures, so the page lies in the valued part,
                 # which the (sales_12mo, customer) index walks from the cursor on.
                 order="m.sales_12mo DESC, m.customer_id DESC",
                 keyset="AND m.sales_12mo IS NOT NULL "
                        "AND (m.sales_12mo, m.customer_id) < (%(s)s, %(id)s)"),
            Case("no contact 90d + two tags (all)",
                 {"not_contacted_within": 90, "tags": [t.pk for t in tags], "tags_match": "all"},
                 "AND NOT EXISTS (SELECT 1 FROM clienteling_customercontacthistory h "
                 "WHERE h.customer_id = c.id AND h.last_marketing_at >= %(since)s) "
                 "AND EXISTS (SELECT 1 FROM clienteling_customertag t WHERE t.customer_id = c.id "
                 "AND t.tag_id = %(t1)s) AND EXISTS (SELECT 1 FROM clienteling_customertag t "
                 "WHERE t.customer_id = c.id AND t.tag_id = %(t2)s)",
                 {**base, "since": since(90), "t1": tags[0].pk, "t2": tags[1].pk},
                 # As the view does for several required tags: find them, then sort.
                 order="(c.last_name || ''), c.first_name, c.id"),
        ]

    def deep_cursor_values(self, entity, fraction):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM clienteling_customer WHERE legal_entity_id = %s",
                           [entity])
            offset = int(cursor.fetchone()[0] * fraction)
            cursor.execute(f"SELECT last_name, first_name, id FROM clienteling_customer "
                           f"WHERE legal_entity_id = %s ORDER BY {NAME_ORDER.replace('c.', '')} "
                           f"OFFSET %s LIMIT 1", [entity, offset])
            return cursor.fetchone()

    def deep_sales_values(self, entity, fraction):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM clienteling_customermeasures m JOIN "
                           "clienteling_customer c ON c.id = m.customer_id "
                           "WHERE c.legal_entity_id = %s AND m.sales_12mo > 0", [entity])
            offset = int(cursor.fetchone()[0] * fraction)
            cursor.execute("SELECT m.sales_12mo, c.id FROM clienteling_customer c JOIN "
                           "clienteling_customermeasures m ON m.customer_id = c.id "
                           "WHERE c.legal_entity_id = %s ORDER BY m.sales_12mo DESC NULLS LAST, "
                           "c.id DESC OFFSET %s LIMIT 1", [entity, offset])
            return cursor.fetchone()

    # --- running ---------------------------------------------------------------------

    def run_case(self, client, case: Case, runs: int) -> dict:
        url = reverse("clienteling:customer_list")
        response = client.get(url, case.params)
        if response.status_code != 200:
            raise CommandError(f"{case.name}: view answered {response.status_code}")
        # The same selector the view runs, to compare its rows with the hand SQL's.
        result = customer_list(user=self.user, params=QueryDict(urlencode(case.params, doseq=True)))
        view_ids = [row["customer"].pk for row in result.rows]

        def view():
            return client.get(url, case.params)

        # A count out of its budget (CUSTOMER_LIST_COUNT_BUDGET_MS) is left to a second
        # request, which the page makes as soon as it is shown: timed on its own.
        count_url = reverse("clienteling:customer_count")
        deferred = sum(count_url in view().content.decode() for _ in range(5))

        def count_view():
            client.get(count_url, case.params)

        with CaptureQueriesContext(connection) as captured:
            view()
        orm_sql = [q["sql"] for q in captured.captured_queries]

        where = case.where + " " + case.keyset
        page_sql = SELECT_PAGE.format(joins=case.joins, where=where, order=case.order,
                                      limit=PAGE + 1)
        count_sql = COUNT.format(joins=case.joins, where=case.where, cap=CAP + 1)

        def hand_sql():
            with connection.cursor() as cursor:
                cursor.execute(page_sql, case.sql_params)
                rows = cursor.fetchall()[:PAGE]
                cursor.execute(TAGS, {"ids": [row[0] for row in rows]})
                cursor.fetchall()
                cursor.execute(count_sql, case.sql_params)
                return [row[0] for row in rows], cursor.fetchone()[0]

        sql_ids, sql_count = hand_sql()
        if sql_ids != view_ids or min(sql_count, CAP) != result.count:
            raise CommandError(f"{case.name}: hand SQL and view disagree "
                               f"({len(sql_ids)} vs {len(view_ids)} rows, "
                               f"{sql_count} vs {result.count})")

        def orm_queries():
            # The view's own data queries (page, prefetch, count) replayed raw.
            with connection.cursor() as cursor:
                for sql in orm_sql:
                    if "\"clienteling_customer\".\"" in sql and not sql.startswith("DECLARE"):
                        cursor.execute(sql)
                        cursor.fetchall()

        view_t = measure(view, runs=runs)
        sql_t = measure(hand_sql, runs=runs)
        orm_t = measure(orm_queries, runs=runs)
        count_t = measure(count_view, runs=runs) if deferred else None
        return {
            "name": case.name,
            "p50_ms": round(view_t["p50"], 2), "p95_ms": round(view_t["p95"], 2),
            "sql_p50_ms": round(sql_t["p50"], 2), "sql_p95_ms": round(sql_t["p95"], 2),
            "orm_sql_p95_ms": round(orm_t["p95"], 2),
            # The ratio the goal (<= 1.5) reads: the SQL the view ran against the best SQL we
            # wrote by hand for the same rows and count. The whole view also renders the page
            # (~50 ms of Python and templates), which no query can be compared with; that
            # figure is view_over_sql.
            "ratio": round(orm_t["p95"] / sql_t["p95"], 2) if sql_t["p95"] else None,
            "view_over_sql": round(view_t["p95"] / sql_t["p95"], 2) if sql_t["p95"] else None,
            "rows": len(view_ids), "count": result.count,
            # How many of 5 pages left the count to the follow-up request, and its time.
            "count_deferred": f"{deferred}/5",
            "count_request_p95_ms": round(count_t["p95"], 2) if count_t else None,
        }
