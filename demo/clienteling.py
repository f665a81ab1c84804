"""Seeds clienteling: the company, stores, staff, customer configuration, and the customers.

Customer n of seed s is always the same person (external id DEMO-s-n): its random
stream is seeded by (s, n) and dates are anchored on the run's day in each store's
time zone. Each chunk of customers is one transaction holding them and all their rows.
"""

import random
import unicodedata
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Model

from clienteling import services
from clienteling.models import (
    Activity,
    ActivityType,
    AttributeGroup,
    AttributeOption,
    ClientBookEntry,
    ConsentChange,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerCardProperty,
    CustomerConsent,
    CustomerContactHistory,
    CustomerMailingList,
    CustomerTag,
    ExternalMeasuresSettings,
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
from demo.data import clienteling as data

from .catalog import ProductInfo

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
    "last_message_at", "last_activity_contact_at", "last_contact_at",
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
        services.client_book_get_or_create(owner=user, legal_entity=home_store.legal_entity)
        users[username] = user.pk
    return users, kept_passwords


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

    # External measures: the settings an admin would fill for their analytics product.
    for entity in LegalEntity.objects.all():
        ExternalMeasuresSettings.objects.get_or_create(
            legal_entity=entity, defaults={"source_name": "Customer Insights", "match_field": "external_id"})

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


# Purchase rhythms (CustomerGenerator.purchase_days): never, one-off, regular, lapsed,
# growing, the rest occasional. About 2.7 receipts a customer.
PERSONA_ODDS = list(accumulate([0.18, 0.22, 0.20, 0.18, 0.06]))
REGULAR_INTERVALS = [30, 60, 60, 120, 120]
REGULAR_MAX = 6
LAPSED_INTERVALS = [45, 90, 150]
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

    def purchase_days(self, rng, span: int) -> list[tuple[int, float]]:
        """Days ago of each receipt and its odds of a further line, by the customer's rhythm.

        Customers differ the way a boutique's do, so the measures model has something
        to learn beyond "days since the last purchase" (docs/insights-measures.md):
        regulars every ~30/60/120 days, lapsed regulars who stopped, one-offs, growing
        spenders who come more often and buy more, occasional buyers at random, and
        people who never bought.
        """
        rand, randint = rng.random, rng.randint
        roll = rand()
        if roll < PERSONA_ODDS[0]:  # never bought
            return []
        if roll < PERSONA_ODDS[1]:  # one-off
            return [(1 + int((span - 1) * rand() ** 1.25), 0.35)]
        if roll < PERSONA_ODDS[2]:  # regular, still coming
            interval = rng.choice(REGULAR_INTERVALS)
            day, found = int(interval * rand()), []
            while day < span and len(found) < REGULAR_MAX:
                found.append((1 + day, 0.35))
                day += int(interval * (0.8 + 0.4 * rand()))
            return found
        if roll < PERSONA_ODDS[3]:  # lapsed: a rhythm that stopped months ago
            if span < 240:
                return [(1 + int((span - 1) * rand()), 0.35)]
            interval = rng.choice(LAPSED_INTERVALS)
            day, found = randint(200, span - 1), []
            for _ in range(randint(2, 5)):
                if day >= span:
                    break
                found.append((1 + day, 0.35))
                day += int(interval * (0.8 + 0.4 * rand()))
            return found
        if roll < PERSONA_ODDS[4]:  # growing: more often and bigger baskets lately
            day, gap, found = randint(1, 25), 30, []
            for _ in range(randint(4, 7)):
                if day >= span:
                    break
                found.append((1 + day, 0.35 + 0.3 * 30 / gap))
                day += int(gap * (0.8 + 0.4 * rand()))
                gap = min(gap * 1.5, 180)
            return found
        count = randint(1, 4)  # occasional, at random (recent months are busier)
        return [(1 + int((span - 1) * rand() ** 1.25), 0.35) for _ in range(count)]

    def add_sales(self, rng, n, customer_id, store, salesperson, created_day, favourites):
        """Receipts over the last three years by a rhythm. Returns (goods total, last store visit)."""
        rand, randint = rng.random, rng.randint
        span = min(HISTORY_DAYS, (store.today - created_day).days)
        if span < 1:
            return Decimal(0), None
        sales, lines = self.rows["sales"], self.rows["sale_lines"]
        spent, last_visit = Decimal(0), None
        for k, (days_ago, more_lines) in enumerate(self.purchase_days(rng, span)):
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
                while len(kinds) < 4 and rand() < more_lines:
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
        last_message_at = max([at for at in (last_text_at, *marketing.values()) if at], default=None)
        rows["contact"].append((
            customer_id, last_text_at, preview, inbound, max(marketing.values(), default=None),
            marketing.get("sms"), marketing.get("whatsapp"), marketing.get("email"), sms,
            whatsapp, email_state, upcoming, self.now, last_message_at, None, last_message_at,
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

    def _contact_by_activity(self, customer_id, at) -> None:
        """The demo's activity types all count as contact: the customer's contact row says so."""
        contact = self.rows["contact"]
        if contact and contact[-1][0] == customer_id:
            last_message_at = contact[-1][-3]
            contact[-1] = (*contact[-1][:-2], at, max(at, last_message_at or at))

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
            latest = None
            for _ in range(randint(1, 4)):
                slug = rng.choice(ACTIVITY_SLUGS)
                when = self._since(rng, store, created_at, 365)
                rows["activities"].append((
                    customer_id, self.ref.activity_types[slug], store.id,
                    salesperson or rng.choice(team), when,
                    rng.choice(data.ACTIVITY_SUMMARIES[slug]), "", when,
                ))
                latest = max(latest or when, when)
            self._contact_by_activity(customer_id, latest)
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
