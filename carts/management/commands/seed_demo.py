"""`manage.py seed_demo`: a deterministic demo company, from 2,000 to 1,000,000 customers.

It lives in carts, the top of the dependency stack, because it fills every
app's tables (conversations' templates, carts' tax settings).

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

import random
import secrets
import time
import unicodedata
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate, islice
from typing import NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from carts import demo_data as data
from carts.models import (
    DiscountLimit,
    PaymentProviderAccount,
    ShippingOption,
    StoreCartSettings,
)
from catalog import services as catalog_services
from catalog.links import public_url
from catalog.models import (
    Category,
    Collection,
    CollectionItem,
    Designer,
    ItemType,
    Product,
    ProductPrice,
    ProductVariant,
    StockLevel,
    StockLocation,
)
from clienteling import services
from clienteling.dates import store_today
from clienteling.models import (
    Activity,
    ActivityType,
    AttributeGroup,
    AttributeOption,
    Channel,
    ClientBook,
    ClientBookEntry,
    ConsentChange,
    ConsentState,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerCardProperty,
    CustomerConsent,
    CustomerContactHistory,
    CustomerMailingList,
    CustomerMeasures,
    CustomerTag,
    LegalEntity,
    MailingList,
    ModuleSettings,
    Note,
    ProfileSection,
    ProfileSectionAttribute,
    Sale,
    SaleLine,
    StaffProfile,
    Store,
    StoreGroup,
    Tag,
    Task,
    WishlistItem,
    month_day_key,
)
from conversations import services as conversation_services
from conversations.demo import simulate_customer_reply
from conversations.models import (
    Conversation,
    MessageTemplate,
    QuickReply,
    StoreMessagingSettings,
    TemplateVariable,
)

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
DEFAULT_CHUNK = 5000
CATALOG_SEED = 1_000_003  # the catalog is the same whatever --seed says
PRODUCT_COUNT = 300
HISTORY_DAYS = 3 * 365
MAX_INDEX = 100_000_000  # customer n is seeded with seed * MAX_INDEX + n

# --- Rows written per chunk: table, columns in tuple order --------------------------

CUSTOMER_COLUMNS = (
    "id", "legal_entity_id", "external_id", "first_name", "last_name", "email", "phone",
    "can_receive_texts", "birth_date", "anniversary", "partner_name", "partner_birth_date",
    "address_line1", "address_line2", "city", "state", "zip_code", "country", "home_store_id",
    "primary_salesperson_id", "primary_account_id", "balance", "credit_balance", "currency",
    "is_prospect", "language", "timezone", "created_at", "created_by_id", "updated_at",
    "birthday_key", "anniversary_key", "partner_birthday_key",
)
SALE_COLUMNS = (
    "id", "customer_id", "store_id", "salesperson_id", "channel", "source", "external_id",
    "sold_at", "currency", "total", "created_at",
)
# The first value of a generated line is the sale's index within the chunk.
SALE_LINE_COLUMNS = (
    "sale_id", "customer_id", "salesperson_id", "sold_at", "kind", "product_id", "variant_id",
    "designer_id", "category_id", "item_type_id", "title", "quantity", "amount",
)
ATTRIBUTE_VALUE_COLUMNS = (
    "customer_id", "attribute_id", "value_text", "value_int", "value_decimal", "value_bool",
    "value_date", "option_id", "updated_at",
)
CONTACT_COLUMNS = (
    "customer_id", "last_text_at", "last_text_preview", "last_text_inbound", "last_marketing_at",
    "last_marketing_sms_at", "last_marketing_whatsapp_at", "last_marketing_email_at",
    "sms_consent", "whatsapp_consent", "email_consent", "next_scheduled_text_at", "updated_at",
)

# Insert order: parents first (SQLite checks foreign keys at commit, but be tidy).
TABLES: list[tuple[str, type[Model], tuple[str, ...]]] = [
    ("customers", Customer, CUSTOMER_COLUMNS),
    ("sales", Sale, SALE_COLUMNS),
    ("sale_lines", SaleLine, SALE_LINE_COLUMNS),
    ("attribute_values", CustomerAttributeValue, ATTRIBUTE_VALUE_COLUMNS),
    ("tags", CustomerTag, ("customer_id", "tag_id", "added_at")),
    ("mailing_lists", CustomerMailingList, ("customer_id", "mailing_list_id", "subscribed_at")),
    ("consents", CustomerConsent,
     ("customer_id", "channel", "state", "changed_at", "source", "detail")),
    # The same facts as the history's first line (the same column order).
    ("consent_changes", ConsentChange,
     ("customer_id", "channel", "state", "changed_at", "source", "detail")),
    ("contact", CustomerContactHistory, CONTACT_COLUMNS),
    ("wishlist", WishlistItem,
     ("customer_id", "product_id", "variant_id", "added_by_id", "added_at", "note", "active")),
    ("book_entries", ClientBookEntry, ("book_id", "customer_id", "added_by_id", "added_at")),
    ("activities", Activity,
     ("customer_id", "activity_type_id", "store_id", "actor_id", "occurred_at", "summary",
      "details", "created_at")),
    ("notes", Note,
     ("customer_id", "author_id", "store_id", "body", "pinned", "created_at", "updated_at")),
    ("tasks", Task,
     ("customer_id", "title", "details", "assignee_id", "created_by_id", "store_id", "due_on",
      "completed_at", "completed_by_id", "created_at")),
]


# --- Output ---------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; a line every ~10% in logs."""

    def __init__(self, out, total: int, label: str, width: int = 28):
        self.out, self.total, self.label, self.width = out, max(total, 1), label, width
        self.done = 0
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_decile = -1
        self.last_length = 0
        self.tty = out.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw >= 0.2 or self.done >= self.total:
                self.last_draw = now
                line = self._line(now)
                # Pad over a longer previous line so no stale characters remain.
                self.out.write("\r" + line.ljust(self.last_length), ending="")
                self.last_length = len(line)
                self.out.flush()
            return
        decile = self.done * 10 // self.total
        if decile != self.last_decile:
            self.last_decile = decile
            self.out.write(self._line(now))

    def close(self) -> None:
        if self.tty:
            self.out.write("")

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        fraction = min(self.done / self.total, 1.0)
        filled = int(self.width * fraction)
        eta = (self.total - self.done) / rate if rate else 0
        return (
            f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {fraction:6.1%} "
            f"{self.done:,}/{self.total:,}  {rate:,.0f}/s  ETA {_clock(eta)}"
        )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


# --- Bulk writer ------------------------------------------------------------------------


class BulkWriter:
    """Inserts plain tuples fast: COPY on PostgreSQL, prepared executemany elsewhere.

    Rows skip Model instances and save(): at a million customers, building
    instances costs more than the database does.
    """

    BATCH = 2000

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.quote = connection.ops.quote_name
        self.types: dict[tuple, list[str]] = {}
        self.skip_fk_triggers = False
        if self.copy:
            tables = [model._meta.db_table for _name, model, _columns in TABLES]
            with connection.cursor() as cursor:
                # Only superusers may skip triggers, and only the FK checks may be
                # skipped: a table with a trigger of its own keeps them all.
                cursor.execute(
                    "SELECT current_setting('is_superuser') = 'on' AND NOT EXISTS ("
                    " SELECT 1 FROM pg_trigger WHERE NOT tgisinternal"
                    " AND tgrelid::regclass::text = ANY(%s))",
                    [tables],
                )
                self.skip_fk_triggers = cursor.fetchone()[0]

    def begin_chunk(self) -> None:
        """Inside the chunk's transaction: skip per-row foreign key triggers if we may.

        Deferred FK checks cost about as much as the COPY itself. Every id we
        write was reserved in this transaction or read from the database, so,
        like pg_restore --disable-triggers, a superuser load skips them (SET
        LOCAL: this transaction only). Other roles keep the checks, just slower.
        """
        if not self.copy:
            return
        with connection.cursor() as cursor:
            # A crash loses at most this chunk, which the next run redoes.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if self.skip_fk_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def check_columns(self, model: type[Model], columns: Sequence[str]) -> None:
        """Fail early, and clearly, if a model gained a required column we do not write."""
        names = set(columns)
        for model_field in model._meta.concrete_fields:
            if model_field.attname in names:
                if model_field.column != model_field.attname:
                    raise CommandError(f"{model.__name__}.{model_field.name}: custom db_column.")
                continue
            if not (model_field.null or model_field.primary_key or model_field.has_db_default()):
                raise CommandError(
                    f"seed_demo does not fill {model.__name__}.{model_field.attname}; "
                    "update TABLES in carts/management/commands/seed_demo.py."
                )

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                    "FROM generate_series(1, %s)",
                    [self.quote(table), count],
                )
                return [row[0] for row in cursor.fetchall()]
            # Elsewhere the chunk's transaction holds the write lock (SQLite:
            # BEGIN IMMEDIATE), so max(id) cannot move under us.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.quote(table)}")  # noqa: S608
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))

    def insert(self, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = self.quote(model._meta.db_table)
        names = ", ".join(self.quote(column) for column in columns)
        with connection.cursor() as cursor:
            if self.copy:
                # Binary COPY: the server parses no text, the client formats less.
                sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
                with cursor.cursor.copy(sql) as copy:
                    copy.set_types(self._pg_types(model, columns))
                    for row in rows:
                        copy.write_row(row)
                return
            fields = [model._meta.get_field(column) for column in columns]
            prepare = [f.get_db_prep_save for f in fields]
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            rows_iter = iter(rows)
            while batch := list(islice(rows_iter, self.BATCH)):
                cursor.executemany(sql, [
                    [prep(value, connection) for prep, value in zip(prepare, row, strict=True)]
                    for row in batch
                ])

    def _pg_types(self, model: type[Model], columns: Sequence[str]) -> list[str]:
        """Column types for binary COPY, from the fields (varchar(80) -> varchar)."""
        key = (model, tuple(columns))
        if key not in self.types:
            self.types[key] = [
                model._meta.get_field(column).db_type(connection).split("(")[0]
                for column in columns
            ]
        return self.types[key]

    def analyze(self, tables: Sequence[type[Model]], *, vacuum: bool = False) -> None:
        """Fresh statistics keep the per-chunk measures query on its index.

        With `vacuum`, the tables also get their visibility maps, as autovacuum would
        give them later: until then no index-only scan can skip the table.
        VACUUM cannot run inside a transaction (the tests'), where it is left out.
        """
        if not self.copy:
            return
        command = "VACUUM (ANALYZE)" if vacuum and not connection.in_atomic_block else "ANALYZE"
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"{command} {self.quote(model._meta.db_table)}")


# --- Reference data ---------------------------------------------------------------------


@dataclass
class StoreContext:
    id: int
    code: str
    name: str
    legal_entity_id: int
    currency: str
    country: str
    tz: ZoneInfo
    today: date
    manager_id: int | None = None
    associate_ids: list[int] = field(default_factory=list)
    siblings: list["StoreContext"] = field(default_factory=list)


class ProductInfo(NamedTuple):
    id: int
    variant_ids: list[int]
    designer_id: int
    category_id: int
    item_type_id: int
    title: str
    price: Decimal
    prices: dict[str, Decimal]  # currency -> price: USD and every price list


@dataclass
class Reference:
    stores: list[StoreContext]
    users: dict[str, int]
    books: dict[tuple[int, int], int]  # (owner id, legal entity id) -> client book id
    products: list[ProductInfo]
    products_by_designer: dict[int, list[ProductInfo]]
    attributes: dict[str, int]
    options: dict[tuple[str, str], int]
    tags: dict[str, int]
    mailing_lists: dict[str, int]
    activity_types: dict[str, int]


def seed_org() -> dict[str, Store]:
    entities = {}
    for code, name, country, currency in data.LEGAL_ENTITIES:
        entities[code], _ = LegalEntity.objects.update_or_create(
            code=code, defaults={"name": name, "country": country, "default_currency": currency}
        )
    groups = {}
    for entity_code, name in data.STORE_GROUPS:
        groups[name], _ = StoreGroup.objects.get_or_create(
            legal_entity=entities[entity_code], name=name
        )
    stores = {}
    for spec in data.STORES:
        defaults = {
            key: spec[key] for key in ("name", "timezone", "currency", "country", "address_line1",
                                       "city", "state", "zip_code", "clienteling_phone")
        }
        defaults.update(legal_entity=entities[spec["legal_entity"]], group=groups[spec["group"]],
                        active=True)
        store, _ = Store.objects.update_or_create(code=spec["code"], defaults=defaults)
        services.store_ensure_stock_location(store=store)
        stores[store.code] = store
    ModuleSettings.load()
    return stores


def seed_staff(*, stores: dict[str, Store]) -> tuple[dict[str, int], list[str]]:
    """The demo users, their profiles, role groups, store permissions and client books."""
    User = get_user_model()
    password = make_password(data.DEMO_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
    users, kept_passwords = {}, []
    for username, first, last, role, home, extra in data.STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "password": password,
                      "email": f"{username}@atelier.example.com"},
        )
        if not created and not StaffProfile.objects.filter(user=user).exists():
            kept_passwords.append(username)  # an account the seed did not make
        home_store = stores[home]
        profile, _ = StaffProfile.objects.update_or_create(
            user=user,
            defaults={"legal_entity": home_store.legal_entity, "role": role,
                      "home_store": home_store, "active": True,
                      "employee_code": f"E{len(users) + 101}"},
        )
        profile.stores.set([home_store] + [stores[code] for code in extra])
        services.staff_sync_access(profile=profile)
        services.client_book_for(owner=user, legal_entity=home_store.legal_entity)
        users[username] = user.pk
    return users, kept_passwords


def _ean13(number: int) -> str:
    """An in-store EAN-13 (prefix 2) with a valid check digit."""
    body = f"2{number:011d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def seed_catalog(*, stores: dict[str, Store]) -> list[ProductInfo]:
    """Designers, categories, item types, ~300 products with variants and stock."""
    rng = random.Random(CATALOG_SEED)
    designers = {
        name: Designer.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in data.DESIGNERS
    }
    categories = {
        name: Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in data.CATEGORIES
    }
    item_types = {
        spec[0]: ItemType.objects.get_or_create(slug=slugify(spec[0]), defaults={"name": spec[0]})[0]
        for spec in data.ITEM_TYPES
    }
    warehouse, _ = StockLocation.objects.update_or_create(
        code="warehouse-us",
        defaults={"name": "US Warehouse", "kind": StockLocation.Kind.WAREHOUSE,
                  "ships_to_customers": True},
    )
    locations = [store.stock_location for store in stores.values()] + [warehouse]

    # Draw the whole catalog first, so the random stream never depends on what exists.
    products, variants = [], []
    for i in range(PRODUCT_COUNT):
        designer = data.DESIGNERS[i % len(data.DESIGNERS)]
        type_name, category, (low, high), sizes = rng.choice(data.ITEM_TYPES)
        adjective = rng.choice(data.PRODUCT_ADJECTIVES)
        colour = rng.choice(data.COLOURS)
        step = 5 if high < 1000 else 50
        price = Decimal(rng.randrange(low // step, high // step + 1) * step)
        sku = f"AT-{i + 1:05d}"
        products.append({
            "sku": sku, "title": f"{adjective} {type_name} in {colour}",
            "designer": designers[designer], "category": categories[category],
            "item_type": item_types[type_name], "price": price, "currency": "USD",
            "description": f"{adjective} {type_name.lower()} by {designer}.",
            "active": rng.random() > 0.03,
        })
        if sizes:
            first = rng.randrange(len(sizes))
            chosen = sizes[first:first + rng.randint(1, 3)]
        else:
            chosen = [""]
        for position, size in enumerate(chosen):
            variants.append({
                "product_sku": sku, "sku": f"{sku}-{size or 'OS'}", "size": size,
                "colour": colour, "position": position,
                "barcode": _ean13((i + 1) * 100 + position),
            })
    stock = [(variant["sku"], location.pk, rng.randint(0, 6)) for variant in variants
             for location in locations]
    collections = [
        (slug, name, description, rng.sample(range(PRODUCT_COUNT), rng.randint(12, 20)))
        for slug, name, description in data.COLLECTIONS
    ]

    existing = set(Product.objects.filter(sku__startswith="AT-").values_list("sku", flat=True))
    Product.objects.bulk_create(
        [Product(**spec) for spec in products if spec["sku"] not in existing], batch_size=500
    )
    product_ids = dict(Product.objects.filter(sku__startswith="AT-").values_list("sku", "pk"))
    existing = set(
        ProductVariant.objects.filter(sku__startswith="AT-").values_list("sku", flat=True)
    )
    ProductVariant.objects.bulk_create(
        [
            ProductVariant(product_id=product_ids[spec["product_sku"]],
                           **{k: v for k, v in spec.items() if k != "product_sku"})
            for spec in variants if spec["sku"] not in existing
        ],
        batch_size=500,
    )
    variant_ids = dict(
        ProductVariant.objects.filter(sku__startswith="AT-").values_list("sku", "pk")
    )
    StockLevel.objects.bulk_create(
        [StockLevel(variant_id=variant_ids[sku], location_id=location_id, on_hand=on_hand)
         for sku, location_id, on_hand in stock],
        ignore_conflicts=True, batch_size=1000,
    )
    for position, (slug, name, description, indexes) in enumerate(collections):
        collection, _ = Collection.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        CollectionItem.objects.bulk_create(
            [CollectionItem(collection=collection, product_id=product_ids[products[i]["sku"]],
                            position=rank) for rank, i in enumerate(indexes)],
            ignore_conflicts=True,
        )

    # The other price lists (EUR for Paris), priced from the US list and rounded the same way.
    price_lists = {currency: {spec["sku"]: _list_price(spec["price"], factor) for spec in products}
                   for currency, factor in data.PRICE_LISTS}
    ProductPrice.objects.bulk_create(
        [ProductPrice(product_id=product_ids[sku], currency=currency, amount=amount)
         for currency, prices in price_lists.items() for sku, amount in prices.items()],
        ignore_conflicts=True, batch_size=1000,
    )

    # bulk_create skips Product.save(): fill the words search reads.
    catalog_services.product_search_text_refresh(product_ids=product_ids.values())

    variants_by_product = defaultdict(list)
    for spec in variants:
        variants_by_product[spec["product_sku"]].append(variant_ids[spec["sku"]])
    return [
        ProductInfo(product_ids[spec["sku"]], variants_by_product[spec["sku"]],
                    spec["designer"].pk, spec["category"].pk, spec["item_type"].pk,
                    spec["title"], spec["price"],
                    {"USD": spec["price"], **{currency: prices[spec["sku"]]
                                              for currency, prices in price_lists.items()}})
        for spec in products if spec["active"]
    ]


def _list_price(usd: Decimal, factor: str) -> Decimal:
    """A price list's price: the US one times the list's factor, rounded to 5 (50 from 1,000)."""
    raw = usd * Decimal(factor)
    step = 5 if raw < 1000 else 50
    return max(Decimal(step), (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def seed_customer_configuration(*, stores: dict[str, Store]):
    """Attributes, the profile's attribute section, the card, tags and mailing lists."""
    groups = {
        name: AttributeGroup.objects.update_or_create(name=name, defaults={"position": pos})[0]
        for name, pos in data.ATTRIBUTE_GROUPS
    }
    attributes, options = {}, {}
    for position, (name, slug, data_type, group, flags, choices) in enumerate(data.ATTRIBUTES):
        attribute, _ = CustomerAttribute.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "data_type": data_type, "group": groups[group],
                      "position": position, "active": True, **flags},
        )
        attributes[slug] = attribute
        for rank, (value, label) in enumerate(choices):
            option, _ = AttributeOption.objects.update_or_create(
                attribute=attribute, value=value, defaults={"label": label, "position": rank}
            )
            options[(slug, value)] = option.pk

    # The activity types the migration created; recreated if an admin removed one.
    for position, slug in enumerate(data.ACTIVITY_SUMMARIES):
        ActivityType.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").capitalize(),
                                 "position": position},
        )

    section = ProfileSection.objects.filter(kind="attributes").order_by("position").first()
    if section is None:  # an admin removed it: bring the section back for the demo
        section = ProfileSection.objects.create(kind="attributes", title="Preferences",
                                                position=1)
    for position, slug in enumerate(attributes):
        ProfileSectionAttribute.objects.get_or_create(
            section=section, attribute=attributes[slug], defaults={"position": position}
        )
    # The card is the admin's choice: only fill it when nobody has chosen yet.
    if not CustomerCardProperty.objects.exists():
        for position, measure, slug in data.CARD_PROPERTIES:
            CustomerCardProperty.objects.create(
                position=position, measure=measure,
                attribute=attributes[slug] if slug else None,
            )

    tags = {}
    for slug, name, outreach, store_code in data.TAGS:
        tags[slug] = Tag.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "is_outreach_list": outreach, "active": True,
                      "store": stores[store_code] if store_code else None},
        )[0].pk
    mailing_lists = {
        slug: MailingList.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "active": True}
        )[0].pk
        for slug, name, description in data.MAILING_LISTS
    }
    return ({slug: a.pk for slug, a in attributes.items()}, options, tags, mailing_lists)


def seed_messaging(*, stores: dict[str, Store]) -> None:
    """Per-store messaging settings, quick replies and message templates."""
    for spec in data.STORES:
        StoreMessagingSettings.objects.update_or_create(
            store=stores[spec["code"]],
            defaults={
                "sms_number": spec["clienteling_phone"],
                "whatsapp_sender": spec["whatsapp_sender"],
                "opt_in_intro": f"Welcome to {spec['name']}!",
            },
        )
    for position, (title, body) in enumerate(data.QUICK_REPLIES):
        QuickReply.objects.update_or_create(
            title=title, store=None, defaults={"body": body, "position": position}
        )
    for number, spec in enumerate(data.MESSAGE_TEMPLATES, start=1):
        channel, name, event, status, category, subject, body, sources = spec
        template, _ = MessageTemplate.objects.update_or_create(
            channel=channel, name=name, language="en",
            defaults={
                "event": event, "status": status, "category": category, "subject": subject,
                "body": body, "active": True,
                # A fake Content SID: the demo provider never calls Twilio.
                "content_sid": f"HX{number:032x}" if channel == "whatsapp" else "",
            },
        )
        for position, source in enumerate(sources, start=1):
            TemplateVariable.objects.update_or_create(
                template=template, position=position, defaults={"source": source}
            )


def seed_carts(*, stores: dict[str, Store]) -> None:
    warehouse = StockLocation.objects.get(code="warehouse-us")
    for code, rate, inclusive, mixed in data.CART_SETTINGS:
        StoreCartSettings.objects.update_or_create(
            store=stores[code],
            defaults={"tax_rate": Decimal(rate), "prices_include_tax": inclusive,
                      "mixed_cart_enabled": mixed, "ship_from": warehouse if mixed else None},
        )
    for name, price, currency, position in data.SHIPPING_OPTIONS:
        if currency:
            # Seeded before options had a currency: that one was the dollar price.
            ShippingOption.objects.filter(name=name, store=None, currency="",
                                          price=Decimal(price)).update(currency=currency)
        ShippingOption.objects.update_or_create(
            name=name, store=None, currency=currency,
            defaults={"price": Decimal(price), "position": position},
        )
    for role, limit in data.DISCOUNT_LIMITS:
        DiscountLimit.objects.update_or_create(role=role, defaults={"max_percent": Decimal(limit)})
    # The demo pay page signs its notifications with a key of its own, random per install.
    demo, _created = PaymentProviderAccount.objects.get_or_create(
        provider="demo", defaults={"environment": "test"})
    if not demo.hmac_key:
        demo.hmac_key = secrets.token_hex(32)
        demo.save(update_fields=["hmac_key"])


def seed_conversations(*, stores: list[Store], associates: dict[int, list[int]]) -> int:
    """A few live threads per store, so the demo's inboxes have something to show.

    Written through conversations' own services (consent, opt-in request, send,
    inbound), so the sends queue to the worker like any other and the unread
    counts, contact history and grid columns follow. Each store's threads are one
    transaction: a store with threads is complete, and a store without any (a run
    stopped before it, or too few customers) gets them on the next run.
    """
    made = 0
    opted_out = CustomerConsent.objects.filter(channel=Channel.SMS, state=ConsentState.OPTED_OUT)
    for store in stores:
        owners = associates.get(store.pk) or []
        if not owners or Conversation.objects.filter(store=store).exists():
            continue
        associate = get_user_model().objects.get(pk=owners[0])
        # Customers who may be texted: never one who opted out of SMS.
        candidates = list(
            Customer.objects.filter(client_book_entries__book__owner=associate, home_store=store,
                                    can_receive_texts=True, is_prospect=False)
            .exclude(phone="").exclude(pk__in=opted_out.values("customer_id"))
            .order_by("pk")[:len(data.DEMO_THREADS) * 4])
        asked = set(CustomerConsent.objects.filter(customer__in=candidates, channel=Channel.SMS)
                    .exclude(state=ConsentState.UNKNOWN).values_list("customer_id", flat=True))
        with transaction.atomic():
            for consent, lines in data.DEMO_THREADS:
                # The opt-in script needs someone never asked; the others are opted in here.
                pool = [c for c in candidates if consent == "opted_in" or c.pk not in asked]
                if not pool:
                    continue
                customer = pool[0]
                candidates.remove(customer)
                made += _demo_thread(store=store, associate=associate, customer=customer,
                                     consent=consent, lines=lines)
    return made


def _demo_thread(*, store, associate, customer, consent: str, lines) -> int:
    if consent == "opted_in":
        services.customer_consent_set(customer=customer, channel=Channel.SMS,
                                      state=ConsentState.OPTED_IN,
                                      source=CustomerConsent.Source.IMPORT)
    thread = conversation_services.conversation_for(
        customer=customer, store=store, channel=Channel.SMS, user=associate)
    for who, text in lines:
        if who == "opt_in":
            conversation_services.opt_in_request(conversation=thread, sender=associate)
        elif who == "us":
            conversation_services.message_send(conversation=thread, sender=associate, body=text)
        else:
            simulate_customer_reply(conversation=thread, body=text)
    return 1


def seed_reference(*, now: datetime) -> tuple[Reference, list[str]]:
    with transaction.atomic():
        stores = seed_org()
        users, kept_passwords = seed_staff(stores=stores)
        products = seed_catalog(stores=stores)
        attributes, options, tags, mailing_lists = seed_customer_configuration(stores=stores)
        seed_messaging(stores=stores)
        seed_carts(stores=stores)

    contexts = []
    for spec in data.STORES:
        store = stores[spec["code"]]
        contexts.append(StoreContext(
            id=store.pk, code=store.code, name=store.name, legal_entity_id=store.legal_entity_id,
            currency=store.currency, country=store.country, tz=store.tzinfo,
            today=store_today(store, now),
            manager_id=users.get(f"manager.{store.code}"),
            associate_ids=[users[staff[0]] for staff in data.STAFF
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


# --- Customers ---------------------------------------------------------------------------


class Household(NamedTuple):
    """What a secondary account shares with its primary: drawn first, so it can be redrawn."""

    candidate: bool  # may become a secondary account of customer n - 1
    store: int
    last_name: str
    salesperson_slot: int | None
    address: tuple[str, str, str, str, str]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _local(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    # Store hours (10:00-20:00) never fall in a DST gap.
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


SALES_PER_CUSTOMER = list(accumulate([18, 22, 18, 13, 10, 7, 5, 4, 3]))
ACTIVITY_SLUGS = list(data.ACTIVITY_SUMMARIES)
CONSENT_SOURCES = ["keyword", "associate", "import", "web"]
TAG_ODDS = {"vip": 0.08, "bridal": 0.03, "menswear": 0.15, "jewelry-lover": 0.10,
            "gift-buyer": 0.12, "press": 0.01, "private-client": 0.04,
            "summer-campaign": 0.12, "holiday-preview": 0.10, "trunk-show-ny": 0.15}
MAILING_ODDS = {"newsletter": 0.45, "events": 0.20, "new-arrivals": 0.25, "private-sales": 0.08}
CUSTOM_LINES = [("Alteration", 2500, 30000), ("Monogramming", 4000, 15000),
                ("Gift wrapping", 1500, 4000), ("Special order deposit", 20000, 150000)]
US_SHOE_SIZES = [Decimal(n).scaleb(-1) for n in range(50, 125, 5)]
EU_SHOE_SIZES = [Decimal(n).scaleb(-1) for n in range(350, 465, 5)]


class Draw(random.Random):
    """random.Random with cheaper choice() and randint(): most draws are these two."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


class CustomerGenerator:
    """Draws customer n and every row that hangs off it, as plain tuples."""

    def __init__(self, *, reference: Reference, seed: int, now: datetime, created_by: int):
        self.ref = reference
        self.seed = seed
        self.now = now
        self.fallback_creator = created_by
        self.rng = Draw()
        self.lookback = Draw()
        self.store_odds = list(accumulate(data.STORE_WEIGHTS))
        self.email_names = {
            name: _ascii(name)
            for name in (data.US_FIRST_NAMES + data.US_LAST_NAMES + data.FR_FIRST_NAMES
                         + data.FR_LAST_NAMES)
        }
        self.rows: dict[str, list[tuple]] = {}
        self.sale_count = 0

    def reset(self) -> None:
        self.rows = {name: [] for name, _model, _columns in TABLES}
        self.sale_count = 0

    # Customer n's stream starts here; anything drawn before the household would
    # change every customer's data.
    def household(self, rng: random.Random) -> Household:
        rand = rng.random
        candidate = rand() < 0.02
        store = min(bisect(self.store_odds, rand()), len(self.ref.stores) - 1)
        context = self.ref.stores[store]
        french = context.country == "FR"
        last_name = rng.choice(data.FR_LAST_NAMES if french else data.US_LAST_NAMES)
        slot = None if rand() < 0.1 else rng.randrange(1000)
        places = data.ADDRESSES[context.code]
        city, state, zips = rng.choice(places["cities"])
        street = rng.choice(places["streets"])
        number = rng.randint(1, 220)
        if french:
            line1 = f"{number} {street}"
            line2 = f"{rng.randint(1, 7)}e étage" if rand() < 0.3 else ""
        else:
            line1 = f"{number * 5} {street}"
            line2 = f"Apt {rng.randint(1, 30)}{rng.choice('ABCDEF')}" if rand() < 0.35 else ""
        return Household(candidate, store, last_name, slot,
                         (line1, line2, city, state, rng.choice(zips)))

    def add_customer(self, n: int, customer_id: int,
                     customer_id_of: Callable[[int, int], int | None]) -> None:
        rng = self.rng
        rng.seed(self.seed * MAX_INDEX + n)
        rand, randint, choice = rng.random, rng.randint, rng.choice
        home = self.household(rng)
        primary_account_id = None
        if home.candidate and n > 0:
            self.lookback.seed(self.seed * MAX_INDEX + n - 1)
            previous = self.household(self.lookback)
            if not previous.candidate:  # never link to an account that is itself secondary
                home = previous
                primary_account_id = customer_id_of(
                    n - 1, self.ref.stores[home.store].legal_entity_id
                )

        store = self.ref.stores[home.store]
        today = store.today
        tz = store.tz
        french = store.country == "FR"
        salesperson = (store.associate_ids[home.salesperson_slot % len(store.associate_ids)]
                       if home.salesperson_slot is not None else None)
        first_name = choice(data.FR_FIRST_NAMES if french else data.US_FIRST_NAMES)
        last_name = home.last_name
        created_day = today - timedelta(days=randint(1, 2200))
        created_at = _local(created_day, randint(10, 19), randint(0, 59), tz)

        email = ""
        if rand() < 0.92:
            email = (f"{self.email_names[first_name]}.{self.email_names[last_name]}{n}"
                     f"@{choice(data.EMAIL_DOMAINS)}")
        phone, mobile = "", False
        if rand() < 0.9:
            mobile = rand() < 0.88
            if french:
                prefix = choice(data.FR_MOBILE_PREFIXES if mobile else data.FR_LANDLINE_PREFIXES)
                phone = f"+33{prefix}{randint(0, 9_999_999):07d}"
            else:
                exchange = randint(200, 999)
                if exchange % 100 == 11 or exchange == 555:  # N11 and 555 are not subscriber
                    exchange += 1
                area = choice(data.US_AREA_CODES[store.code])
                phone = f"+1{area}{exchange}{randint(0, 9999):04d}"

        birth_date = None
        roll = rand()
        if roll < 0.003:
            birth_date = date(choice([1988, 1992, 1996]), 2, 29)
        elif roll < 0.88:
            birth_date = today - timedelta(days=randint(21 * 365, 78 * 365))
        anniversary = (today - timedelta(days=randint(365, 40 * 365))) if rand() < 0.22 else None
        partner_name, partner_birth_date = "", None
        if rand() < 0.25:
            partner_name = choice(data.PARTNER_FIRST_NAMES_FR if french
                                  else data.PARTNER_FIRST_NAMES_US)
            if rand() < 0.6:
                partner_name += f" {last_name}"
            if rand() < 0.7:
                partner_birth_date = today - timedelta(days=randint(21 * 365, 78 * 365))
        address = home.address if rand() < 0.8 or primary_account_id else ("", "", "", "", "")
        language = ("en" if rand() < 0.15 else "fr") if french else ("es" if rand() < 0.1 else "en")
        balance = _money(randint(5000, 300000)) if rand() < 0.04 else Decimal(0)
        credit = _money(randint(2500, 150000)) if rand() < 0.07 else Decimal(0)
        creator = salesperson or store.manager_id or self.fallback_creator

        rows = self.rows
        favourite_designers = [choice(self.ref.products) for _ in range(2)]
        spent, last_store_visit = self.add_sales(
            rng, n, customer_id, store, salesperson, created_day, favourite_designers
        )
        tags = self.add_tags(rng, customer_id, store, created_at)
        self.add_attributes(rng, customer_id, store, spent, last_store_visit, "vip" in tags,
                            created_day)
        self.add_contact(rng, customer_id, store, email, phone and mobile, created_at)
        self.add_wishlist(rng, customer_id, store, salesperson, created_day, favourite_designers)
        self.add_relationship(rng, customer_id, store, salesperson, created_day)

        rows["customers"].append((
            customer_id, store.legal_entity_id, f"DEMO-{self.seed}-{n}", first_name, last_name,
            email, phone, bool(phone) and mobile, birth_date, anniversary, partner_name,
            partner_birth_date, *address, store.country, store.id, salesperson,
            primary_account_id, balance, credit, store.currency, False, language, "",
            created_at, creator, self.now,
            # Customer.save() keeps these; raw inserts use the same function.
            month_day_key(birth_date), month_day_key(anniversary),
            month_day_key(partner_birth_date),
        ))

    def _product(self, rng: random.Random, favourites: list[ProductInfo]) -> ProductInfo:
        if rng.random() < 0.6:
            return rng.choice(self.ref.products_by_designer[rng.choice(favourites).designer_id])
        return rng.choice(self.ref.products)

    def add_sales(self, rng, n, customer_id, store, salesperson, created_day, favourites):
        """0-8 receipts over the last three years. Returns (goods total, last store visit)."""
        rand, randint = rng.random, rng.randint
        count = rng.choices(range(len(SALES_PER_CUSTOMER)), cum_weights=SALES_PER_CUSTOMER)[0]
        span = min(HISTORY_DAYS, (store.today - created_day).days)
        if span < 1:
            return Decimal(0), None
        sales, lines = self.rows["sales"], self.rows["sale_lines"]
        spent, last_visit = Decimal(0), None
        for k in range(count):
            days_ago = 1 + int((span - 1) * rand() ** 1.25)  # recent months are busier
            day = store.today - timedelta(days=days_ago)
            sold_at = _local(day, randint(10, 19), randint(0, 59), store.tz)
            where = store if rand() < 0.9 else rng.choice(store.siblings)
            roll = rand()
            if roll < 0.85:
                channel, source = "store", "pos"
                if salesperson and where is store and rand() < 0.75:
                    seller = salesperson
                elif rand() < 0.15 and where.manager_id:
                    seller = where.manager_id
                else:
                    seller = rng.choice(where.associate_ids)
                if last_visit is None or day > last_visit:
                    last_visit = day
            else:
                channel, source, seller = ("web" if roll < 0.97 else "app"), "ecommerce", None
            sale_index = self.sale_count
            self.sale_count += 1
            total = Decimal(0)
            if rand() < 0.04:  # a return receipt
                kinds = ["return"]
            else:
                kinds = ["goods"]
                while len(kinds) < 4 and rand() < 0.35:
                    roll = rand()
                    kinds.append("goods" if roll < 0.8 else "custom" if roll < 0.88
                                 else "layaway" if roll < 0.94 else "return")
            for kind in kinds:
                if kind in ("goods", "return"):
                    product = self._product(rng, favourites)
                    quantity = 2 if kind == "goods" and rand() < 0.05 else 1
                    # Sold at the price of the store's currency (EUR in Paris).
                    price = product.prices.get(where.currency, product.price)
                    amount = price * quantity
                    if kind == "return":
                        quantity, amount = -1, -price
                    else:
                        spent += amount
                    lines.append((
                        sale_index, customer_id, seller, sold_at, kind, product.id,
                        rng.choice(product.variant_ids), product.designer_id,
                        product.category_id, product.item_type_id, product.title, quantity, amount,
                    ))
                else:
                    if kind == "custom":
                        title, low, high = rng.choice(CUSTOM_LINES)
                    else:
                        title, low, high = "Layaway payment", 20000, 200000
                    amount = _money(randint(low // 100, high // 100) * 100)
                    lines.append((sale_index, customer_id, seller, sold_at, kind, None, None,
                                  None, None, None, title, 1, amount))
                total += amount
            sales.append((
                customer_id, where.id, seller, channel, source, f"DEMO-{self.seed}-{n}-{k}",
                sold_at, where.currency, total, sold_at,
            ))
        return spent, last_visit

    def add_tags(self, rng, customer_id, store, created_at) -> set[str]:
        chosen = set()
        for slug, odds in TAG_ODDS.items():
            if slug == "trunk-show-ny" and store.code != "ny":
                continue
            if rng.random() < odds:
                chosen.add(slug)
                self.rows["tags"].append((customer_id, self.ref.tags[slug], created_at))
        return chosen

    def add_attributes(self, rng, customer_id, store, spent, last_visit, vip, created_day):
        rand, now = rng.random, self.now
        attr, options, values = self.ref.attributes, self.ref.options, self.rows["attribute_values"]
        # One typed column per row, the others None (the table's check constraint).
        if last_visit is None and rand() < 0.4:
            span = max((store.today - created_day).days, 1)
            last_visit = store.today - timedelta(days=rng.randint(1, min(span, 400)))
        if last_visit is not None:
            values.append((customer_id, attr["last-visit"], None, None, None, None, last_visit,
                           None, now))
        if rand() < 0.8:
            contact = rng.choice(["phone", "sms", "email", "whatsapp"])
            values.append((customer_id, attr["preferred-contact"], None, None, None, None, None,
                           options[("preferred-contact", contact)], now))
        if rand() < 0.6:
            size = rng.choice(EU_SHOE_SIZES if store.country == "FR" else US_SHOE_SIZES)
            values.append((customer_id, attr["shoe-size"], None, None, size, None, None, None,
                           now))
        if rand() < 0.5:
            for colour in rng.sample(["black", "ivory", "navy", "camel", "red", "green",
                                      "pastels"], rng.randint(1, 3)):
                values.append((customer_id, attr["favourite-colours"], None, None, None, None,
                               None, options[("favourite-colours", colour)], now))
        if vip or rand() < 0.6:
            values.append((customer_id, attr["vip"], None, None, None, vip, None, None, now))
        if rand() < 0.65:
            points = int(spent / 10) + rng.randint(0, 500)
            values.append((customer_id, attr["loyalty-points"], None, points, None, None, None,
                           None, now))
        if rand() < 0.2:
            values.append((customer_id, attr["style-notes"], rng.choice(data.STYLE_NOTES), None,
                           None, None, None, None, now))

    def _since(self, rng, store, created_at: datetime, max_days: int) -> datetime:
        """A store-hours moment between the customer's creation and yesterday."""
        span = min(max_days, (store.today - created_at.date()).days)
        day = store.today - timedelta(days=rng.randint(1, max(span, 1)))
        return _local(day, rng.randint(10, 19), rng.randint(0, 59), store.tz)

    def add_contact(self, rng, customer_id, store, email, textable, created_at) -> None:
        """Consent per channel and the contact-history facts the list filters read."""
        rand, rows = rng.random, self.rows
        sms = whatsapp = email_state = "unknown"
        if textable:
            roll = rand()
            sms = ("opted_in" if roll < 0.55 else "requested" if roll < 0.65
                   else "opted_out" if roll < 0.72 else "unknown")
            whatsapp = "opted_in" if rand() < 0.15 else "unknown"
        if email:
            roll = rand()
            email_state = ("opted_in" if roll < 0.6 else "opted_out" if roll < 0.68
                           else "unknown")
        for channel, state in (("sms", sms), ("whatsapp", whatsapp), ("email", email_state)):
            if state != "unknown":
                consent = (customer_id, channel, state, self._since(rng, store, created_at, 900),
                           rng.choice(CONSENT_SOURCES), "")
                rows["consents"].append(consent)
                rows["consent_changes"].append(consent)
        last_text_at, preview, inbound = None, "", False
        if (sms == "opted_in" or whatsapp == "opted_in") and rand() < 0.5:
            last_text_at = self._since(rng, store, created_at, 120)
            preview, inbound = rng.choice(data.TEXT_PREVIEWS)
        marketing = {}
        for channel, state, odds in (("sms", sms, 0.6), ("whatsapp", whatsapp, 0.5),
                                     ("email", email_state, 0.7)):
            if state == "opted_in" and rand() < odds:
                marketing[channel] = self._since(rng, store, created_at, 90)
        upcoming = None
        if last_text_at and rand() < 0.02:
            upcoming = _local(store.today + timedelta(days=1), 11, 0, store.tz)
        rows["contact"].append((
            customer_id, last_text_at, preview, inbound, max(marketing.values(), default=None),
            marketing.get("sms"), marketing.get("whatsapp"), marketing.get("email"), sms,
            whatsapp, email_state, upcoming, self.now,
        ))
        if email:
            for slug, odds in MAILING_ODDS.items():
                if rand() < odds:
                    rows["mailing_lists"].append(
                        (customer_id, self.ref.mailing_lists[slug], created_at)
                    )

    def add_wishlist(self, rng, customer_id, store, salesperson, created_day, favourites):
        if rng.random() >= 0.22:
            return
        # Keyed by id: one active wishlist row per product (a unique constraint).
        picked = {}
        for _ in range(rng.randint(1, 3)):
            product = self._product(rng, favourites)
            picked[product.id] = product
        created_at = _local(created_day, 12, 0, store.tz)
        for product in picked.values():
            self.rows["wishlist"].append((
                customer_id, product.id, rng.choice(product.variant_ids), salesperson,
                self._since(rng, store, created_at, 200), rng.choice(data.WISHLIST_NOTES),
                rng.random() < 0.8,
            ))

    def add_relationship(self, rng, customer_id, store, salesperson, created_day) -> None:
        """Client books, activities, notes and follow-ups with the store team."""
        rand, randint, rows = rng.random, rng.randint, self.rows
        books = self.ref.books
        created_at = _local(created_day, 12, 0, store.tz)
        owners = []
        if salesperson and rand() < 0.95:
            owners.append(salesperson)
        if rand() < (0.1 if salesperson else 0.2):
            other = rng.choice(store.associate_ids + [store.manager_id])
            if other and other not in owners:
                owners.append(other)
        for owner in owners:
            rows["book_entries"].append(
                (books[(owner, store.legal_entity_id)], customer_id, owner, created_at)
            )

        team = store.associate_ids
        if rand() < 0.35:
            for _ in range(randint(1, 4)):
                slug = rng.choice(ACTIVITY_SLUGS)
                when = self._since(rng, store, created_at, 365)
                rows["activities"].append((
                    customer_id, self.ref.activity_types[slug], store.id,
                    salesperson or rng.choice(team), when,
                    rng.choice(data.ACTIVITY_SUMMARIES[slug]), "", when,
                ))
        if rand() < 0.12:
            for _ in range(randint(1, 2)):
                when = self._since(rng, store, created_at, 400)
                rows["notes"].append((
                    customer_id, salesperson or store.manager_id, store.id,
                    rng.choice(data.NOTES), rand() < 0.15, when, when,
                ))
        if salesperson and rand() < 0.08:
            due = store.today + timedelta(days=randint(-10, 14))
            done = due < store.today and rand() < 0.4
            completed_at = _local(due, 15, 0, store.tz) if done else None
            created = _local(min(due, store.today) - timedelta(days=randint(1, 7)), 10, 0,
                             store.tz)
            rows["tasks"].append((
                customer_id, rng.choice(data.TASK_TITLES), "", salesperson,
                store.manager_id if rand() < 0.3 else salesperson, store.id, due, completed_at,
                salesperson if done else None, created,
            ))


# --- The command ----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Seed a demo company: 2 legal entities, 3 stores, 12 staff (password "
        f"'{data.DEMO_PASSWORD}'), a catalog, attributes, templates, and N customers with three "
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
        writer = BulkWriter()
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
        threads = seed_conversations(
            stores=list(Store.objects.filter(pk__in=[c.id for c in reference.stores])),
            associates={c.id: c.associate_ids for c in reference.stores})
        if threads:
            self.stdout.write(f"  {threads} demo conversations started.")
        self.stdout.write(self.style.SUCCESS(
            f"Finished in {time.monotonic() - started:.1f}s."
        ))
        self.print_logins(kept_passwords)

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
                services.customer_measures_refresh(customer_ids=ids, today=anchor)
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
        samples = [spec["clienteling_phone"] for spec in data.STORES]
        samples += [f"+1{area}2345678" for areas in data.US_AREA_CODES.values() for area in areas]
        samples += [f"+33{prefix}1234567"
                    for prefix in data.FR_MOBILE_PREFIXES + data.FR_LANDLINE_PREFIXES]
        invalid = [number for number in samples
                   if not phonenumbers.is_valid_number(phonenumbers.parse(number))]
        if invalid:
            raise CommandError(f"Demo phone ranges no longer valid: {', '.join(invalid)}")

    def print_logins(self, kept_passwords: list[str]) -> None:
        write = self.stdout.write
        write("")
        write(self.style.MIGRATE_HEADING(f"Console: {public_url('/')}"))
        write(f"Demo logins (password: {data.DEMO_PASSWORD}):")
        labels = {"company_admin": "Company Admin", "store_manager": "Store Manager",
                  "associate": "Associate"}
        for role, label in labels.items():
            names = [username for username, _f, _l, staff_role, *_ in data.STAFF
                     if staff_role == role]
            write(f"  {label + ':':15} {', '.join(names)}")
        if kept_passwords:
            write(f"  (existing accounts kept their password: {', '.join(kept_passwords)})")
