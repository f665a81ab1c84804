"""`manage.py bench_insights [--json] [--runs N] [--user U] [--manager M]`: insights at scale.

Run on PostgreSQL after `seed_demo --customers 1000000` and `migrate insights`. It:

1. credits the month's sales of the associate's home store (insights' own table), timed;
2. builds today's feeds of that store (every associate whose home store it is), timed, and
   prints the build time per associate and the suggestions made;
3. times Today for the associate (by default the one with the largest book) and the store
   dashboard for the month for the manager, in-process (middleware, selectors, render):
   p50/p95 and the number of queries, with the slowest replayed alone.

It writes insights' tables only (feed runs, suggestions, credits, wishlist watches) and the
next best action columns of the measures of the store's book customers.
"""

import json
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.timing import measure
from clienteling.dates import store_today
from clienteling.models import ClientBookEntry, Sale, StaffProfile
from clienteling.selectors.today import today_sections_for
from insights import services
from insights.models import FeedRun, SaleCredit, Suggestion
from insights.selectors import period_bounds


class Command(BaseCommand):
    help = "Benchmark the insights feed build, Today with its cards and the store dashboard (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--user", help="The associate (default: the one with the largest book).")
        parser.add_argument("--manager",
                            help="The manager whose dashboard is timed (default: the store's).")
        parser.add_argument("--rebuild", action="store_true", help="Build today's feeds again.")
        parser.add_argument("--all-stores", action="store_true",
                            help="Also time today's build of every store's feeds (the morning beat's work).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_insights measures PostgreSQL; set DATABASE_URL.")
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        users = get_user_model().objects
        if options["user"]:
            associate = users.get(username=options["user"])
        else:
            biggest = (ClientBookEntry.objects.values("book__owner").annotate(n=Count("pk"))
                       .order_by("-n").first())
            if biggest is None:
                raise CommandError("No client books: seed the demo first.")
            associate = users.get(pk=biggest["book__owner"])
        store = StaffProfile.objects.select_related("home_store").get(user=associate).home_store
        manager = (users.get(username=options["manager"]) if options["manager"] else
                   users.filter(staff_profile__home_store=store,
                                staff_profile__role=StaffProfile.Role.STORE_MANAGER).order_by("pk").first())
        if manager is None:
            raise CommandError(f"{store.code} has no manager: name one with --manager.")
        today = store_today(store)
        book = ClientBookEntry.objects.filter(book__owner=associate).count()

        since, until = period_bounds(store, today.replace(day=1), today)
        month_sales = list(Sale.objects.filter(store=store, sold_at__gte=since, sold_at__lt=until)
                           .order_by("sold_at", "pk").values_list("pk", flat=True))
        started = time.perf_counter()
        for start in range(0, len(month_sales), 1000):
            services.sale_credits_assign(sale_ids=month_sales[start:start + 1000])
        credit_s = time.perf_counter() - started

        if options["rebuild"]:
            FeedRun.objects.filter(store=store, day=today).delete()
        started = time.perf_counter()
        run = services.action_feed_build(store=store, day=today, now=timezone.now())
        build_s = time.perf_counter() - started
        associates = StaffProfile.objects.filter(home_store=store, active=True).count()
        all_stores = None
        if options["all_stores"]:
            FeedRun.objects.filter(day__gte=today - timedelta(days=1)).delete()
            started = time.perf_counter()
            stores_built = services.action_feeds_build_due(now=timezone.now())
            all_stores = {"stores": stores_built, "seconds": round(time.perf_counter() - started, 2),
                          "associates": StaffProfile.objects.filter(active=True).count()}

        result = {
            "associate": associate.username, "book": book, "store": store.code,
            "month_sales": len(month_sales), "credits": SaleCredit.objects.filter(store=store).count(),
            "credit_s": round(credit_s, 2),
            "feed_built": run is not None, "feed_build_s": round(build_s, 2) if run else None,
            "associates": associates, "all_stores": all_stores,
            "suggestions": Suggestion.objects.filter(store=store, day=today).count(),
            "today": self.time_view(associate, reverse("clienteling:today"), options["runs"]),
            "sections": self.time_sections(associate, store, today, options["runs"]),
            "dashboard": self.time_view(manager, reverse("insights:dashboard") + f"?store={store.pk}",
                                        options["runs"]),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{store.code}: {len(month_sales):,} sales this month credited in {credit_s:.1f}s; "
            f"feed for {associates} associates "
            + (f"built in {build_s:.2f}s ({build_s / max(associates, 1):.2f}s each)" if run
               else "already built")
            + f", {result['suggestions']} suggestions")
        if all_stores:
            self.stdout.write(f"every store: {all_stores['stores']} stores' feeds "
                              f"({all_stores['associates']} staff) built in {all_stores['seconds']:.2f}s")
        for name in ("today", "sections", "dashboard"):
            r = result[name]
            who = manager.username if name == "dashboard" else associate.username
            extra = {"today": f" (book of {book:,})", "sections": " (insights' cards and goals on Today)",
                     "dashboard": " (this month)"}[name]
            self.stdout.write(f"{name:<10} {who}{extra}: p50 {r['p50_ms']:.1f} ms p95 {r['p95_ms']:.1f} ms | "
                              f"queries {r['queries']}")
            for sql_ms, sql in r["slowest_sql"]:
                self.stdout.write(f"    {sql_ms:6.1f} ms  {sql[:110]}")

    def time_sections(self, user, store, today, runs: int) -> dict:
        """What insights adds to Today alone: its two sections' data and markup."""
        def sections():
            return "".join(render_to_string(section["template"], {"data": section["data"]})
                           for section in today_sections_for(user=user, store=store, today=today))

        with CaptureQueriesContext(connection) as captured:
            sections()
        timings = measure(sections, runs=runs)
        return {"p50_ms": round(timings["p50"], 2), "p95_ms": round(timings["p95"], 2),
                "queries": len(captured.captured_queries), "slowest_sql": []}

    def time_view(self, user, url: str, runs: int) -> dict:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{user.username}: {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = [q["sql"] for q in captured.captured_queries]
        timings = measure(lambda: client.get(url), runs=runs)
        return {"p50_ms": round(timings["p50"], 2), "p95_ms": round(timings["p95"], 2),
                "queries": len(queries), "slowest_sql": self.slowest(queries)}

    def slowest(self, queries: list[str], shown: int = 3) -> list[tuple[float, str]]:
        timed = []
        with connection.cursor() as cursor:
            for sql in queries:
                if not sql.lstrip("( ").upper().startswith("SELECT"):
                    continue
                best = float("inf")
                for _ in range(3):
                    start = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    best = min(best, (time.perf_counter() - start) * 1000)
                timed.append((round(best, 2), sql))
        return sorted(timed, reverse=True)[:shown]
