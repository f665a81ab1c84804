"""`manage.py bench_today [--json] [--runs N]`: the associate's Today page at scale.

Run on PostgreSQL after `seed_demo --customers 1000000`. For each user it times
the whole view in-process (middleware, selectors, render) and reports p50/p95,
the number of queries and the slowest of them (replayed on their own).
"""

import json
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.timing import measure
from clienteling.selectors.today import today_for

USERS = ("manager.ny", "associate.ny1")


class Command(BaseCommand):
    help = "Benchmark the Today view (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON list.")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--user", action="append", default=[],
                            help="Time this user instead of the defaults (repeatable).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_today measures PostgreSQL; set DATABASE_URL.")
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        results = [self.run_user(username, options["runs"])
                   for username in options["user"] or USERS]
        if options["json"]:
            self.stdout.write(json.dumps(results))
            return
        for r in results:
            self.stdout.write(
                f"{r['user']:<16} view p50 {r['p50_ms']:7.1f} p95 {r['p95_ms']:7.1f} | "
                f"queries {r['queries']} | dates {r['dates']} recent {r['recent']} "
                f"tasks {r['tasks']}")
            for sql_ms, sql in r["slowest_sql"]:
                self.stdout.write(f"    {sql_ms:6.1f} ms  {sql[:110]}")

    def run_user(self, username: str, runs: int) -> dict:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        url = reverse("clienteling:today")
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{username}: view answered {response.status_code}")
        # The selector the view runs, for how many rows each section shows.
        context = today_for(user=user)

        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = [q["sql"] for q in captured.captured_queries]

        timings = measure(lambda: client.get(url), runs=runs)
        return {
            "user": username,
            "p50_ms": round(timings["p50"], 2), "p95_ms": round(timings["p95"], 2),
            "queries": len(queries),
            "dates": len(context["dates_coming"]), "recent": len(context["recent_customers"]),
            "tasks": len(context["tasks_due"]),
            "slowest_sql": self.slowest(queries),
        }

    def slowest(self, queries: list[str], shown: int = 3) -> list[tuple[float, str]]:
        # Each query replayed alone (best of 3), to say where the time goes.
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
