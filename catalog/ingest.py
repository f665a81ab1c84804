"""Bulk upsert of products from other systems: products with variants, prices, stock.

Reached as `catalog.services.ingest.products_upsert` (catalog.services re-exports this
module) by the file imports and the REST API. Products and variants are keyed by SKU
(the catalog is shared by the company's legal entities, and a SKU is unique in it).
Same contract as the customer and sale ingest (`clienteling.services.ingest`): a batch
of up to 1,000 records is checked, compared with what is stored and written set-based;
a record that changes nothing counts as unchanged; a refused record is listed with its
reasons and never half written; `all_or_nothing` writes nothing when one is refused;
`dry_run` only counts.
"""

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .db import fit
from .ingest_result import MAX_BATCH, Errors, IngestResult, Rejection, batch_check
from .models import (
    Category,
    Designer,
    ItemType,
    Product,
    ProductPrice,
    ProductVariant,
    StockLevel,
    StockLocation,
    product_search_text,
)

__all__ = ["IngestResult", "Rejection", "products_upsert"]

DIMENSIONS = {"designer": Designer, "category": Category, "item_type": ItemType}
PRODUCT_TEXT = ("title", "description", "barcode", "image_url")
VARIANT_TEXT = ("size", "colour", "barcode")
TRUE_WORDS = {"true", "1", "yes", "y", "active"}
FALSE_WORDS = {"false", "0", "no", "n", "draft", "archived", "inactive"}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _money(value, key: str, errors: Errors) -> Decimal | None:
    try:
        amount = Decimal(_text(value))
        if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 10:
            raise InvalidOperation
    except InvalidOperation:
        errors.add(key, _("“%(value)s” is not a price.") % {"value": value})
        return None
    return amount.quantize(Decimal("0.01"))


def _bool(value, key: str, errors: Errors) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    errors.add(key, _("Answer yes or no, not “%(value)s”.") % {"value": value})
    return None


def _currency(value, key: str, errors: Errors) -> str:
    currency = _text(value).upper()
    if not (len(currency) == 3 and currency.isalpha()):
        errors.add(key, _("Use the three-letter currency code, e.g. USD."))
    return currency


def _fits(model, name: str, value: str, key: str, errors: Errors) -> str:
    max_length = model._meta.get_field(name).max_length
    if max_length and len(value) > max_length:
        errors.add(key, _("At most %(max)s characters.") % {"max": max_length})
    return value


class _Batch:
    def __init__(self, records: list):
        good = [r for r in records if isinstance(r, dict)]
        skus = {_text(r.get("sku")) for r in good} - {""}
        variant_skus, names, codes = set(), defaultdict(set), set()
        for record in good:
            for kind in DIMENSIONS:
                if _text(record.get(kind)):
                    names[kind].add(_text(record[kind]))
            for variant in record.get("variants") or [] if isinstance(record.get("variants"), list) else []:
                if isinstance(variant, dict):
                    variant_skus.add(_text(variant.get("sku")))
                    if isinstance(variant.get("stock"), dict):
                        codes.update(_text(code) for code in variant["stock"])
        variant_skus |= skus
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        self.variants = {v.sku: v for v in ProductVariant.objects.filter(sku__in=variant_skus - {""})}
        self.dimensions = {
            kind: dict(model.objects.filter(name__in=names[kind]).values_list("name", "pk"))
            for kind, model in DIMENSIONS.items()
        }
        product_ids = [p.pk for p in self.products.values()]
        self.default_variant = set(
            ProductVariant.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True)
        )
        self.prices = {
            (p.product_id, p.variant_id, p.currency): p
            for p in ProductPrice.objects.filter(product_id__in=product_ids)
        }
        self.locations = {}
        for location in StockLocation.objects.filter(
            code__in=codes | {f"store-{code}" for code in codes}
        ).order_by("code"):
            self.locations[location.code] = location
            if location.code.startswith("store-"):
                self.locations.setdefault(location.code[len("store-") :], location)
        variant_ids = [v.pk for v in self.variants.values()]
        self.stock = {
            (s.variant_id, s.location_id): s.on_hand
            for s in StockLevel.objects.filter(variant_id__in=variant_ids)
        }


def _plan(batch: _Batch, index: int, record, seen: set, seen_variants: set):
    errors = Errors()
    if not isinstance(record, dict):
        errors.add("__all__", _("A record is an object of fields."))
        return None, "", errors
    sku = _text(record.get("sku"))
    if not sku:
        errors.add("sku", _("A SKU is required."))
    _fits(Product, "sku", sku, "sku", errors)
    if sku in seen:
        errors.add("sku", _("This SKU appears twice in the batch."))
    seen.add(sku)
    product = batch.products.get(sku)
    values = {}
    for name in PRODUCT_TEXT:
        if name in record:
            values[name] = _fits(Product, name, _text(record[name]), name, errors)
    if product is None and not values.get("title"):
        errors.add("title", _("A new product needs a title."))
    if "price" in record:
        values["price"] = _money(record["price"], "price", errors)
    elif product is None:
        errors.add("price", _("A new product needs a price."))
    if _text(record.get("currency")):
        values["currency"] = _currency(record["currency"], "currency", errors)
    if "active" in record:
        values["active"] = _bool(record["active"], "active", errors)
    dimensions = {}
    for kind in DIMENSIONS:
        if kind in record:
            name = _fits(DIMENSIONS[kind], "name", _text(record[kind]), kind, errors)
            if name and not slugify(name):
                errors.add(kind, _("“%(value)s” cannot be a name here.") % {"value": name})
            dimensions[kind] = name
    own_currency = values.get("currency") or (product.currency if product else "USD")
    prices = {}
    prices_given = record.get("prices") or {}
    if not isinstance(prices_given, dict):
        errors.add("prices", _("Prices are an object of currency codes."))
        prices_given = {}
    for code, amount in prices_given.items():
        currency = _currency(code, f"prices.{code}", errors)
        if currency == own_currency:
            errors.add(
                f"prices.{code}",
                _("%(currency)s is the product's own currency: set it as its price.")
                % {"currency": currency},
            )
        prices[currency] = _money(amount, f"prices.{code}", errors)
    variants = []
    given = record.get("variants")
    if given not in (None, "") and not isinstance(given, list):
        errors.add("variants", _("Variants are a list of objects."))
        given = []
    for number, raw in enumerate(given or []):
        key = f"variants.{number}"
        if not isinstance(raw, dict):
            errors.add(key, _("A variant is an object of fields."))
            continue
        variant_sku = _text(raw.get("sku"))
        if not variant_sku:
            errors.add(f"{key}.sku", _("A SKU is required."))
            continue
        _fits(ProductVariant, "sku", variant_sku, f"{key}.sku", errors)
        if variant_sku in seen_variants:
            errors.add(f"{key}.sku", _("This SKU appears twice in the batch."))
        seen_variants.add(variant_sku)
        existing = batch.variants.get(variant_sku)
        if existing is not None and (product is None or existing.product_id != product.pk):
            errors.add(f"{key}.sku", _("This SKU is a variant of another product."))
        fields = {}
        for name in VARIANT_TEXT:
            if name in raw:
                fields[name] = _fits(ProductVariant, name, _text(raw[name]), f"{key}.{name}", errors)
        if "price" in raw:
            fields["price_override"] = (
                None if _text(raw["price"]) == "" else _money(raw["price"], f"{key}.price", errors)
            )
        if "active" in raw:
            fields["active"] = _bool(raw["active"], f"{key}.active", errors)
        if "position" in raw:
            try:
                fields["position"] = max(int(_text(raw["position"])), 0)
            except ValueError:
                errors.add(f"{key}.position", _("The position is a whole number."))
        variant_prices = {}
        for code, amount in (raw.get("prices") or {}).items() if isinstance(raw.get("prices"), dict) else []:
            currency = _currency(code, f"{key}.prices.{code}", errors)
            if currency == own_currency:
                errors.add(
                    f"{key}.prices.{code}",
                    _("%(currency)s is the product's own currency: set it as the variant's price.")
                    % {"currency": currency},
                )
            variant_prices[currency] = _money(amount, f"{key}.prices.{code}", errors)
        stock = {}
        for code, on_hand in (raw.get("stock") or {}).items() if isinstance(raw.get("stock"), dict) else []:
            location = batch.locations.get(_text(code))
            if location is None:
                errors.add(
                    f"{key}.stock.{code}", _("No stock location or store “%(code)s”.") % {"code": code}
                )
                continue
            try:
                stock[location.pk] = int(_text(on_hand))
            except ValueError:
                errors.add(
                    f"{key}.stock.{code}", _("“%(value)s” is not a whole number.") % {"value": on_hand}
                )
        variants.append(
            {
                "sku": variant_sku,
                "existing": existing,
                "fields": fields,
                "prices": variant_prices,
                "stock": stock,
            }
        )
    if not variants and sku and (product is None or product.pk not in batch.default_variant):
        # Every product has at least one variant: the default one carries the product's SKU.
        if sku in batch.variants or sku in seen_variants:
            errors.add("sku", _("This SKU is a variant of another product."))
        seen_variants.add(sku)
        variants.append(
            {
                "sku": sku,
                "existing": None,
                "fields": {"barcode": values.get("barcode", "")},
                "prices": {},
                "stock": {},
            }
        )
    plan = {
        "index": index,
        "sku": sku,
        "product": product,
        "values": values,
        "dimensions": dimensions,
        "prices": prices,
        "variants": variants,
    }
    return plan, sku, errors


def _product_changes(batch: _Batch, plan: dict) -> bool:
    product = plan["product"]
    if product is None:
        return True
    if any(getattr(product, name) != value for name, value in plan["values"].items()):
        return True
    for kind, name in plan["dimensions"].items():
        if getattr(product, f"{kind}_id") != (batch.dimensions[kind].get(name) if name else None):
            return True
    for currency, amount in plan["prices"].items():
        current = batch.prices.get((product.pk, None, currency))
        if current is None or current.amount != amount:
            return True
    for variant in plan["variants"]:
        existing = variant["existing"]
        if existing is None:
            return True
        if any(getattr(existing, name) != value for name, value in variant["fields"].items()):
            return True
        for currency, amount in variant["prices"].items():
            current = batch.prices.get((product.pk, existing.pk, currency))
            if current is None or current.amount != amount:
                return True
        if any(
            batch.stock.get((existing.pk, location)) != on_hand
            for location, on_hand in variant["stock"].items()
        ):
            return True
    return False


def products_upsert(
    *,
    records,
    source: str = "",
    legal_entity=None,
    actor=None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
) -> IngestResult:
    """Create or update products by SKU, with their variants, prices and stock.

    A record: {"sku", "title", "description", "designer", "category", "item_type" (names,
    made when new), "price", "currency" (the price's), "barcode", "image_url", "active",
    "prices" ({currency: amount}, other currencies), "variants": [{"sku", "size", "colour",
    "barcode", "price" (an override, empty for none), "active", "position", "prices",
    "stock" ({stock location or store code: on hand})}]}. Only the fields a record holds
    are set; a product without variants gets its default variant (its own SKU).
    `legal_entity`, `actor` and `source` are taken for the same call shape as the other
    ingest services: the catalog is one for the whole company.
    """
    records = batch_check(records)
    batch = _Batch(records)
    result = IngestResult(dry_run=dry_run)
    seen, seen_variants, writes = set(), set(), []
    for index, record in enumerate(records):
        plan, sku, errors = _plan(batch, index, record, seen, seen_variants)
        if errors:
            result.rejected.append(Rejection(index, sku, errors.by_field))
        elif not _product_changes(batch, plan):
            result.unchanged += 1
        else:
            writes.append(plan)
            if plan["product"] is None:
                result.created += 1
            else:
                result.updated += 1
    if result.rejected and all_or_nothing:
        result.rolled_back, result.created, result.updated, result.unchanged = True, 0, 0, 0
        return result
    if dry_run or not writes:
        return result
    with transaction.atomic():
        _write(batch, writes)
    return result


def _write(batch: _Batch, plans: list) -> None:
    for kind, model in DIMENSIONS.items():
        wanted = {plan["dimensions"].get(kind) for plan in plans} - {None, ""} - set(batch.dimensions[kind])
        if wanted:
            model.objects.bulk_create(
                [model(name=name, slug=fit(model, "slug", slugify(name))) for name in wanted],
                ignore_conflicts=True,
            )
            batch.dimensions[kind].update(model.objects.filter(name__in=wanted).values_list("name", "pk"))
    names = {kind: {pk: name for name, pk in batch.dimensions[kind].items()} for kind in DIMENSIONS}
    now = timezone.now()
    new, changed = [], []
    for plan in plans:
        product = plan["product"] or Product(sku=plan["sku"], currency="USD")
        for name, value in plan["values"].items():
            setattr(product, name, value)
        for kind, name in plan["dimensions"].items():
            setattr(product, f"{kind}_id", batch.dimensions[kind].get(name) if name else None)
        product.search_text = product_search_text(
            product.title,
            *(names[kind].get(getattr(product, f"{kind}_id"), "") for kind in DIMENSIONS),
            product.sku,
        )
        product.updated_at = now
        (changed if plan["product"] else new).append(product)
        plan["product"] = product
    Product.objects.bulk_create(new, batch_size=MAX_BATCH)
    if changed:
        Product.objects.bulk_update(
            changed,
            [
                "title",
                "description",
                "barcode",
                "image_url",
                "price",
                "currency",
                "active",
                "designer",
                "category",
                "item_type",
                "search_text",
                "updated_at",
            ],
            batch_size=MAX_BATCH,
        )
    new_variants, changed_variants = [], []
    for plan in plans:
        for variant in plan["variants"]:
            row = variant["existing"] or ProductVariant(product=plan["product"], sku=variant["sku"])
            for name, value in variant["fields"].items():
                setattr(row, name, value)
            (changed_variants if variant["existing"] else new_variants).append(row)
            variant["row"] = row
    ProductVariant.objects.bulk_create(new_variants, batch_size=MAX_BATCH)
    if changed_variants:
        ProductVariant.objects.bulk_update(
            changed_variants,
            ["size", "colour", "barcode", "price_override", "active", "position"],
            batch_size=MAX_BATCH,
        )
    new_prices, changed_prices, stock = [], [], []
    for plan in plans:
        product = plan["product"]
        given = [(None, currency, amount) for currency, amount in plan["prices"].items()]
        given += [
            (v["row"], currency, amount) for v in plan["variants"] for currency, amount in v["prices"].items()
        ]
        for variant, currency, amount in given:
            current = batch.prices.get((product.pk, variant.pk if variant else None, currency))
            if current is None:
                new_prices.append(
                    ProductPrice(product=product, variant=variant, currency=currency, amount=amount)
                )
            elif current.amount != amount:
                current.amount = amount
                changed_prices.append(current)
        for variant in plan["variants"]:
            stock += [
                StockLevel(variant=variant["row"], location_id=location, on_hand=on_hand, updated_at=now)
                for location, on_hand in variant["stock"].items()
            ]
    ProductPrice.objects.bulk_create(new_prices, batch_size=MAX_BATCH)
    ProductPrice.objects.bulk_update(changed_prices, ["amount"], batch_size=MAX_BATCH)
    StockLevel.objects.bulk_create(
        stock,
        update_conflicts=True,
        unique_fields=["variant", "location"],
        update_fields=["on_hand", "updated_at"],
        batch_size=MAX_BATCH,
    )
