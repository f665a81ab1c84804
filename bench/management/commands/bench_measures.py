"""`manage.py bench_measures [--fit] [--limit N] [--sales 200] [--skip-full]`: customer measures at scale.

Run on atelier_bench (1,000,000 customers) after `manage.py migrate clienteling 0023`:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 DJANGO_SETTINGS_MODULE=config.settings.local \\
    manage.py bench_measures --fit

--fit: fit the churn and spend models first (timed; quality printed next to the baselines).
Full refresh: every customer's windows, rhythm, RFM, preferences and scores, in keyset
  chunks (`refresh_measures`' path), with wall time and peak memory (the process's peak
  RSS before and after, and tracemalloc's peak of Python allocations in one chunk).
  Goal: under 10 minutes for 1,000,000 customers, memory bounded by the chunk.
Incremental: a sale recorded for each of `--sales` customers with history, inside a
  transaction rolled back afterwards (nothing is kept), p50/p95 of `sale_record` (insert
  and rescoring) and of the rescoring alone. Goal: under 50 ms.
"""

import resource
import time
import tracemalloc
from contextlib import suppress
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from bench.timing import percentile
from clienteling.measures import model as measure_model
from clienteling.models import Customer, CustomerMeasures
from clienteling.services import sales


class Rollback(Exception):
    """Raised inside a timed transaction so that nothing the benchmark wrote stays."""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    """The resident size now (the peak above only ever grows): a plateau shows memory is bounded."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--fit", action="store_true")
        parser.add_argument("--limit", type=int, default=0, help="refresh only the first N customers")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--sales", dest="sale_count", type=int, default=200)
        parser.add_argument("--skip-full", action="store_true")

    def handle(self, *args, fit, limit, chunk_size, sale_count, skip_full, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Run it on PostgreSQL (atelier_bench).")
        # As in production: with DEBUG the connection keeps its last 9,000 queries' SQL (bulk
        # updates of thousands of rows each), which reads as memory growing with the customers.
        settings.DEBUG = False
        total = Customer.objects.count()
        self.stdout.write(f"customers                        {total:,}")
        if fit:
            started = time.monotonic()
            saved = sales.customer_measures_fit()
            self.stdout.write(f"fit                              {time.monotonic() - started:.1f} s "
                              f"({saved.training_rows:,} customers read)")
            for key, value in saved.quality.items():
                if key != "rfm_edges":
                    self.stdout.write(f"  {key:31}{value}")
        if measure_model.latest() is None:
            self.stdout.write("no fitted model: churn and spend are not scored (use --fit)")
        if not skip_full:
            self.full(limit=limit, chunk_size=chunk_size, total=total)
        self.incremental(sale_count)

    def full(self, *, limit: int, chunk_size: int, total: int) -> None:
        rss_before = _rss_mb()
        after, done, chunks, peak_python = 0, 0, 0, 0
        started = time.monotonic()
        while not limit or done < limit:
            size = min(chunk_size, limit - done) if limit else chunk_size
            ids = list(Customer.objects.filter(pk__gt=after).order_by("pk")
                       .values_list("pk", flat=True)[:size])
            if not ids:
                break
            after = ids[-1]
            if chunks == 1:  # traced once: tracemalloc slows every allocation down
                tracemalloc.start()
            done += sales.customer_measures_refresh(customer_ids=ids)
            if chunks == 1:
                peak_python = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            chunks += 1
            if chunks % 20 == 0:
                rate = done / (time.monotonic() - started)
                self.stdout.write(f"  {done:,} refreshed, {rate:,.0f}/s, "
                                  f"ETA {(total - done) / rate / 60 if not limit else 0:.1f} min, "
                                  f"RSS now {_current_rss_mb():.0f} MB")
        elapsed = time.monotonic() - started
        million = 1e6 / done * elapsed / 60
        self.stdout.write(f"full refresh                     {done:,} customers in {elapsed:.1f} s "
                          f"({done / elapsed:,.0f}/s; 1,000,000 at this rate: {million:.1f} min)")
        self.stdout.write(f"peak RSS                         {rss_before:.0f} MB before, "
                          f"{_rss_mb():.0f} MB after")
        self.stdout.write(f"peak Python allocations, chunk 2 {peak_python / 2**20:.1f} MB (tracemalloc)")

    def incremental(self, count: int) -> None:
        customers = list(Customer.objects.filter(measures__orders_count__gte=2)
                         .select_related("home_store").order_by("pk")[:count])
        if not customers:
            self.stdout.write("incremental                      no customer with two orders")
            return
        whole, rescore = [], []
        for customer in customers:
            store = customer.home_store
            if store is None:
                continue
            with suppress(Rollback):
                with transaction.atomic():
                    started = time.perf_counter()
                    sales.sale_record(customer=customer, store=store, salesperson=None,
                                      sold_at=timezone.now() - timedelta(minutes=5),
                                      lines=[{"title": "Bench scarf", "amount": Decimal("250.00")}])
                    middle = time.perf_counter()
                    sales.customer_measures_refresh(customer_ids=[customer.pk], default_tz=store.tzinfo)
                    ended = time.perf_counter()
                    whole.append((middle - started) * 1000)
                    rescore.append((ended - middle) * 1000)
                    raise Rollback
        # Nothing of the sales stays; the measures rows were rolled back with them.
        recent = timezone.now() - timedelta(minutes=6)
        kept = CustomerMeasures.objects.filter(customer__in=customers, last_purchase_at__gte=recent)
        assert not kept.exists()
        for label, samples in (("sale_record (insert + rescore)", whole), ("rescore alone", rescore)):
            self.stdout.write(f"{label:32} p50 {percentile(samples, 50):.1f} ms  "
                              f"p95 {percentile(samples, 95):.1f} ms  ({len(samples)} sales)")
