"""`manage.py bench_imports [--rows 100000] [--json]`: import_customers of a Shopify customers export.

Writes its own file: a Shopify customers export (current headers, a BOM, Windows line
ends) of `--rows` customers with the quirks real files have (phones with spaces, an
apostrophe or no country code, "yes"/"no" marketing consent, tags, addresses over
several columns, a few bad emails and phones), then runs the `import_customers` path
(streamed file -> batches of 1,000 -> customers_upsert) twice: the first creates every
customer, the second finds every one unchanged (the idempotent path). Reports the wall
time, rows per second, p50/p95 per batch of 1,000 and the process's peak memory
(ru_maxrss). Goal: the first run under 60 s with peak memory under 300 MB.

It writes, so it refuses `atelier_bench`. Make a fresh database first:
    createdb -h 127.0.0.1 -U postgres atelier_bench_imports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_bench_imports manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_bench_imports manage.py bench_imports
"""

import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.timing import percentile
from clienteling.models import LegalEntity, Store
from imports.services import file_import

HEADER = (
    "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,"
    "Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,"
    "Total Spent,Total Orders,Note,Tax Exempt,Tags"
)
FIRST = (
    "Ann",
    "Bob",
    "Cara",
    "Dan",
    "Eve",
    "Finn",
    "Gia",
    "Hugo",
    "Iris",
    "Jon",
    "Kim",
    "Léa",
    "Max",
    "Nora",
)
LAST = ("Lee", "Stone", "Martin", "O'Neil", "García", "Smith", "Nguyen", "Rossi", "Dupont", "Kowalski")
CITIES = (("New York", "NY", "10001"), ("Boston", "MA", "02101"), ("Chicago", "IL", "60601"))
TAGS = ("VIP", "Spring 2026", "Newsletter", "Wholesale", "")


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER + "\r\n")
        for n in range(rows):
            city, state, zip_code = CITIES[n % 3]
            local = f"{n % 1_000_000:06d}"
            phone = rng.choice(
                (
                    f"'+1 212 5{local[:2]} {local[2:]}",
                    f"(212) 5{local[:2]}-{local[2:]}",
                    f"212 5{local[:2]} {local[2:]}",
                    "",
                )
            )
            email = f"customer{n}@example.com" if n % 997 else "not-an-email"
            if n % 1009 == 0:
                phone = "12"
            tag = rng.choice(TAGS)
            out.write(
                f'{7_000_000 + n},{rng.choice(FIRST)},"{rng.choice(LAST)}",{email},'
                f"{rng.choice(('yes', 'no'))},,{n} Main St,Apt {n % 40},{city},{state},US,{zip_code},,"
                f'{phone},{rng.choice(("yes", "no", ""))},{n % 900}.00,{n % 7},,no,"{tag}"\r\n'
            )
            if n % 5000 == 4999:
                out.write("\r\n")  # an empty line now and then


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the customers (default: delete them after)."
        )

    def handle(self, *args, rows: int, as_json: bool, keep: bool, **options):
        name = connection.settings_dict["NAME"]
        if name == "atelier_bench":
            raise CommandError("bench_imports writes: use a fresh database (see --help), not atelier_bench.")
        # A legal entity of its own per run: the import starts from no customer, and nothing
        # is loaded to clear an earlier run (which would count in the peak memory).
        stamp = time.strftime("%Y%m%d%H%M%S")
        entity = LegalEntity.objects.create(
            code=f"bench-imports-{stamp}", name=f"Bench imports {stamp}", country="US"
        )
        store = Store.objects.create(
            code=f"bench-imports-{stamp}",
            legal_entity=entity,
            name="Bench NYC",
            country="US",
            timezone="America/New_York",
        )
        report = {"database": f"{connection.vendor} {name}", "rows": rows}
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "customers_export.csv"
            start = time.perf_counter()
            write_export(path, rows)
            report["file"] = {"bytes": path.stat().st_size, "write_s": round(time.perf_counter() - start, 2)}
            for run in ("first", "again"):
                report[run] = self.run(path, entity, store)
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        report["goal_met"] = report["first"]["seconds"] < 60 and report["peak_rss_mb"] < 300
        try:
            self.write(report, rows, as_json)
        finally:
            if not keep:
                self.clear(entity)

    def write(self, report: dict, rows: int, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(f"{report['database']}: {rows:,} rows, {report['file']['bytes'] / 1e6:.1f} MB file")
        for run in ("first", "again"):
            r = report[run]
            self.stdout.write(
                f"  {run:5}: {r['seconds']:.1f} s ({r['rows_per_s']:,.0f} rows/s; this process's CPU "
                f"{r['cpu_seconds']:.1f} s, load average {r['load_average']:.1f}), batch of 1,000 p50 "
                f"{r['batch_p50_ms']:.0f} ms p95 {r['batch_p95_ms']:.0f} ms; created {r['created']:,}, "
                f"unchanged {r['unchanged']:,}, rejected {r['rejected']:,}"
            )
        self.stdout.write(
            f"  peak memory (ru_maxrss): {report['peak_rss_mb']} MB; goal "
            f"(<60 s, <300 MB): {'met' if report['goal_met'] else 'NOT met'}"
        )

    def clear(self, entity) -> None:
        """Remove the run's rows with a few set-based deletes (no model instances loaded)."""
        customers = "SELECT id FROM clienteling_customer WHERE legal_entity_id = %s"
        with connection.cursor() as cursor:
            for table in (
                "clienteling_customertag",
                "clienteling_customerconsent",
                "clienteling_consentchange",
                "clienteling_customercontacthistory",
                "clienteling_auditevent",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE customer_id IN ({customers})", [entity.pk])
            cursor.execute("DELETE FROM clienteling_customer WHERE legal_entity_id = %s", [entity.pk])
        Store.objects.filter(legal_entity=entity).delete()
        entity.delete()

    def run(self, path: Path, entity, store) -> dict:
        marks = [time.perf_counter()]

        def progress(_done, _rows):
            marks.append(time.perf_counter())

        start, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            result = file_import(
                stream=handle,
                kind="customers",
                legal_entity=entity,
                store=store,
                source="bench_imports",
                progress=progress,
            )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        batches = [(b - a) * 1000 for a, b in zip(marks, marks[1:], strict=False)]
        return {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "load_average": round(os.getloadavg()[0], 1),
            "rows_per_s": round(result.rows_read / seconds),
            "batch_p50_ms": round(percentile(batches, 50), 1),
            "batch_p95_ms": round(percentile(batches, 95), 1),
            "created": result.result.created,
            "updated": result.result.updated,
            "unchanged": result.result.unchanged,
            "rejected": result.rejected_count,
        }
