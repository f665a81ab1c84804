"""`manage.py seed_demo`: a deterministic demo company, from 2,000 to 1,000,000 customers.

It lives in the demo app, at the top of the dependency stack, because it fills every
app's tables; the seeding itself is split by the app it seeds (demo/<app>.py).

Reference data (legal entities, stores, staff, catalog, attributes, tags,
templates ...) is upserted by natural key on every run. Customers are
generated in chunks, each chunk one transaction holding the customers and all
their rows, so memory stays flat and an interrupted run resumes where it
stopped. Customer n of seed s is always the same person (external id
DEMO-s-n): its random stream is seeded by (s, n) and dates are anchored on the
run's day in each store's time zone.

PostgreSQL is filled with binary COPY; other databases with executemany
INSERTs prepared by the model fields. Both write ids reserved up front, so dependent
rows need no round trip to learn them.
"""

import time
from collections import defaultdict
from datetime import datetime

import phonenumbers
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from catalog.links import public_url
from clienteling import services
from clienteling.dates import store_today
from clienteling.measures.model import NotEnoughHistory
from clienteling.models import (
    ActivityType,
    ClientBook,
    Customer,
    CustomerMeasures,
    MeasuresModel,
    Sale,
    SaleLine,
    Store,
)
from clienteling.services import sales as sales_services
from demo.appointments import seed_appointments
from demo.carts import seed_carts
from demo.catalog import seed_catalog
from demo.clienteling import (
    MAX_INDEX,
    TABLES,
    CustomerGenerator,
    Reference,
    StoreContext,
    seed_customer_configuration,
    seed_org,
    seed_staff,
)
from demo.conversations import seed_conversations, seed_messaging
from demo.data import clienteling as clienteling_data
from demo.insights import seed_insights
from demo.writer import BulkWriter, Progress

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
# Up to this many customers, the seed fits the measures model and scores everyone.
DEMO_SCORED_CUSTOMERS = 50_000
DEFAULT_CHUNK = 5000


def seed_reference(*, now: datetime) -> tuple[Reference, list[str]]:
    with transaction.atomic():
        stores = seed_org()
        users, kept_passwords = seed_staff(stores=stores)
        products = seed_catalog(stores=stores)
        attributes, options, tags, mailing_lists = seed_customer_configuration(stores=stores)
        seed_messaging(stores=stores)
        seed_carts(stores=stores)

    contexts = []
    for spec in clienteling_data.STORES:
        store = stores[spec["code"]]
        contexts.append(StoreContext(
            id=store.pk, code=store.code, name=store.name, legal_entity_id=store.legal_entity_id,
            currency=store.currency, country=store.country, tz=store.tzinfo,
            today=store_today(store, now),
            manager_id=users.get(f"manager.{store.code}"),
            associate_ids=[users[staff[0]] for staff in clienteling_data.STAFF
                           if staff[0].startswith(f"associate.{store.code}")],
        ))
    for context in contexts:
        context.siblings = [other for other in contexts
                            if other.legal_entity_id == context.legal_entity_id]
    books = {
        (owner, entity): pk for pk, owner, entity in ClientBook.objects.values_list(
            "pk", "owner_id", "legal_entity_id")
    }
    by_designer = defaultdict(list)
    for product in products:
        by_designer[product.designer_id].append(product)
    reference = Reference(
        stores=contexts, users=users, books=books, products=products,
        products_by_designer=dict(by_designer), attributes=attributes, options=options,
        tags=tags, mailing_lists=mailing_lists,
        activity_types=dict(ActivityType.objects.values_list("slug", "pk")),
    )
    return reference, kept_passwords


# --- The command ----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Seed a demo company: 2 legal entities, 3 stores, 12 staff (password "
        f"'{clienteling_data.DEMO_PASSWORD}'), a catalog, attributes, templates, and N customers with three "
        "years of purchase history. Deterministic for a given --seed and day. Idempotent: "
        "reference data is upserted; customers DEMO-<seed>-0 .. N-1 that already exist are "
        "kept, so a second run adds nothing and a larger --customers tops up the missing ones "
        "(a smaller one never deletes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS,
                            help=f"How many demo customers (default {DEFAULT_CUSTOMERS}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK,
                            help="Customers per transaction (default %(default)s).")

    def handle(self, *args, **options):
        total, seed, chunk = options["customers"], options["seed"], options["chunk_size"]
        if not 0 <= total < MAX_INDEX:
            raise CommandError(f"--customers must be between 0 and {MAX_INDEX - 1:,}.")
        if not 0 <= seed < 2**40:
            raise CommandError("--seed must be a non-negative integer below 2**40.")
        if chunk < 1:
            raise CommandError("--chunk-size must be positive.")
        self._check_phone_formats()
        writer = BulkWriter([model for _name, model, _columns in TABLES])
        for _name, model, columns in TABLES:
            writer.check_columns(model, columns)

        started = time.monotonic()
        now = timezone.now().replace(microsecond=0)
        self.stdout.write("Seeding reference data (org, staff, catalog, configuration) ...")
        reference, kept_passwords = seed_reference(now=now)
        self.stdout.write(f"  done in {time.monotonic() - started:.1f}s")

        prefix = f"DEMO-{seed}-"
        existing = Customer.objects.filter(external_id__startswith=prefix).count()
        if existing and not Customer.objects.filter(external_id=f"{prefix}{existing - 1}").exists():
            raise CommandError(
                f"Demo customers {prefix}* are not numbered 0..{existing - 1} (some were "
                "deleted?). Use another --seed or start from an empty database."
            )
        if total == 0:
            self.stdout.write("No customers requested (--customers 0).")
        elif existing >= total:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data already present: {existing:,} customers for seed {seed}; "
                "nothing to add."
            ))
        else:
            if existing:
                self.stdout.write(f"{existing:,} demo customers present; adding "
                                  f"{total - existing:,}.")
            self.seed_customers(reference, writer, seed=seed, start=existing, stop=total,
                                chunk=chunk, now=now)
        self.score_measures(total)
        threads = seed_conversations(
            stores=list(Store.objects.filter(pk__in=[c.id for c in reference.stores])),
            associates={c.id: c.associate_ids for c in reference.stores})
        if threads:
            self.stdout.write(f"  {threads} demo conversations started.")
        self.stdout.write("  Appointments: {types} types, {appointments} appointments.".format(
            **seed_appointments(stores=list(Store.objects.filter(pk__in=[c.id for c in reference.stores])))))
        # After appointments: tomorrow's appointments make cards, held ones earn credit.
        insights = seed_insights(stores=list(Store.objects.filter(pk__in=[c.id for c in reference.stores])))
        self.stdout.write("  Insights: {goals} goals, {credits} sales credited, {suggestions} suggestions."
                          .format(**insights))
        self.stdout.write(self.style.SUCCESS(
            f"Finished in {time.monotonic() - started:.1f}s."
        ))
        self.print_logins(kept_passwords)

    def score_measures(self, total: int) -> None:
        """A demo-sized book is scored at once (churn, spend, segments on cards and lists).

        At scale data sizes the nightly fit and refresh do it (`fit_measures`, then
        `refresh_measures`): scoring inside the seed would slow a million customers by a third.
        """
        if total > DEMO_SCORED_CUSTOMERS or MeasuresModel.objects.exists():
            return
        started = time.monotonic()
        try:
            fitted = sales_services.customer_measures_fit()
        except NotEnoughHistory as error:
            self.stdout.write(f"  Measures not scored: {error}")
            return
        scored = sales_services.customer_measures_refresh_all()
        self.stdout.write(f"  Measures: model fitted (churn AUC {fitted.quality['churn_auc']}), "
                          f"{scored:,} customers scored in {time.monotonic() - started:.1f}s.")

    def seed_customers(self, reference: Reference, writer: BulkWriter, *, seed: int, start: int,
                       stop: int, chunk: int, now: datetime) -> None:
        generator = CustomerGenerator(reference=reference, seed=seed, now=now,
                                      created_by=reference.users["admin"])
        progress = Progress(self.stdout, stop - start, "Customers")
        anchor = timezone.localdate(now)
        analyze_at = 1
        for number, chunk_start in enumerate(range(start, stop, chunk), start=1):
            chunk_stop = min(chunk_start + chunk, stop)
            with transaction.atomic():
                writer.begin_chunk()
                ids = writer.reserve_ids(Customer, chunk_stop - chunk_start)

                def customer_id_of(n: int, legal_entity_id: int, ids=ids,
                                   chunk_start=chunk_start) -> int | None:
                    if n >= chunk_start:
                        return ids[n - chunk_start]
                    return Customer.objects.filter(  # the previous chunk's last customer
                        legal_entity_id=legal_entity_id, external_id=f"DEMO-{seed}-{n}"
                    ).values_list("pk", flat=True).first()

                generator.reset()
                for offset, n in enumerate(range(chunk_start, chunk_stop)):
                    generator.add_customer(n, ids[offset], customer_id_of)
                rows = generator.rows
                sale_ids = writer.reserve_ids(Sale, len(rows["sales"]))
                rows["sales"] = [(sale_ids[i], *row) for i, row in enumerate(rows["sales"])]
                rows["sale_lines"] = [(sale_ids[row[0]], *row[1:]) for row in rows["sale_lines"]]
                for name, model, columns in TABLES:
                    writer.insert(model, columns, rows[name])
                    rows[name] = []  # let the chunk's rows go as soon as they are written
                # Windows only: `fit_measures` then `refresh_measures` score (docs/insights-measures.md).
                services.customer_measures_refresh(customer_ids=ids, today=anchor, scores=False)
            if number == analyze_at:  # after 1, 4, 16 ... chunks: plans stay right, cheaply
                writer.analyze([SaleLine])
                analyze_at *= 4
            reset_queries()  # DEBUG keeps every query; a million customers would not fit
            progress.advance(chunk_stop - chunk_start)
        progress.close()
        # Fresh statistics and visibility maps for every table written, or the first list
        # queries plan for an empty table (autovacuum may not have run yet).
        writer.analyze([model for _name, model, _columns in TABLES] + [CustomerMeasures],
                       vacuum=True)

    def _check_phone_formats(self) -> None:
        """Our hand-made number ranges must stay valid as phonenumbers' metadata evolves."""
        samples = [spec["clienteling_phone"] for spec in clienteling_data.STORES]
        samples += [f"+1{area}2345678" for areas in clienteling_data.US_AREA_CODES.values() for area in areas]
        samples += [f"+33{prefix}1234567"
                    for prefix in clienteling_data.FR_MOBILE_PREFIXES + clienteling_data.FR_LANDLINE_PREFIXES]
        invalid = [number for number in samples
                   if not phonenumbers.is_valid_number(phonenumbers.parse(number))]
        if invalid:
            raise CommandError(f"Demo phone ranges no longer valid: {', '.join(invalid)}")

    def print_logins(self, kept_passwords: list[str]) -> None:
        write = self.stdout.write
        write("")
        write(self.style.MIGRATE_HEADING(f"Console: {public_url('/')}"))
        write(f"Demo logins (password: {clienteling_data.DEMO_PASSWORD}):")
        labels = {"company_admin": "Company Admin", "store_manager": "Store Manager",
                  "associate": "Associate"}
        for role, label in labels.items():
            names = [username for username, _f, _l, staff_role, *_ in clienteling_data.STAFF
                     if staff_role == role]
            write(f"  {label + ':':15} {', '.join(names)}")
        if kept_passwords:
            write(f"  (existing accounts kept their password: {', '.join(kept_passwords)})")
