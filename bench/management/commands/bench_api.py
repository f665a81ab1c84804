"""`manage.py bench_api ingest|read [--json]`: the integration API at scale, through the whole stack.

ingest: 100,000 sale lines posted to POST /api/v1/sales/bulk/ (1,000 receipts of 4 lines a
  request, 25 requests) into a fresh PostgreSQL database with its own small seed. It refuses
  `atelier_bench`. Make one first:
      createdb -h 127.0.0.1 -U postgres atelier_bench_api
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_bench_api manage.py migrate
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_bench_api manage.py bench_api ingest
  Then it posts the same batches again (every receipt unchanged: the idempotent path).
  Goal: under 60 s for the 100,000 lines.
read: GET /api/v1/customers/?size=100 on atelier_bench (1,000,000 customers), read only: the
  key it needs lives in a transaction that is rolled back. First page, pages further on
  by cursor, a search and a sort; p50/p95 each. Goal: p95 under 100 ms.
"""

import json
import time
from contextlib import suppress
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client

from api.models import ALL_SCOPES
from api.services.keys import api_key_create
from bench.timing import measure, percentile
from catalog.ingest import products_upsert
from clienteling.models import Customer, LegalEntity, Store
from clienteling.services.ingest import customers_upsert

LINES_PER_SALE = 4
SALES_PER_REQUEST = 1000


class Rollback(Exception):
    """Raised inside a timed transaction so that nothing the benchmark wrote stays."""


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("mode", choices=["ingest", "read"])
        parser.add_argument("--lines", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, mode, lines, runs, json: bool, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        report = self.ingest(lines) if mode == "ingest" else self.read(runs)
        if json:
            self.stdout.write(_dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key:32} {value}")

    # --- ingest ------------------------------------------------------------------------

    def ingest(self, lines: int) -> dict:
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or name == "atelier_bench":
            raise CommandError("ingest writes: run it on a fresh PostgreSQL database, e.g. atelier_bench_api")
        entity, store = self.seed()
        client = self.client_for(entity)
        sales = lines // LINES_PER_SALE
        batches = [[self.sale(n) for n in range(start, min(start + SALES_PER_REQUEST, sales))]
                   for start in range(0, sales, SALES_PER_REQUEST)]
        run = f"{time.time():.0f}"
        for batch in batches:
            for record in batch:
                record["external_id"] = f"{run}-{record['external_id']}"
        timings, totals = [], {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        started = time.perf_counter()
        for batch in batches:
            t = time.perf_counter()
            response = client.post("/api/v1/sales/bulk/", _dumps({"records": batch}),
                                   content_type="application/json")
            timings.append((time.perf_counter() - t) * 1000)
            if response.status_code != 200:
                raise CommandError(f"HTTP {response.status_code}: {response.content[:500]!r}")
            body = response.json()
            for key in ("created", "updated", "unchanged"):
                totals[key] += body[key]
            totals["rejected"] += len(body["rejected"])
        elapsed = time.perf_counter() - started
        again = time.perf_counter()
        unchanged = 0
        for batch in batches:
            unchanged += client.post("/api/v1/sales/bulk/", _dumps({"records": batch}),
                                     content_type="application/json").json()["unchanged"]
        repeat = time.perf_counter() - again
        return {
            "database": name, "sale_lines": sales * LINES_PER_SALE, "requests": len(batches),
            "seconds": round(elapsed, 1), "lines_per_second": round(sales * LINES_PER_SALE / elapsed),
            "request_p50_ms": round(percentile(timings, 50)),
            "request_p95_ms": round(percentile(timings, 95)),
            **totals, "repeat_seconds": round(repeat, 1), "repeat_unchanged": unchanged,
            "goal_under_60s": elapsed < 60,
        }

    def seed(self):
        """A legal entity, a store, 2,000 customers and 100 products of 2 variants, once."""
        entity, _created = LegalEntity.objects.get_or_create(
            code="bench-api", defaults={"name": "Bench API", "country": "US", "default_currency": "USD"})
        store, _created = Store.objects.get_or_create(
            legal_entity=entity, code="bench-api-nyc",
            defaults={"name": "Bench NYC", "timezone": "America/New_York", "currency": "USD",
                      "country": "US"})
        if not Customer.objects.filter(legal_entity=entity).exists():
            for start in range(0, 2000, 1000):
                customers_upsert(legal_entity=entity, source="bench_api", records=[
                    {"external_id": f"BC{n}", "first_name": "Bench", "last_name": f"Customer {n}",
                     "home_store": store.code} for n in range(start, start + 1000)])
            products_upsert(source="bench_api", records=[
                {"sku": f"BP{n}", "title": f"Bench product {n}", "price": "100.00", "currency": "USD",
                 "variants": [{"sku": f"BP{n}-S", "size": "S"}, {"sku": f"BP{n}-M", "size": "M"}]}
                for n in range(100)])
        return entity, store

    def sale(self, n: int) -> dict:
        return {"external_id": f"BS{n}", "customer": f"BC{n % 2000}", "store": "bench-api-nyc",
                "sold_at": f"2026-{1 + n % 11:02d}-{1 + n % 27:02d}T12:00:00Z", "lines": [
                    {"kind": "goods", "sku": f"BP{(n + i) % 100}-{'SM'[i % 2]}", "quantity": 1,
                     "amount": str(Decimal(100 + i))} for i in range(LINES_PER_SALE - 1)
                ] + [{"kind": "custom", "title": "Alterations", "quantity": 1, "amount": "20.00"}]}

    def client_for(self, entity) -> Client:
        _key, secret = api_key_create(name=f"bench {time.time():.0f}", legal_entity=entity,
                                      scopes=sorted(ALL_SCOPES), rate_limit_per_minute=1_000_000)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    # --- read --------------------------------------------------------------------------

    def read(self, runs: int) -> dict:
        report = {"database": connection.settings_dict["NAME"]}
        with suppress(Rollback):
            with transaction.atomic():
                entity = (LegalEntity.objects.filter(customers__isnull=False).order_by("pk").first())
                if entity is None:
                    raise CommandError("no customers here: run read on atelier_bench")
                report["customers"] = Customer.objects.filter(legal_entity=entity).count()
                client = self.client_for(entity)

                def get(params):
                    response = client.get("/api/v1/customers/", params)
                    if response.status_code != 200:
                        raise CommandError(f"HTTP {response.status_code}: {response.content[:300]!r}")
                    return response.json()

                cursors = [None]
                for _ in range(runs):
                    cursors.append(get({"size": 100, **({"cursor": cursors[-1]} if cursors[-1] else {})})
                                   ["next_cursor"])
                scenarios = {
                    "first_page": lambda: get({"size": 100}),
                    "by_cursor": _cycle(lambda c: get({"size": 100, "cursor": c}), [c for c in cursors if c]),
                    "search_name": lambda: get({"size": 100, "q": "smith"}),
                    "sort_desc": lambda: get({"size": 100, "sort": "-customer"}),
                }
                for name, fn in scenarios.items():
                    timing = measure(fn, runs=runs)
                    report[f"{name}_p50_ms"] = round(timing["p50"], 1)
                    report[f"{name}_p95_ms"] = round(timing["p95"], 1)
                report["goal_p95_under_100ms"] = all(
                    value < 100 for key, value in report.items() if key.endswith("_p95_ms"))
                raise Rollback
        return report


def _cycle(fn, values):
    state = {"i": 0}

    def call():
        value = values[state["i"] % len(values)]
        state["i"] += 1
        return fn(value)
    return call


def _dumps(value) -> str:
    return json.dumps(value, default=str)
