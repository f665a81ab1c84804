"""`manage.py bench_carts [--json]`: remote carts and catalog search at scale, on PostgreSQL.

Run on a scratch database (it writes a 200,000-product catalog and 100,000 carts):

    psql -h 127.0.0.1 -U postgres -c "create database atelier_carts"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/atelier_carts
    python manage.py migrate && python manage.py bench_carts

It measures, in-process through the real views (middleware, selectors, render):

- the customer's cart page (/c/<token>/, no login) for a shared 5-line cart: p95 < 100 ms;
- product search as the associate types or scans (/carts/<id>/products/?q=...):
  words, a typo, exact SKU, barcode and UPC, on 200,000 products: p95 < 100 ms;
- the midnight sweep expiring 100,000 saved (shared) carts over 10 stores in 6 time
  zones: < 30 s.

Data is generated once with COPY (products, variants, stock) and re-used by later
runs; the 100,000 carts are made before and deleted after each run.
"""

import json
import random
import secrets
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from bench.timing import measure, percentile
from carts import selectors as cart_selectors
from carts import services as cart_services
from carts.models import Cart, DiscountLimit, PaymentLink, StoreCartSettings
from catalog.models import (
    Category,
    Designer,
    ItemType,
    Product,
    ProductVariant,
    StockLocation,
    product_search_text,
)
from catalog.selectors import product_search
from clienteling import services as clienteling_services
from clienteling.dates import next_store_midnight
from clienteling.models import Customer, LegalEntity, StaffProfile, Store
from demo.data import catalog as data

PREFIX = "BX"
STORES = [("America/New_York", "USD"), ("America/Los_Angeles", "USD"), ("America/Chicago", "USD"),
          ("Europe/Paris", "USD"), ("Europe/London", "USD"), ("Asia/Tokyo", "USD"),
          ("America/New_York", "USD"), ("Europe/Paris", "USD"), ("America/Los_Angeles", "USD"),
          ("Asia/Tokyo", "USD")]
SYLLABLES = ["al", "be", "ca", "do", "el", "fi", "ga", "ho", "is", "ju", "ka", "lo", "ma", "ne",
             "ol", "pa", "ri", "sa", "te", "vi", "za", "mo", "ra", "li"]


def _model_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _ean13(number: int, prefix: str = "3") -> str:
    body = f"{prefix}{number:011d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


class Command(BaseCommand):
    help = "Benchmark the customer cart page, product search and the midnight cart sweep (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON list.")
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--products", type=int, default=200_000)
        parser.add_argument("--carts", type=int, default=100_000)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_carts measures PostgreSQL; set DATABASE_URL to a scratch database.")
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.quiet = options["json"]
        self.rng = random.Random(20261123)
        started = time.perf_counter()
        world = self.world(customers=max(1, options["carts"] // len(STORES)) + 1)
        self.catalog(options["products"], world["stores"][0])
        self.say(f"data ready in {time.perf_counter() - started:.1f} s")
        results = [
            *self.bench_customer_page(world, options["runs"]),
            *self.bench_search(world, options["runs"]),
            self.bench_expiry(world, options["carts"]),
        ]
        if options["json"]:
            self.stdout.write(json.dumps(results))
        else:
            for r in results:
                self.stdout.write(f"{r['name']:<52} {r['value']:>10} {r['unit']:<4} goal {r['goal']}")

    def say(self, text: str) -> None:
        if not self.quiet:
            self.stderr.write(text)

    # --- data -------------------------------------------------------------------------------

    def world(self, *, customers: int) -> dict:
        entity, _ = LegalEntity.objects.get_or_create(code="bench-carts",
                                                      defaults={"name": "Bench Carts", "country": "US"})
        stores = []
        for i, (tz, currency) in enumerate(STORES):
            store, _ = Store.objects.update_or_create(
                code=f"bench-carts-{i}", defaults={"legal_entity": entity, "name": f"Bench {i}",
                                                   "timezone": tz, "currency": currency, "country": "US"})
            clienteling_services.store_ensure_stock_location(store=store)
            stores.append(store)
        warehouse, _ = StockLocation.objects.get_or_create(
            code="bench-carts-wh", defaults={"name": "Bench warehouse", "ships_to_customers": True,
                                            "kind": StockLocation.Kind.WAREHOUSE})
        for store in stores:
            StoreCartSettings.objects.update_or_create(store=store, defaults={
                "tax_rate": Decimal("8.875"), "mixed_cart_enabled": True, "ship_from": warehouse})
        DiscountLimit.objects.get_or_create(role=StaffProfile.Role.ASSOCIATE,
                                            defaults={"max_percent": Decimal(10)})
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="bench.carts", defaults={"first_name": "Bench"})
        profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={
            "legal_entity": entity, "role": StaffProfile.Role.ASSOCIATE, "home_store": stores[0],
            "active": True})
        profile.stores.set(stores)
        clienteling_services.staff_sync_access(profile=profile)
        have = Customer.objects.filter(legal_entity=entity).count()
        if have < customers:
            Customer.objects.bulk_create(
                [Customer(legal_entity=entity, external_id=f"{PREFIX}-C{n}", first_name="Bench",
                          last_name=f"Customer {n}", currency="USD") for n in range(have, customers)],
                batch_size=5000)
        ids = list(Customer.objects.filter(legal_entity=entity).order_by("pk")
                   .values_list("pk", flat=True)[:customers])
        return {"entity": entity, "stores": stores, "warehouse": warehouse,
                "user": User.objects.get(pk=user.pk), "customers": ids}

    def catalog(self, count: int, store: Store) -> None:
        have = Product.objects.filter(sku__startswith=f"{PREFIX}-").count()
        if have >= count:
            return
        self.say(f"generating {count - have:,} products with COPY ...")
        designers = [Designer.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                     for name in data.DESIGNERS]
        categories = {name: Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                      for name in data.CATEGORIES}
        types = [(ItemType.objects.get_or_create(slug=slugify(spec[0]), defaults={"name": spec[0]})[0],
                  categories[spec[1]], spec[2], spec[3]) for spec in data.ITEM_TYPES]
        now = timezone.now()
        rng = random.Random(have)
        products, sizes_of = [], {}
        for n in range(have, count):
            item_type, category, (low, high), sizes = rng.choice(types)
            designer = designers[n % len(designers)]
            adjective, colour = rng.choice(data.PRODUCT_ADJECTIVES), rng.choice(data.COLOURS)
            title = f"{adjective} {item_type.name} {_model_name(rng)} in {colour}"
            sku = f"{PREFIX}-{n:07d}"
            price = Decimal(rng.randrange(low, high + 1))
            text = product_search_text(title, designer.name, category.name, item_type.name, sku)
            products.append((sku, _ean13(n * 10), title, designer.pk, category.pk, item_type.pk, price,
                             "USD", "", "", True, now, now, text))
            sizes_of[sku] = (sizes[:2] or [""], colour)
        with transaction.atomic(), connection.cursor() as cursor:
            self.copy(cursor, "catalog_product",
                      ("sku", "barcode", "title", "designer_id", "category_id", "item_type_id", "price",
                       "currency", "image_url", "description", "active", "created_at", "updated_at",
                       "search_text"), products)
            ids = dict(Product.objects.filter(sku__startswith=f"{PREFIX}-")
                       .values_list("sku", "pk"))
            variants = []
            for sku, (sizes, colour) in sizes_of.items():
                for position, size in enumerate(sizes):
                    number = int(sku[len(PREFIX) + 1:]) * 10 + position + 1
                    variants.append((ids[sku], f"{sku}-{size or 'OS'}", _ean13(number), size, colour,
                                     True, position))
            self.copy(cursor, "catalog_productvariant",
                      ("product_id", "sku", "barcode", "size", "colour", "active", "position"), variants)
            location = store.stock_location_id
            stock = [(location, pk, rng.randint(0, 6), 0, now) for pk in ProductVariant.objects.filter(
                sku__startswith=f"{PREFIX}-").values_list("pk", flat=True).iterator(chunk_size=20000)]
            self.copy(cursor, "catalog_stocklevel",
                      ("location_id", "variant_id", "on_hand", "reserved", "updated_at"), stock)
        with connection.cursor() as cursor:
            for table in ("catalog_product", "catalog_productvariant", "catalog_stocklevel"):
                cursor.execute(f"ANALYZE {table}")

    @staticmethod
    def copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    # --- the customer's cart page ------------------------------------------------------------

    def bench_customer_page(self, world: dict, runs: int) -> list[dict]:
        store, user = world["stores"][0], world["user"]
        customer = Customer.objects.get(pk=world["customers"][0])
        Cart.objects.filter(customer=customer, store=store, status=Cart.Status.OPEN).update(
            status=Cart.Status.CLEARED)
        cart = cart_services.cart_open(customer=customer, store=store, user=user)
        variants = list(ProductVariant.objects.filter(
            sku__startswith=f"{PREFIX}-", stock_levels__on_hand__gte=2,
            stock_levels__location=store.stock_location)[:5])
        for variant in variants:
            cart_services.cart_line_add(cart=cart, variant=variant, user=user)
        cart_services.cart_discount_set(cart=cart, user=user, kind="percent", value="5")
        cart.refresh_from_db()
        # Shared: what cart_share leaves behind (its message and provider call are not timed here).
        settings = cart_selectors.cart_settings(store)
        PaymentLink.objects.create(cart=cart, cart_version=cart.version, provider="demo",
                                   reference=f"{PREFIX}-{cart.pk}-{secrets.token_hex(3)}",
                                   url="https://pay.example/bench", amount=cart.total,
                                   currency=cart.currency, expires_at=cart.expires_at,
                                   tax_rate=settings.tax_rate,
                                   prices_include_tax=settings.prices_include_tax)
        Cart.objects.filter(pk=cart.pk).update(shared_at=timezone.now())
        client = Client()
        url = reverse("carts_public:cart", args=[cart.token])
        response = client.get(url)
        assert response.status_code == 200 and b"data-pay" in response.content, response.status_code
        stats = measure(lambda: client.get(url), runs=runs, warmup=10)
        self.world_cart = cart
        return [
            {"name": "customer cart page p95 (5 lines, shared)", "value": round(stats["p95"], 1),
             "unit": "ms", "goal": "< 100"},
            {"name": "customer cart page p50", "value": round(stats["p50"], 1), "unit": "ms", "goal": ""},
        ]

    # --- product search ---------------------------------------------------------------------

    def search_queries(self) -> list[str]:
        products = Product.objects.filter(sku__startswith=f"{PREFIX}-")
        total = products.count()
        picks = [products.order_by("pk")[self.rng.randrange(total)] for _ in range(3)]
        variant = ProductVariant.objects.filter(product=picks[1]).first()
        # A scanner reading a UPC-A gives 12 digits for an EAN-13 stored with its leading 0.
        upc_product = picks[2]
        if not upc_product.barcode.startswith("0"):
            upc_product.barcode = _ean13(upc_product.pk, prefix="0")
            Product.objects.filter(pk=upc_product.pk).update(barcode=upc_product.barcode)
        return [
            "cashmere coat", "silk scarf", "noemie duval", "black tote", "leather sneakers",
            "velvet", "gold-tone necklace", "merino knitwear navy", "heritage watch",
            "cashmre coat", "riviera", "quilted blazer in ivory", "candle",
            picks[0].sku, picks[0].sku.lower(), variant.barcode, upc_product.barcode[1:],
            picks[0].title,
        ]

    def bench_search(self, world: dict, runs: int) -> list[dict]:
        cart = self.world_cart
        client = Client()
        client.force_login(world["user"])
        queries = self.search_queries()
        url = reverse("carts:product_results", args=[cart.pk])
        found = {q: len(product_search(query=q)) for q in queries}
        empty = [q for q, n in found.items() if not n]
        if empty:
            self.say(f"queries without results: {empty}")
        view_samples, selector_samples = [], []
        per_query = max(3, runs // len(queries))
        for query in queries:
            view_samples += measure(lambda q=query: client.get(url, {"q": q}, HTTP_HX_REQUEST="true"),
                                    runs=per_query, warmup=2)["samples"]
            selector_samples += measure(lambda q=query: product_search(query=q), runs=per_query,
                                        warmup=1)["samples"]
        products = Product.objects.filter(sku__startswith=f"{PREFIX}-").count()
        return [
            {"name": f"product search p95, view ({products:,} products, {len(queries)} queries)",
             "value": round(percentile(view_samples, 95), 1), "unit": "ms", "goal": "< 100"},
            {"name": "product search p50, view", "value": round(percentile(view_samples, 50), 1),
             "unit": "ms", "goal": ""},
            {"name": "product search p95, selector only",
             "value": round(percentile(selector_samples, 95), 1), "unit": "ms", "goal": ""},
        ]

    # --- the midnight sweep -------------------------------------------------------------------

    def bench_expiry(self, world: dict, count: int) -> dict:
        now = timezone.now()
        stores, user = world["stores"], world["user"]
        customers = world["customers"][1:]
        variant_id = ProductVariant.objects.filter(sku__startswith=f"{PREFIX}-").values_list(
            "pk", flat=True).first()
        Cart.objects.filter(store__in=stores, status=Cart.Status.OPEN).exclude(
            pk=self.world_cart.pk).update(status=Cart.Status.CLEARED)
        self.say(f"generating {count:,} saved carts with COPY ...")
        rows, made = [], 0
        for store in stores:
            # The midnight that passed last night in this store's zone.
            midnight = next_store_midnight(store, now - timedelta(days=1))
            for customer_id in customers:
                if made == count:
                    break
                rows.append((customer_id, store.pk, user.pk, "open", 1, secrets.token_urlsafe(32), "USD", "",
                             Decimal(0), Decimal("350.00"), Decimal(0), Decimal(0), Decimal("31.06"),
                             Decimal("381.06"), now - timedelta(hours=5), midnight, now - timedelta(hours=6),
                             now - timedelta(hours=5), "", "", "", "", "", "", "", ""))
                made += 1
        columns = ("customer_id", "store_id", "associate_id", "status", "version", "token", "currency",
                   "discount_kind", "discount_value", "subtotal", "discount_total", "shipping_total",
                   "tax_total", "total", "shared_at", "expires_at", "created_at", "updated_at",
                   "delivery_name", "delivery_line1", "delivery_line2", "delivery_city", "delivery_state",
                   "delivery_zip", "delivery_country", "flag_reason")
        with transaction.atomic(), connection.cursor() as cursor:
            self.copy(cursor, "carts_cart", columns, rows)
            cart_ids = list(Cart.objects.filter(store__in=stores, status=Cart.Status.OPEN,
                                                expires_at__lte=now).values_list("pk", "expires_at"))
            self.copy(cursor, "carts_cartline",
                      ("cart_id", "variant_id", "title", "quantity", "unit_price", "fulfilment",
                       "discount_kind", "discount_value", "line_total", "position"),
                      ((pk, variant_id, "Bench scarf", 1, Decimal("350.00"), "in_store", "", Decimal(0),
                        Decimal("350.00"), 1) for pk, _ in cart_ids))
            self.copy(cursor, "carts_paymentlink",
                      ("cart_id", "cart_version", "provider", "reference", "provider_link_id", "url",
                       "amount", "currency", "status", "expires_at", "idempotency_key", "created_at",
                       "failure_reason", "tax_rate", "prices_include_tax", "shipping_price",
                       "shipping_name"),
                      ((pk, 1, "demo", f"{PREFIX}-E{pk}", "", "https://pay.example/x", Decimal("381.06"),
                        "USD", "active", expires, uuid.uuid4(), now, "", Decimal("8.875"), False,
                        Decimal(0), "") for pk, expires in cart_ids))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE carts_cart")
            cursor.execute("ANALYZE carts_paymentlink")
        started = time.perf_counter()
        expired = cart_services.carts_expire_due(now=now)
        seconds = time.perf_counter() - started
        still_open = Cart.objects.filter(pk__in=[pk for pk, _ in cart_ids], status=Cart.Status.OPEN).count()
        active = PaymentLink.objects.filter(cart_id__in=[pk for pk, _ in cart_ids[:1000]],
                                            status=PaymentLink.Status.ACTIVE).count()
        self.say(f"expired {expired:,} carts ({still_open} left open, {active} active links in a sample)")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM carts_paymentlink WHERE reference LIKE %s", [f"{PREFIX}-E%"])
            cursor.execute("DELETE FROM carts_cartline WHERE cart_id IN (SELECT id FROM carts_cart "
                           "WHERE store_id = ANY(%s) AND status = 'expired')", [[s.pk for s in stores]])
            cursor.execute("DELETE FROM carts_cart WHERE store_id = ANY(%s) AND status = 'expired'",
                           [[s.pk for s in stores]])
        if expired != len(cart_ids) or still_open:
            raise CommandError(f"the sweep expired {expired} of {len(cart_ids)} carts")
        return {"name": f"midnight expiry of {expired:,} saved carts (10 stores, 6 zones)",
                "value": round(seconds, 2), "unit": "s", "goal": "< 30"}
