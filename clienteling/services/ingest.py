"""Bulk upserts from other systems: customers and sales, keyed by external id per legal entity.

The file imports (`imports`) and the REST API (`api`) both write through these. A batch
(up to 1,000 records) is checked as the console checks a form (phones normalised with
the store's region, emails, consent with its source, attribute values against their
definitions and channels), compared with what is stored, and written set-based: a few
queries to read what exists, then bulk inserts and one UPDATE per group of changed
fields. A record that changes nothing counts as unchanged and writes nothing, so a
repeated batch is a no-op. A refused record is listed with its reasons and never half
written; with `all_or_nothing` one refusal writes nothing at all. `dry_run` checks and
counts without writing.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import DatabaseDefault
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from phonenumber_field.modelfields import PhoneNumberField

from catalog.db import fit, update_rows
from catalog.ingest_result import MAX_BATCH, Errors, IngestResult, Rejection, batch_check
from catalog.models import Product, ProductVariant
from clienteling.events import CONSENTS_CHANGED, SALES_RECORDED, event_occurred
from clienteling.models import (
    AttributeOption,
    Channel,
    ConsentChange,
    ConsentState,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerConsent,
    CustomerContactHistory,
    CustomerMailingList,
    CustomerTag,
    MailingList,
    Sale,
    SaleLine,
    SalesChannel,
    StaffProfile,
    Store,
    Tag,
)
from clienteling.models.customer import month_day_key

from .attributes import attribute_parse_value
from .contact_history import CONSENT_FIELD
from .sales import customer_measures_refresh

__all__ = ["IngestResult", "MAX_BATCH", "Rejection", "customers_upsert", "sales_upsert"]

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "partner_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "language",
)
DATE_FIELDS = ("birth_date", "anniversary", "partner_birth_date")
SENSITIVE_FIELDS = ("email", "phone")
TRUE_WORDS = {"true", "1", "yes", "y", "on", "opted_in", "subscribed"}
FALSE_WORDS = {"false", "0", "no", "n", "off", "opted_out", "unsubscribed"}
CONSENT_STATES = frozenset(ConsentState.values)
CONSENT_SOURCES = frozenset(CustomerConsent.Source.values)
CHANNELS = frozenset(Channel.values)
OPTION_KINDS = {CustomerAttribute.DataType.SINGLE_CHOICE, CustomerAttribute.DataType.MULTIPLE_CHOICE}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _external_id(record, errors: Errors, max_length: int, name: str = "external_id") -> str:
    value = _text(record.get(name)) if isinstance(record, dict) else ""
    if not value:
        errors.add(name, _("An external id is required."))
    elif len(value) > max_length:
        errors.add(name, _("At most %(max)s characters.") % {"max": max_length})
    return value


def phone_normalise(raw, region: str | None) -> str:
    """E.164 for a number as people write it ("'+44 7700 900123", "07700 900123" in a GB store).

    Raises ValidationError when it is not a valid number.
    """
    text = _text(raw).lstrip("'").strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": text}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _date(value, name: str, errors: Errors) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(_text(value))
    except ValueError:
        parsed = None
    if parsed is None:
        errors.add(name, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
    return parsed


def _consent_state(value) -> str | None:
    if isinstance(value, bool):
        return ConsentState.OPTED_IN if value else ConsentState.OPTED_OUT
    text = _text(value).lower()
    if text in CONSENT_STATES:
        return text
    if text in TRUE_WORDS:
        return ConsentState.OPTED_IN
    if text in FALSE_WORDS:
        return ConsentState.OPTED_OUT
    return None


def _region(store: Store | None, legal_entity) -> str | None:
    for country in (getattr(store, "country", ""), legal_entity.country):
        country = (country or "").upper()
        if country in phonenumbers.SUPPORTED_REGIONS:
            return country
    return None


PLAIN_FIELDS = {
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.ForeignKey,
    models.OneToOneField,
    models.DateField,
    models.DecimalField,
    models.DateTimeField,  # aware (the ingest makes them so) or None
}


def rows_insert(model, objs: list) -> None:
    """Insert new rows: COPY on PostgreSQL (no SQL to build for 30 columns x 1,000 rows), else bulk_create.

    Each field's value is what a save would write (auto_now, db defaults, prepared for the
    database); text, numbers, flags, keys, dates and aware times go to psycopg as they are,
    any other field (a phone number, JSON) is prepared as a save would. Primary keys are
    not read back: callers that need them look them up.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=MAX_BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    now = timezone.now()
    auto = [bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields]
    plain = [type(f) in PLAIN_FIELDS and f.db_default is models.NOT_PROVIDED for f in fields]
    names = [f.attname for f in fields]

    def value(field, obj):
        if isinstance(field, PhoneNumberField):
            raw = obj.__dict__[field.attname]
            return raw if isinstance(raw, str) else (raw.as_e164 if raw else "")
        raw = field.pre_save(obj, True)
        if isinstance(raw, DatabaseDefault):
            default = field.db_default
            raw = default.value if hasattr(default, "value") else default
        return field.get_db_prep_save(raw, connection)

    # Django's database errors (IntegrityError ...) for what psycopg raises under COPY.
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            row = obj.__dict__
            copy.write_row(
                [
                    now if is_auto else row[name] if fast else value(field, obj)
                    for field, name, fast, is_auto in zip(fields, names, plain, auto, strict=True)
                ]
            )


# Customers ---------------------------------------------------------------------------------


STORED_FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, "email", "country", "currency")


class _Stored:
    """A stored customer's values, as the comparison and the update need them."""

    def __init__(self, row: dict, stores_by_id: dict):
        self.__dict__.update(row)
        self.phone = row["phone_text"] or ""
        self.home_store = stores_by_id.get(row["home_store_id"])


class _CustomerPlan:
    __slots__ = (
        "created",
        "index",
        "external_id",
        "customer",
        "values",
        "tags",
        "tag_names",
        "lists",
        "consents",
        "attributes",
    )

    def __init__(self, index, external_id, customer):
        self.index, self.external_id, self.customer = index, external_id, customer
        self.created = customer is None
        self.values: dict = {}
        self.tags: list[str] = []  # slugs
        self.tag_names: list[str] = []  # as written, for a tag made by the import
        self.lists: list[MailingList] = []
        self.consents: dict[str, tuple[str, str, datetime | None]] = {}
        self.attributes: dict[CustomerAttribute, list[dict]] = {}


def _value_key(columns: dict) -> tuple:
    option = columns.get("option")
    return (
        columns.get("value_text"),
        columns.get("value_int"),
        columns.get("value_decimal"),
        columns.get("value_bool"),
        columns.get("value_date"),
        option.pk if isinstance(option, AttributeOption) else columns.get("option_id"),
    )


class _CustomerBatch:
    """What the batch's records refer to, read once."""

    def __init__(self, legal_entity, records: list, channel: str):
        self.legal_entity, self.channel = legal_entity, channel
        ids = {_text(r.get("external_id")) for r in records if isinstance(r, dict)} - {""}
        self.stores = {s.code: s for s in Store.objects.filter(legal_entity=legal_entity)}
        self.stores_by_id = {s.pk: s for s in self.stores.values()}
        # The stored customers as plain values (the phone as text: no number parsed per row).
        self.existing = {
            row["external_id"]: _Stored(row, self.stores_by_id)
            for row in Customer.objects.filter(legal_entity=legal_entity, external_id__in=ids).values(
                "pk",
                "external_id",
                "erased_at",
                "home_store_id",
                *STORED_FIELDS,
                phone_text=Cast("phone", models.CharField()),
            )
        }
        pks = [c.pk for c in self.existing.values()]
        self.tag_links: dict[int, set[str]] = defaultdict(set)
        for customer_id, slug in CustomerTag.objects.filter(customer_id__in=pks).values_list(
            "customer_id", "tag__slug"
        ):
            self.tag_links[customer_id].add(slug)
        self.list_links: dict[int, set[int]] = defaultdict(set)
        for customer_id, list_id in CustomerMailingList.objects.filter(customer_id__in=pks).values_list(
            "customer_id", "mailing_list_id"
        ):
            self.list_links[customer_id].add(list_id)
        self.consents = {
            (c.customer_id, c.channel): c.state for c in CustomerConsent.objects.filter(customer_id__in=pks)
        }
        slugs = set()
        list_slugs = set()
        for record in records:
            if isinstance(record, dict):
                if isinstance(record.get("attributes"), dict):
                    slugs.update(str(k) for k in record["attributes"])
                if isinstance(record.get("mailing_lists"), (list, tuple)):
                    list_slugs.update(_text(v) for v in record["mailing_lists"])
        self.attributes = {a.slug: a for a in CustomerAttribute.objects.filter(slug__in=slugs, active=True)}
        self.options = {
            (o.attribute_id, o.value): o
            for o in AttributeOption.objects.filter(attribute__in=self.attributes.values())
        }
        self.values: dict[tuple[int, int], set] = defaultdict(set)
        if pks and self.attributes:
            for row in CustomerAttributeValue.objects.filter(
                customer_id__in=pks, attribute__in=self.attributes.values()
            ).values(
                "customer_id",
                "attribute_id",
                "value_text",
                "value_int",
                "value_decimal",
                "value_bool",
                "value_date",
                "option_id",
            ):
                self.values[(row["customer_id"], row["attribute_id"])].add(_value_key(row))
        self.mailing_lists = {m.slug: m for m in MailingList.objects.filter(slug__in=list_slugs)}


def _parse_attribute(batch: _CustomerBatch, attribute: CustomerAttribute, raw) -> dict:
    if attribute.data_type in OPTION_KINDS:
        option = batch.options.get((attribute.pk, _text(raw)))
        if option is None:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not one of the options.") % {"name": attribute.name, "value": raw}
            )
        return {"option": option}
    return attribute_parse_value(attribute=attribute, raw=raw)


def _customer_plan(
    batch: _CustomerBatch, index: int, record, seen: set
) -> tuple[_CustomerPlan | None, str, Errors]:
    errors = Errors()
    if not isinstance(record, dict):
        errors.add("__all__", _("A record is an object of fields."))
        return None, "", errors
    external_id = _external_id(record, errors, Customer._meta.get_field("external_id").max_length)
    if external_id in seen:
        errors.add("external_id", _("This external id appears twice in the batch."))
    seen.add(external_id)
    customer = batch.existing.get(external_id)
    if customer is not None and customer.erased_at:
        errors.add("__all__", _("This customer's personal data was erased on their request."))
    plan = _CustomerPlan(index, external_id, customer)
    values = plan.values
    for name in TEXT_FIELDS:
        if name in record:
            value = _text(record[name])
            max_length = Customer._meta.get_field(name).max_length
            if len(value) > max_length:
                errors.add(name, _("At most %(max)s characters.") % {"max": max_length})
            values[name] = value
    for name in DATE_FIELDS:
        if name in record:
            values[name] = _date(record[name], name, errors)
    if "country" in record:
        country = _text(record["country"]).upper()
        if country and not (len(country) == 2 and country.isalpha()):
            errors.add("country", _("Use the two-letter country code, e.g. US."))
        values["country"] = country
    store = customer.home_store if customer is not None else None
    if "home_store" in record:
        code = _text(record["home_store"])
        store = batch.stores.get(code) if code else None
        if code and store is None:
            errors.add("home_store", _("No store with the code “%(code)s”.") % {"code": code})
        values["home_store_id"] = store.pk if store else None
    if "email" in record:
        email = _text(record["email"]).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.add("email", _("“%(value)s” is not an email address.") % {"value": email})
        values["email"] = email
    if "phone" in record:
        try:
            values["phone"] = phone_normalise(record["phone"], _region(store, batch.legal_entity))
        except ValidationError as error:
            errors.add("phone", error.messages[0])
    if "currency" in record:
        currency = _text(record["currency"]).upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            errors.add("currency", _("Use the three-letter currency code, e.g. USD."))
        if currency:
            values["currency"] = currency
    tags = record.get("tags")
    if tags not in (None, ""):
        if isinstance(tags, str):
            tags = tags.split(",")
        if not isinstance(tags, (list, tuple)):
            errors.add("tags", _("Tags are a list of names."))
        else:
            for name in (_text(t) for t in tags):
                if name and not slugify(name):
                    errors.add("tags", _("“%(value)s” cannot be a tag.") % {"value": name})
                elif name:
                    plan.tags.append(slugify(name)[: Tag._meta.get_field("slug").max_length])
                    plan.tag_names.append(name)
    lists = record.get("mailing_lists")
    if lists not in (None, ""):
        if not isinstance(lists, (list, tuple)):
            errors.add("mailing_lists", _("Mailing lists are a list of slugs."))
        else:
            for slug in (_text(v) for v in lists if _text(v)):
                mailing_list = batch.mailing_lists.get(slug)
                if mailing_list is None:
                    errors.add("mailing_lists", _("No mailing list “%(value)s”.") % {"value": slug})
                else:
                    plan.lists.append(mailing_list)
    consent = record.get("consent")
    if consent not in (None, ""):
        if not isinstance(consent, dict):
            errors.add("consent", _("Consent is an object of channels."))
        else:
            for channel, given in consent.items():
                key = f"consent.{channel}"
                if channel not in CHANNELS:
                    errors.add(key, _("Not a channel: use sms, whatsapp or email."))
                    continue
                given = given if isinstance(given, dict) else {"state": given}
                if given.get("state") in (None, ""):
                    continue
                state = _consent_state(given.get("state"))
                source = _text(given.get("source")) or CustomerConsent.Source.IMPORT
                at = given.get("at")
                if isinstance(at, str) and at:
                    at = parse_datetime(at)
                    if at is None:
                        errors.add(key, _("The consent time is not a date and time (ISO 8601)."))
                    elif timezone.is_naive(at):
                        at = timezone.make_aware(at, UTC)
                if state is None:
                    errors.add(
                        key,
                        _(
                            "“%(value)s” is not a consent state (opted_in, opted_out, "
                            "requested, unknown; yes or no)."
                        )
                        % {"value": given.get("state")},
                    )
                elif source not in CONSENT_SOURCES:
                    errors.add(key, _("“%(value)s” is not a consent source.") % {"value": source})
                else:
                    plan.consents[channel] = (state, source, at or None)
    attributes = record.get("attributes")
    if attributes not in (None, ""):
        if not isinstance(attributes, dict):
            errors.add("attributes", _("Attributes are an object of attribute slugs."))
        else:
            for slug, raw in attributes.items():
                key = f"attributes.{slug}"
                attribute = batch.attributes.get(str(slug))
                if attribute is None:
                    errors.add(key, _("No attribute “%(value)s”.") % {"value": slug})
                    continue
                if not getattr(attribute, f"channel_{batch.channel}"):
                    errors.add(
                        key,
                        _("%(name)s is not used on the %(channel)s channel.")
                        % {"name": attribute.name, "channel": SalesChannel(batch.channel).label},
                    )
                    continue
                raws = list(raw) if isinstance(raw, (list, tuple)) else ([] if raw in (None, "") else [raw])
                raws = [v for v in raws if v not in (None, "")]
                if len(raws) > 1 and not attribute.is_multi_valued:
                    errors.add(key, _("%(name)s accepts a single value.") % {"name": attribute.name})
                    continue
                parsed = []
                for value in raws:
                    try:
                        parsed.append(_parse_attribute(batch, attribute, value))
                    except ValidationError as error:
                        errors.add(key, error.messages[0])
                plan.attributes[attribute] = parsed
    return plan, external_id, errors


def _changes(batch: _CustomerBatch, plan: _CustomerPlan) -> dict:
    """The plan's field changes against the stored customer; an empty dict when nothing differs."""
    customer = plan.customer
    changed = {}
    for name, value in plan.values.items():
        if getattr(customer, name) != value:
            changed[name] = value
    return changed


def _links_changed(batch: _CustomerBatch, plan: _CustomerPlan) -> bool:
    customer = plan.customer
    if customer is None:
        return True
    if set(plan.tags) - batch.tag_links[customer.pk]:
        return True
    if {m.pk for m in plan.lists} - batch.list_links[customer.pk]:
        return True
    for channel, (state, _source, _at) in plan.consents.items():
        if batch.consents.get((customer.pk, channel), ConsentState.UNKNOWN) != state:
            return True
    for attribute, parsed in plan.attributes.items():
        if {_value_key(c) for c in parsed} != batch.values.get((customer.pk, attribute.pk), set()):
            return True
    return False


def _customers_upsert(
    *,
    legal_entity,
    records,
    source: str,
    actor=None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    channel: str = SalesChannel.STORE,
) -> IngestResult:
    """Create or update customers by external id in `legal_entity`.

    A record: {"external_id", "first_name", "last_name", "email", "phone", "birth_date",
    "anniversary", "partner_name", "partner_birth_date", "address_line1", "address_line2",
    "city", "state", "zip_code", "country", "language", "currency", "home_store" (store
    code), "tags" (names, added), "mailing_lists" (slugs, joined), "consent" ({channel:
    state or {"state", "source", "at"}}), "attributes" ({slug: value or [values]}, replacing
    that attribute's values)}. Only the fields a record holds are set. `source` says where
    the batch came from ("import shopify_customers.csv", "api key 12") and is kept with each
    consent change; `channel` is the channel the attribute values are written from.
    """
    if channel not in SalesChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    records = batch_check(records)
    batch = _CustomerBatch(legal_entity, records, channel)
    result = IngestResult(dry_run=dry_run)
    seen: set[str] = set()
    creates, updates, touched = [], [], []
    for index, record in enumerate(records):
        plan, external_id, errors = _customer_plan(batch, index, record, seen)
        if errors:
            result.rejected.append(Rejection(index, external_id, errors.by_field))
            continue
        if plan.customer is None:
            creates.append(plan)
            continue
        changed = _changes(batch, plan)
        if changed or _links_changed(batch, plan):
            updates.append((plan, changed))
        else:
            result.unchanged += 1
    if result.rejected and all_or_nothing:
        result.rolled_back = True
        result.unchanged = 0
        return result
    result.created, result.updated = len(creates), len(updates)
    if dry_run:
        return result
    touched = creates + [plan for plan, _changed in updates]
    with transaction.atomic():
        _customers_write(batch, creates, updates, actor=actor, source=source)
        _links_write(batch, touched, actor=actor, source=source)
    return result


def _customers_write(batch: _CustomerBatch, creates: list, updates: list, *, actor, source: str) -> None:
    legal_entity = batch.legal_entity
    new = []
    for plan in creates:
        values = dict(plan.values)
        store = batch.stores_by_id.get(values.get("home_store_id"))
        values.setdefault("currency", store.currency if store else legal_entity.default_currency)
        phone = values.pop("phone", "")
        customer = Customer(
            legal_entity=legal_entity,
            external_id=plan.external_id,
            created_by=actor if getattr(actor, "pk", None) else None,
            profile_name="",
            **values,
        )
        # Already checked and in E.164: set as stored, without the field parsing it again.
        customer.__dict__["phone"] = phone
        customer.sync_derived_fields()
        new.append(customer)
        plan.customer = customer
    if connection.vendor == "postgresql" and new:
        rows_insert(Customer, new)
        ids = dict(
            Customer.objects.filter(
                legal_entity=legal_entity, external_id__in=[c.external_id for c in new]
            ).values_list("external_id", "pk")
        )
        for customer in new:
            customer.pk = ids[customer.external_id]
    else:
        Customer.objects.bulk_create(new, batch_size=MAX_BATCH)
    now = timezone.now()
    groups: dict[tuple, dict] = defaultdict(dict)
    for plan, changed in updates:
        if not changed:
            continue
        customer = plan.customer
        for name, value in changed.items():
            setattr(customer, name, value)
        row = dict(changed, updated_at=now)
        if set(changed) & set(DATE_FIELDS):
            row.update(
                birthday_key=month_day_key(customer.birth_date),
                anniversary_key=month_day_key(customer.anniversary),
                partner_birthday_key=month_day_key(customer.partner_birth_date),
            )
        groups[tuple(sorted(row))][customer.pk] = row
    for rows in groups.values():
        update_rows(Customer, rows)


def _links_write(batch: _CustomerBatch, plans: list, *, actor, source: str) -> None:
    slugs = {slug for plan in plans for slug in plan.tags}
    tags = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    missing = {
        slug: Tag(slug=slug, name=fit(Tag, "name", name))
        for plan in plans
        for slug, name in zip(plan.tags, plan.tag_names, strict=True)
        if slug not in tags
    }
    if missing:
        Tag.objects.bulk_create(missing.values(), ignore_conflicts=True)
        tags = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    CustomerTag.objects.bulk_create(
        [
            CustomerTag(customer_id=plan.customer.pk, tag=tags[slug])
            for plan in plans
            for slug in set(plan.tags)
        ],
        ignore_conflicts=True,
        batch_size=MAX_BATCH,
    )
    CustomerMailingList.objects.bulk_create(
        [
            CustomerMailingList(customer_id=plan.customer.pk, mailing_list=m)
            for plan in plans
            for m in plan.lists
        ],
        ignore_conflicts=True,
        batch_size=MAX_BATCH,
    )
    _consents_write(batch, plans, actor=actor, source=source)
    _attributes_write(batch, plans)


def _consents_write(batch: _CustomerBatch, plans: list, *, actor, source: str) -> None:
    now = timezone.now()
    detail = source[: CustomerConsent._meta.get_field("detail").max_length]
    changed_by = actor if getattr(actor, "pk", None) else None
    consents, changes = [], []
    facts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for plan in plans:
        pk = plan.customer.pk
        for channel, (state, consent_source, at) in plan.consents.items():
            if batch.consents.get((pk, channel), ConsentState.UNKNOWN) == state:
                continue
            at = at or now
            consents.append(
                CustomerConsent(
                    customer_id=pk,
                    channel=channel,
                    state=state,
                    changed_at=at,
                    source=consent_source,
                    detail=detail,
                )
            )
            changes.append(
                ConsentChange(
                    customer_id=pk,
                    channel=channel,
                    state=state,
                    source=consent_source,
                    detail=detail,
                    changed_by=changed_by,
                    changed_at=at,
                )
            )
            facts[(channel, state)].append(pk)
    if not consents:
        return
    fresh = {plan.customer.pk for plan in plans if plan.created}
    # A new customer has no consent and no contact history yet: plain inserts (COPY on PostgreSQL).
    rows_insert(CustomerConsent, [c for c in consents if c.customer_id in fresh])
    CustomerConsent.objects.bulk_create(
        [c for c in consents if c.customer_id not in fresh],
        update_conflicts=True,
        unique_fields=["customer", "channel"],
        update_fields=["state", "changed_at", "source", "detail"],
        batch_size=MAX_BATCH,
    )
    rows_insert(ConsentChange, changes)
    # Plain inserts fire no post_save: the facts go out as one event (the API's opt-in webhooks).
    external_ids = {plan.customer.pk: plan.customer.external_id for plan in plans}
    event_occurred(event=CONSENTS_CHANGED, legal_entity_id=batch.legal_entity.pk, data={"changes": [
        {"customer_id": c.customer_id, "customer_external_id": external_ids.get(c.customer_id),
         "channel": c.channel, "state": c.state, "source": c.source, "changed_at": c.changed_at}
        for c in changes]})
    histories: dict[int, CustomerContactHistory] = {}
    for (channel, state), pks in facts.items():
        for pk in pks:
            if pk in fresh:
                history = histories.setdefault(pk, CustomerContactHistory(customer_id=pk))
                setattr(history, CONSENT_FIELD[channel], state)
    rows_insert(CustomerContactHistory, list(histories.values()))
    older = {pk for pks in facts.values() for pk in pks} - fresh
    CustomerContactHistory.objects.bulk_create(
        [CustomerContactHistory(customer_id=pk) for pk in older], ignore_conflicts=True, batch_size=MAX_BATCH
    )
    for (channel, state), pks in facts.items():
        if older.intersection(pks):
            CustomerContactHistory.objects.filter(customer_id__in=older.intersection(pks)).update(
                **{CONSENT_FIELD[channel]: state}, updated_at=now
            )


def _attributes_write(batch: _CustomerBatch, plans: list) -> None:
    stale = Q(pk__in=[])
    rows = []
    for plan in plans:
        pk = plan.customer.pk
        for attribute, parsed in plan.attributes.items():
            keys = {_value_key(c) for c in parsed}
            if keys == batch.values.get((pk, attribute.pk), set()):
                continue
            stale |= Q(customer_id=pk, attribute=attribute)
            seen = set()
            for columns in parsed:
                if _value_key(columns) not in seen:
                    seen.add(_value_key(columns))
                    rows.append(CustomerAttributeValue(customer_id=pk, attribute=attribute, **columns))
    if stale.children != [("pk__in", [])]:
        CustomerAttributeValue.objects.filter(stale).delete()
    CustomerAttributeValue.objects.bulk_create(rows, batch_size=MAX_BATCH)


# Sales -------------------------------------------------------------------------------------

LINE_KINDS = {SaleLine.Kind.GOODS, SaleLine.Kind.RETURN, SaleLine.Kind.CUSTOM}
RECORD_SOURCES = {Sale.Source.POS, Sale.Source.ECOMMERCE, Sale.Source.IMPORT}


class _SaleBatch:
    def __init__(self, legal_entity, records: list):
        self.legal_entity = legal_entity
        good = [r for r in records if isinstance(r, dict)]
        ids = {_text(r.get("external_id")) for r in good} - {""}
        customer_ids = {_text(r.get("customer")) for r in good} - {""}
        self.customers = dict(
            Customer.objects.filter(
                legal_entity=legal_entity,
                external_id__in=customer_ids,
                erased_at__isnull=True,
            ).values_list("external_id", "pk")
        )
        emails = {_text(r.get("customer_email")).lower() for r in good if not _text(r.get("customer"))} - {""}
        self.by_email: dict[str, int | None] = {}
        for email, pk in Customer.objects.filter(
            legal_entity=legal_entity, email__in=emails, erased_at__isnull=True
        ).values_list("email", "pk"):
            # Two customers with one email: which one bought is unknown, so the sale is refused.
            self.by_email[email] = None if email in self.by_email else pk
        self.stores = {s.code: s for s in Store.objects.filter(legal_entity=legal_entity)}
        self.existing = {
            s.external_id: s
            for s in Sale.objects.filter(external_id__in=ids).select_related("customer")
            if s.customer.legal_entity_id == legal_entity.pk
        }
        self.elsewhere = set(
            Sale.objects.filter(external_id__in=ids)
            .exclude(customer__legal_entity=legal_entity)
            .values_list("external_id", flat=True)
        )
        self.lines: dict[int, list[tuple]] = defaultdict(list)
        for line in (
            SaleLine.objects.filter(sale__in=self.existing.values())
            .order_by("sale_id", "id")
            .values_list("sale_id", "kind", "product_id", "variant_id", "title", "quantity", "amount")
        ):
            self.lines[line[0]].append(tuple(line[1:]))
        skus = set()
        people = set()
        for record in good:
            people.add(_text(record.get("salesperson")))
            lines = record.get("lines") if isinstance(record.get("lines"), list) else []
            for line in lines:
                if isinstance(line, dict) and _text(line.get("sku")):
                    skus.add(_text(line.get("sku")))
        self.variants = {
            v.sku: v for v in ProductVariant.objects.filter(sku__in=skus).select_related("product")
        }
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        people.discard("")
        self.people: dict[str, int] = {}
        if people:
            user_model = get_user_model()
            staff = (
                StaffProfile.objects.filter(legal_entity=legal_entity)
                .filter(
                    Q(user__username__in=people) | Q(user__email__in=people) | Q(employee_code__in=people),
                )
                .values_list("user_id", f"user__{user_model.USERNAME_FIELD}", "user__email", "employee_code")
            )
            for user_id, username, email, code in staff:
                for key in (username, email, code):
                    if key:
                        self.people.setdefault(key, user_id)


def _sale_plan(batch: _SaleBatch, index: int, record, seen: set) -> tuple[dict | None, str, Errors]:
    errors = Errors()
    if not isinstance(record, dict):
        errors.add("__all__", _("A record is an object of fields."))
        return None, "", errors
    external_id = _external_id(record, errors, Sale._meta.get_field("external_id").max_length)
    if external_id in seen:
        errors.add("external_id", _("This receipt number appears twice in the batch."))
    seen.add(external_id)
    if external_id in batch.elsewhere:
        errors.add("external_id", _("This receipt number belongs to another legal entity."))
    customer_key = _text(record.get("customer"))
    customer_id = batch.customers.get(customer_key)
    email = _text(record.get("customer_email")).lower()
    if not customer_key and email:
        customer_id = batch.by_email.get(email)
        if email not in batch.by_email:
            errors.add("customer_email", _("No customer with the email “%(value)s”.") % {"value": email})
        elif customer_id is None:
            errors.add(
                "customer_email", _("Several customers have the email “%(value)s”.") % {"value": email}
            )
    elif not customer_key:
        errors.add("customer", _("The customer's external id is required."))
    elif customer_id is None:
        errors.add("customer", _("No customer with the external id “%(value)s”.") % {"value": customer_key})
    store = batch.stores.get(_text(record.get("store")))
    if store is None:
        errors.add("store", _("No store with the code “%(code)s”.") % {"code": _text(record.get("store"))})
    salesperson_id = None
    if _text(record.get("salesperson")):
        salesperson_id = batch.people.get(_text(record["salesperson"]))
        if salesperson_id is None:
            errors.add(
                "salesperson",
                _("No staff member with the username, email or employee code “%(value)s”.")
                % {"value": record["salesperson"]},
            )
    sold_at = record.get("sold_at")
    if isinstance(sold_at, str):
        try:
            sold_at = parse_datetime(sold_at.strip()) or (
                datetime.combine(parse_date(sold_at.strip()), datetime.min.time())
                if parse_date(sold_at.strip())
                else None
            )
        except ValueError:
            sold_at = None
    if not isinstance(sold_at, datetime):
        errors.add("sold_at", _("The date of sale is required (ISO 8601, e.g. 2025-03-01T14:30:00+01:00)."))
    elif timezone.is_naive(sold_at):
        sold_at = timezone.make_aware(sold_at, store.tzinfo if store else UTC)
    channel = _text(record.get("channel")) or SalesChannel.STORE
    if channel not in SalesChannel.values:
        errors.add("channel", _("Not a sales channel: use store, web or app."))
    source = _text(record.get("source")) or Sale.Source.IMPORT
    if source not in RECORD_SOURCES:
        errors.add("source", _("Not a sale source: use pos, ecommerce or import."))
    currency = _text(record.get("currency")).upper()
    if currency and store is not None and currency != store.currency:
        errors.add("currency", _("The store sells in %(currency)s.") % {"currency": store.currency})
    lines = record.get("lines")
    plan_lines = []
    if not isinstance(lines, list) or not lines:
        errors.add("lines", _("A sale needs at least one line."))
        lines = []
    for number, line in enumerate(lines):
        key = f"lines.{number}"
        if not isinstance(line, dict):
            errors.add(key, _("A line is an object of fields."))
            continue
        kind = _text(line.get("kind")) or SaleLine.Kind.GOODS
        if kind not in LINE_KINDS:
            errors.add(f"{key}.kind", _("Not a line kind: use goods, return or custom."))
            continue
        try:
            amount = Decimal(_text(line.get("amount")))
            if not amount.is_finite() or abs(amount) >= Decimal(10) ** 10:
                raise InvalidOperation
        except InvalidOperation:
            errors.add(f"{key}.amount", _("“%(value)s” is not an amount.") % {"value": line.get("amount")})
            continue
        try:
            quantity = int(_text(line.get("quantity")) or 1)
        except ValueError:
            errors.add(f"{key}.quantity", _("The quantity is a whole number."))
            continue
        amount = amount.quantize(Decimal("0.01"))
        if kind == SaleLine.Kind.RETURN:
            amount, quantity = -abs(amount), -abs(quantity)
        sku = _text(line.get("sku"))
        title = _text(line.get("title"))
        product = variant = None
        if kind != SaleLine.Kind.CUSTOM or sku:
            variant = batch.variants.get(sku)
            product = variant.product if variant else batch.products.get(sku)
            if not sku:
                errors.add(f"{key}.sku", _("A goods or return line needs a SKU."))
                continue
            if product is None:
                errors.add(f"{key}.sku", _("Unknown SKU “%(value)s”.") % {"value": sku})
                continue
        title = title or (product.title if product else "")
        if not title:
            errors.add(f"{key}.title", _("A custom line needs a title."))
            continue
        plan_lines.append(
            SaleLine(
                kind=kind,
                product=product,
                variant=variant,
                title=title[: SaleLine._meta.get_field("title").max_length],
                quantity=quantity,
                amount=amount,
                designer_id=product.designer_id if product else None,
                category_id=product.category_id if product else None,
                item_type_id=product.item_type_id if product else None,
            )
        )
    if errors:
        return None, external_id, errors
    return (
        {
            "index": index,
            "external_id": external_id,
            "customer_id": customer_id,
            "store": store,
            "salesperson_id": salesperson_id,
            "sold_at": sold_at,
            "channel": channel,
            "source": source,
            "lines": plan_lines,
            "total": sum((line.amount for line in plan_lines), Decimal(0)),
        },
        external_id,
        errors,
    )


def _sale_same(batch: _SaleBatch, sale: Sale, plan: dict) -> bool:
    fields = (
        sale.customer_id == plan["customer_id"]
        and sale.store_id == plan["store"].pk
        and sale.salesperson_id == plan["salesperson_id"]
        and sale.sold_at == plan["sold_at"]
        and sale.channel == plan["channel"]
        and sale.total == plan["total"]
    )
    lines = [
        (line.kind, line.product_id, line.variant_id, line.title, line.quantity, line.amount)
        for line in plan["lines"]
    ]
    return fields and lines == batch.lines.get(sale.pk, [])


def _sales_upsert(
    *, legal_entity, records, source: str, actor=None, dry_run: bool = False, all_or_nothing: bool = False
) -> IngestResult:
    """Create or replace receipts by external id (receipt number) in `legal_entity`.

    A record: {"external_id", "customer" (the customer's external id; or "customer_email"
    when the other system has no customer id, as Shopify's orders export), "store" (code),
    "salesperson" (username, email or employee code), "sold_at" (ISO 8601; a time without
    zone is the store's), "channel" (store, web, app), "source" (pos, ecommerce, import),
    "lines": [{"kind" (goods, return, custom), "sku" (a variant's or product's), "title",
    "quantity", "amount" (the line's total; a return's is made negative)}]}. A receipt
    that differs from the stored one replaces it with its lines. The customers' measures
    are refreshed once for the batch. `source` names the batch (kept for the caller's log).
    """
    records = batch_check(records)
    batch = _SaleBatch(legal_entity, records)
    result = IngestResult(dry_run=dry_run)
    seen: set[str] = set()
    creates, replaces = [], []
    for index, record in enumerate(records):
        plan, external_id, errors = _sale_plan(batch, index, record, seen)
        if errors:
            result.rejected.append(Rejection(index, external_id, errors.by_field))
            continue
        existing = batch.existing.get(external_id)
        if existing is None:
            creates.append(plan)
        elif _sale_same(batch, existing, plan):
            result.unchanged += 1
        else:
            replaces.append((existing, plan))
    if result.rejected and all_or_nothing:
        result.rolled_back, result.unchanged = True, 0
        return result
    result.created, result.updated = len(creates), len(replaces)
    if dry_run or not (creates or replaces):
        return result
    with transaction.atomic():
        _sales_write(creates, replaces)
    return result


def _sales_write(creates: list, replaces: list) -> None:
    customers = set()
    sales = []
    for plan in creates:
        sales.append(
            Sale(
                customer_id=plan["customer_id"],
                store=plan["store"],
                salesperson_id=plan["salesperson_id"],
                channel=plan["channel"],
                source=plan["source"],
                external_id=plan["external_id"],
                sold_at=plan["sold_at"],
                currency=plan["store"].currency,
                total=plan["total"],
            )
        )
    Sale.objects.bulk_create(sales, batch_size=MAX_BATCH)
    pairs = list(zip(sales, creates, strict=True))
    for sale, plan in replaces:
        customers.add(sale.customer_id)
        for name in ("customer_id", "salesperson_id", "sold_at", "channel", "total"):
            setattr(sale, name, plan[name])
        sale.store, sale.currency = plan["store"], plan["store"].currency
        pairs.append((sale, plan))
    if replaces:
        Sale.objects.bulk_update(
            [sale for sale, _plan in replaces],
            ["customer", "store", "salesperson", "sold_at", "channel", "currency", "total"],
        )
        SaleLine.objects.filter(sale__in=[sale for sale, _plan in replaces]).delete()
    lines = []
    for sale, plan in pairs:
        customers.add(plan["customer_id"])
        for line in plan["lines"]:
            line.sale, line.customer_id = sale, plan["customer_id"]
            line.salesperson_id, line.sold_at = plan["salesperson_id"], plan["sold_at"]
            lines.append(line)
    rows_insert(SaleLine, lines)
    customer_measures_refresh(customer_ids=customers)
    entities = {plan["store"].legal_entity_id for _sale, plan in pairs}
    for legal_entity_id in entities:
        event_occurred(event=SALES_RECORDED, legal_entity_id=legal_entity_id, data={
            "sale_ids": [sale.pk for sale, plan in zip(sales, creates, strict=True)
                         if plan["store"].legal_entity_id == legal_entity_id],
            "changed_sale_ids": [sale.pk for sale, plan in replaces
                                 if plan["store"].legal_entity_id == legal_entity_id]})


def _retried(upsert, kwargs: dict) -> IngestResult:
    """Two batches creating the same new external id at once: the loser's transaction rolls back
    on the unique constraint, and its second try finds the winner's rows and compares with them."""
    kwargs["records"] = batch_check(kwargs["records"])
    try:
        return upsert(**kwargs)
    except IntegrityError:
        return upsert(**kwargs)


def customers_upsert(
    *,
    legal_entity,
    records,
    source: str,
    actor=None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    channel: str = SalesChannel.STORE,
) -> IngestResult:
    return _retried(
        _customers_upsert,
        {
            "legal_entity": legal_entity,
            "records": records,
            "source": source,
            "actor": actor,
            "dry_run": dry_run,
            "all_or_nothing": all_or_nothing,
            "channel": channel,
        },
    )


customers_upsert.__doc__ = _customers_upsert.__doc__


def sales_upsert(
    *, legal_entity, records, source: str, actor=None, dry_run: bool = False, all_or_nothing: bool = False
) -> IngestResult:
    return _retried(
        _sales_upsert,
        {
            "legal_entity": legal_entity,
            "records": records,
            "source": source,
            "actor": actor,
            "dry_run": dry_run,
            "all_or_nothing": all_or_nothing,
        },
    )


sales_upsert.__doc__ = _sales_upsert.__doc__
